"""The four source documents the statements rest on (shared/guidelines), by short name.

Only what each document states about itself (title, publisher, date, review status) and our one-line account of
what it covers live here; the documents' text is never copied.
"""

from __future__ import annotations

from cds_service.engine.statements import SourceDocument

CARCINOMATOSIS_OVERVIEW = SourceDocument(
    "CARCINOMATOSIS-OVERVIEW",
    "guidelines/000_2b56ff475e4e6d00.txt",
    "What is carcinomatosis (cancer metastasis)?",
    "Dr.Oracle (named in its disclaimer)",
    "2025-05-05",
    "Overview of carcinomatosis management; ovarian carboplatin/paclitaxel with Calvert dosing and "
    "bevacizumab; oligometastatic breast cancer.",
    48,
)
"""Its page shows a review-status list (Submitted, Under Review, Approved; l.4-7) without saying which applies,
so it is not read as calling itself unreviewed; last updated May 5, 2025 (l.9)."""
HCC_LUNG_PM = SourceDocument(
    "HCC-LUNG-PM",
    "guidelines/001_a353de5c7d9c5e13.txt",
    "Treatment of Liver Cancer and Lung Cancer with Peritoneal Involvement",
    None,
    None,
    "Hepatocellular carcinoma and lung cancer with peritoneal metastases; limits of CRS/HIPEC outside "
    "colorectal disease.",
    37,
)
CERVICAL_OMENTAL = SourceDocument(
    "CERVICAL-OMENTAL",
    "guidelines/002_ebcf498ddea1a6ee.txt",
    "Recurrent cervical cancer with omental metastases: treatment summary",
    "Dr.Oracle (named in its disclaimer)",
    "2025-07-25",
    "Recurrent cervical cancer with omental metastases: regimens and doses, bevacizumab toxicity and its "
    "28-day surgical hold, surgical options.",
    108,
    unreviewed=True,
)
"""Its own title is a question (l.1), shortened here; it marks itself educational and pending human review
(l.4); last updated July 25, 2025 (l.10)."""
CRC_PM_REVIEW = SourceDocument(
    "CRC-PM-REVIEW",
    "guidelines/003_6dee4c2c304936c7.txt",
    "Treatment for Peritoneal Metastasis of Patients With Colorectal Cancer",
    "Annals of Coloproctology (Young Jin Kim, Chang Hyun Kim)",
    None,
    "Colorectal peritoneal metastasis: CRS plus HIPEC, PCI and completeness of cytoreduction, PRODIGE 7, "
    "COLOPEC, PROPHYLOCHIP, PIPAC, perioperative systemic therapy.",
    561,
)
"""A journal review; journal and authors from its running header (l.468-476)."""

SOURCES: dict[str, SourceDocument] = {
    d.short_name: d for d in (CARCINOMATOSIS_OVERVIEW, HCC_LUNG_PM, CERVICAL_OMENTAL, CRC_PM_REVIEW)
}
