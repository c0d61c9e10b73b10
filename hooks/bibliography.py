"""The four source documents every rule cites (shared/guidelines), by short name.

Only metadata and our own one-line description live here; the documents' text is never copied.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceDocument:
    short_name: str
    file: str
    title: str
    publisher: str
    date: str
    covers: str
    line_count: int


SOURCES: dict[str, SourceDocument] = {
    s.short_name: s
    for s in (
        SourceDocument(
            "CARCINOMATOSIS-OVERVIEW",
            "guidelines/000_2b56ff475e4e6d00.txt",
            "What is carcinomatosis (cancer metastasis)?",
            "Dr.Oracle, online clinical guideline summary (named in its disclaimer, l.48)",
            "2025-05-05",
            "Overview of carcinomatosis management; ovarian carboplatin/paclitaxel with Calvert dosing and "
            "bevacizumab; oligometastatic breast cancer.",
            48,
        ),
        SourceDocument(
            "HCC-LUNG-PM",
            "guidelines/001_a353de5c7d9c5e13.txt",
            "Treatment of Liver Cancer and Lung Cancer with Peritoneal Involvement",
            "clinical guideline summary (publisher not named in the document)",
            "not stated",
            "Hepatocellular carcinoma and lung cancer with peritoneal metastases; limits of CRS/HIPEC outside "
            "colorectal disease.",
            37,
        ),
        SourceDocument(
            "CERVICAL-OMENTAL",
            "guidelines/002_ebcf498ddea1a6ee.txt",
            "What is the treatment for recurrent cervical cancer with omental (omentum) metastases?",
            "Dr.Oracle, online clinical guideline summary (named in its disclaimer, l.104)",
            "2025-07-25",
            "Recurrent cervical cancer with omental metastases: regimens and doses, bevacizumab toxicity and its "
            '28-day surgical hold, surgical options. Review status: the document is marked "Educational purpose '
            'only • Exercise caution as content is pending human review" (l.4).',
            108,
        ),
        SourceDocument(
            "CRC-PM-REVIEW",
            "guidelines/003_6dee4c2c304936c7.txt",
            "Treatment for Peritoneal Metastasis of Patients With Colorectal Cancer",
            "Annals of Coloproctology; authors Young Jin Kim and Chang Hyun Kim (running header, l.468-476)",
            "not stated",
            "Colorectal peritoneal metastasis: CRS plus HIPEC, PCI and completeness of cytoreduction, PRODIGE 7, "
            "COLOPEC, PROPHYLOCHIP, PIPAC, perioperative systemic therapy.",
            561,
        ),
    )
}
