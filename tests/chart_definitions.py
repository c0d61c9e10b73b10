"""The 24 real-world charts of fixtures/charts: six primaries, each coded the way four kinds of EHR code it.

`python -m tests.chart_definitions [folder]` (re)writes every <primary>/<shape>.json, .drafts.json and
.meta.json under fixtures/charts (or `folder`); edit the charts here, never the JSON. The golden
<shape>.<hook>.expected.json files are written by tests/test_real_world_charts.py with CDS_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from tests.chart_builder import CHARTS_DIR, Chart, cards, codeable, mg, per_hook
from tests.scenario_builder import quantity

SYN = "encounter-diagnosis"
"""Synthea writes every Condition as an encounter diagnosis, not a problem-list item."""
NOT_PERITONEAL_LIMITED = [
    "Metastasis outside the peritoneum: none on record",
    "no metastasis outside the peritoneum",
]
PM_SCT = ("sct", "94627008", "Secondary malignant neoplasm of peritoneum")
PM_ICD = ("icd", "C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum")
OMENTAL = ("sct", "94626004", "Omental metastasis")
BEV_AVASTIN = ("1657066", "bevacizumab (Avastin product)")
LAPAROTOMY = codeable(("sct", "86481000", "Laparotomy"))


def colorectal() -> Iterator[Chart]:
    c = Chart("colorectal", "synthea", "male", "1958-02-11")
    c.condition(
        "primary",
        codeable(("sct", "363406005", "Malignant neoplasm of colon")),
        "2025-08-04T10:12:00Z",
        category=SYN,
    )
    c.condition("pm", codeable(PM_SCT), "2026-10-02T09:30:00Z", category=SYN)
    c.ecog(1, "2026-11-03T10:00:00Z")
    c.vitals(78.4, 176.0, "2026-11-03T10:00:00Z")
    c.creatinine("38483-4", 1.1, "mg/dL", "2026-11-03T10:00:00Z")
    c.med(
        "oxaliplatin",
        ("575971", "oxaliplatin 5 MG/ML [Eloxatin]"),
        "stopped",
        "2025-09-01T10:00:00Z",
        end="2026-02-15T10:00:00Z",
    )
    c.med(
        "leucovorin",
        ("1803932", "Leucovorin 100 MG Injection"),
        "stopped",
        "2025-09-01T10:00:00Z",
        end="2026-02-15T10:00:00Z",
    )
    c.surgery("laparotomy", LAPAROTOMY, "2026-12-20")
    c.med("bevacizumab", BEV_AVASTIN, "draft", "2026-12-06", draft=True, dose=mg(400))
    c.expect(
        "Synthea-style colon cancer (SNOMED only) with SNOMED peritoneal metastasis, no PCI; Synthea "
        "creatinine 38483-4; bevacizumab drafted 14 days before a planned laparotomy.",
        per_hook(
            cards([["HIPEC-CRC-PCI", "info"], ["PM-GENERAL", "info"]], ["PM-UNKNOWN-PRIMARY"]),
            cards([["BEV-SURG-BEFORE", "critical"]], ["PM-UNKNOWN-PRIMARY"]),
        ),
    )
    yield c

    c = Chart("colorectal", "epic", "female", "1960-07-23")
    c.condition(
        "history",
        codeable(
            ("icd", "Z85.038", "Personal history of other malignant neoplasm of large intestine"),
            text="History of colon cancer",
        ),
        "2022-03-14",
        status="resolved",
    )
    c.condition("pm", codeable(PM_ICD, PM_SCT, text="Peritoneal carcinomatosis"), "2026-10-08")
    c.ecog(1, "2026-11-10")
    c.vitals(64.0, 163.0, "2026-11-10")
    c.creatinine("2160-0", 0.8, "mg/dL", "2026-11-10")
    c.pci(14, "2026-10-08")
    c.surgery(
        "laparotomy", codeable(("sct", "86481000", "Laparotomy"), text="EXPLORATORY LAPAROTOMY"), "2026-12-20"
    )
    c.med(
        "bevacizumab",
        ("1657068", "bevacizumab (Avastin product)"),
        "draft",
        "2026-12-06",
        draft=True,
        dose=mg(350),
    )
    c.surgery(
        "crs",
        codeable(
            ("sct", "448031005", "Debulking of neoplasm of abdominal cavity"), text="Cytoreductive surgery"
        ),
        "2027-01-18",
        draft=True,
    )
    c.expect(
        "Epic-style problem list: Z85.038 history of colon cancer plus C78.6/SNOMED peritoneal "
        "carcinomatosis, no active colon code; PCI 14; bevacizumab (Avastin product code) 14 days before a "
        "planned laparotomy, and a CRS draft.",
        per_hook(
            cards([["HIPEC-CRC-PCI", "info"], ["PM-GENERAL", "info"]], ["PM-UNKNOWN-PRIMARY"]),
            cards([["BEV-SURG-BEFORE", "critical"], ["HIPEC-CRC-PCI", "info"]], ["PM-UNKNOWN-PRIMARY"]),
        ),
    )
    yield c

    c = Chart("colorectal", "oracle", "male", "1955-04-30")
    c.condition(
        "primary",
        codeable(
            ("icd", "C18.7", "Malignant neoplasm of sigmoid colon"),
            ("sct", "363406005", "Malignant neoplasm of colon"),
            text="Sigmoid colon cancer",
        ),
        "2025-11-20",
    )
    c.condition("pm", codeable(PM_ICD, text="Peritoneal metastases"), "2026-09-15")
    c.condition(
        "liver",
        codeable(
            ("icd", "C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct"),
            ("sct", "94381002", "Secondary malignant neoplasm of liver"),
            text="Liver metastases",
        ),
        "2026-09-15",
    )
    c.ecog(0, "2026-11-12")
    c.vitals(82.0, 180.0, "2026-11-12")
    c.creatinine("14682-9", 88.0, "umol/L", "2026-11-12")
    c.pci(12, "2026-10-20")
    c.med(
        "fluorouracil-hist",
        ("4492", "fluorouracil"),
        "completed",
        "2026-01-05",
        contained=True,
        end="2026-06-20",
    )
    c.surgery("laparotomy", LAPAROTOMY, "2026-12-21")
    c.med(
        "bevacizumab",
        ("253337", "bevacizumab"),
        "draft",
        "2026-12-07",
        draft=True,
        contained=True,
        dose=mg(400),
    )
    c.surgery(
        "crs",
        codeable(("pm", "cytoreductive-surgery", "Cytoreductive surgery (CRS)")),
        "2027-01-20",
        draft=True,
    )
    c.expect(
        "Oracle-style sigmoid colon cancer (ICD + SNOMED) with C78.6 peritoneal and C78.7/SNOMED liver "
        "metastases, PCI 12; bevacizumab (contained Medication, ingredient code) 14 days before a planned "
        "laparotomy, and a CRS draft. Liver metastases mean the CRS/HIPEC card must name distant disease and "
        "not call the patient a plain candidate.",
        per_hook(
            cards(
                [["HIPEC-CRC-PCI", "info"], ["PM-GENERAL", "info"]],
                ["PM-UNKNOWN-PRIMARY"],
                must_say={"HIPEC-CRC-PCI": ["Liver metastases"]},
            ),
            cards(
                [["BEV-SURG-BEFORE", "critical"], ["HIPEC-CRC-PCI", "warning"]],
                [],
                must_say={"HIPEC-CRC-PCI": ["Liver metastases"]},
            ),
        ),
    )
    yield c

    c = Chart("colorectal", "snomed-only", "female", "1963-09-02")
    c.condition(
        "primary", codeable(("sct", "1701000119104", "Primary adenocarcinoma of colon")), "2025-06-17"
    )
    c.condition("pm", codeable(("sct", "255121007", "Carcinomatosis of peritoneal cavity")), "2026-10-12")
    c.ecog(1, "2026-11-09")
    c.vitals(59.5, 161.0, "2026-11-09")
    c.creatinine("14682-9", 71.0, "umol/L", "2026-11-09")
    c.pci(24, "2026-10-12")
    c.surgery("laparotomy", LAPAROTOMY, "2026-12-22")
    c.med("bevacizumab", ("253337", "bevacizumab"), "draft", "2026-12-08", draft=True, dose=mg(300))
    c.expect(
        "SNOMED-native colon adenocarcinoma with carcinomatosis of the peritoneal cavity (255121007), PCI "
        "24; bevacizumab (ingredient) 14 days before a planned laparotomy.",
        per_hook(
            cards([["HIPEC-CRC-PCI", "warning"], ["PM-GENERAL", "info"]], ["PM-UNKNOWN-PRIMARY"]),
            cards([["BEV-SURG-BEFORE", "critical"]], []),
        ),
    )
    yield c


def hcc() -> Iterator[Chart]:
    c = Chart("hcc", "synthea", "male", "1957-12-01")
    c.condition(
        "primary",
        codeable(("sct", "109841003", "Liver cell carcinoma")),
        "2026-08-21T08:00:00Z",
        category=SYN,
    )
    c.condition("pm", codeable(PM_SCT), "2026-10-30T08:00:00Z", category=SYN)
    c.ecog(1, "2026-11-05T09:00:00Z")
    c.vitals(71.2, 172.0, "2026-11-05T09:00:00Z")
    c.creatinine("38483-4", 0.9, "mg/dL", "2026-11-05T09:00:00Z")
    c.afp(412.0, "ng/mL", 8.8, "2026-11-05T09:00:00Z")
    c.med(
        "sorafenib",
        ("597747", "SORAfenib (as SORAfenib tosylate) 200 MG Oral Tablet"),
        "draft",
        "2026-11-23",
        draft=True,
    )
    c.expect(
        "Synthea-style HCC (SNOMED 109841003) with SNOMED peritoneal metastasis, raised AFP with reference "
        "range, no systemic therapy; sorafenib drafted.",
        per_hook(
            cards(
                [["HCC-FIRSTLINE", "warning"], ["HIPEC-HCC", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL", "HCC-AFP-MONITOR"],
            ),
            cards([], ["HCC-GEMOX-ORDER", "HIPEC-HCC"]),
        ),
    )
    yield c

    c = Chart("hcc", "epic", "male", "1952-05-19")
    c.condition(
        "primary",
        codeable(
            ("icd", "C22.0", "Liver cell carcinoma"),
            ("sct", "109841003", "Liver cell carcinoma"),
            text="Hepatocellular carcinoma",
        ),
        "2026-03-02",
    )
    c.condition("pm", codeable(PM_ICD, PM_SCT, text="Peritoneal metastases"), "2026-06-11")
    c.ecog(1, "2026-11-16")
    c.vitals(68.0, 170.0, "2026-11-16")
    c.creatinine("2160-0", 1.0, "mg/dL", "2026-11-16")
    c.afp(96.0, "ng/mL", 8.8, "2026-06-09", flagged=True)
    c.med("gemcitabine", ("1719003", "gemcitabine 1000 MG Injection"), "draft", "2026-11-25", draft=True)
    c.med("oxaliplatin", ("575971", "oxaliplatin 5 MG/ML [Eloxatin]"), "draft", "2026-11-25", draft=True)
    c.expect(
        "Epic-style HCC (C22.0 + SNOMED) with peritoneal metastasis, last AFP more than 3 months old, no "
        "systemic therapy; GEMOX drafted without prior immunotherapy or TKI.",
        per_hook(
            cards(
                [["HCC-FIRSTLINE", "warning"], ["HIPEC-HCC", "info"], ["HCC-AFP-MONITOR", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([["HCC-GEMOX-ORDER", "info"]], []),
        ),
    )
    yield c

    c = Chart("hcc", "oracle", "male", "1949-10-08")
    c.condition(
        "primary",
        codeable(("icd", "C22.0", "Liver cell carcinoma"), text="Hepatocellular carcinoma"),
        "2026-04-14",
    )
    c.condition("pm", codeable(PM_ICD, text="Peritoneal carcinomatosis"), "2026-09-28")
    c.condition(
        "lung-mets",
        codeable(
            ("icd", "C78.01", "Secondary malignant neoplasm of right lung"),
            ("sct", "94391008", "Secondary malignant neoplasm of lung"),
            text="Pulmonary metastases",
        ),
        "2026-09-28",
    )
    c.ecog(1, "2026-11-13")
    c.vitals(74.0, 175.0, "2026-11-13")
    c.creatinine("14682-9", 92.0, "umol/L", "2026-11-13")
    c.afp(1250.0, "ng/mL", 8.8, "2026-11-13", flagged=True)
    c.surgery(
        "crs",
        codeable(
            ("sct", "448031005", "Debulking of neoplasm of abdominal cavity"),
            text="Cytoreductive surgery with HIPEC",
        ),
        "2027-01-12",
        draft=True,
    )
    c.expect(
        "Oracle-style HCC (ICD-10-CM) with C78.6 peritoneal and C78.01/SNOMED lung metastases, raised AFP, "
        "no systemic therapy; a CRS draft. The HCC CRS/HIPEC card must say the disease reaches beyond the "
        "peritoneum and name the lung metastases.",
        per_hook(
            cards(
                [["HCC-FIRSTLINE", "warning"], ["HIPEC-HCC", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL", "HCC-AFP-MONITOR"],
                must_say={"HIPEC-HCC": ["Pulmonary metastases"]},
                must_not_say={"HIPEC-HCC": NOT_PERITONEAL_LIMITED},
            ),
            cards(
                [["HIPEC-HCC", "warning"]],
                [],
                must_say={"HIPEC-HCC": ["Pulmonary metastases"]},
                must_not_say={"HIPEC-HCC": NOT_PERITONEAL_LIMITED},
            ),
        ),
    )
    yield c

    c = Chart("hcc", "snomed-only", "female", "1954-01-27")
    c.condition("primary", codeable(("sct", "109841003", "Liver cell carcinoma")), "2026-05-06")
    c.condition("pm", codeable(PM_SCT), "2026-10-19")
    c.condition(
        "lung-mets", codeable(("sct", "94391008", "Secondary malignant neoplasm of lung")), "2026-10-19"
    )
    c.ecog(0, "2026-11-17")
    c.vitals(62.0, 160.0, "2026-11-17")
    c.creatinine("14682-9", 65.0, "umol/L", "2026-11-17")
    c.afp(230.0, "ug/L", 10.0, "2026-11-17")
    c.med("gemcitabine", ("12574", "gemcitabine"), "draft", "2026-11-26", draft=True)
    c.med("oxaliplatin", ("32592", "oxaliplatin"), "draft", "2026-11-26", draft=True)
    c.expect(
        "SNOMED-native HCC with SNOMED peritoneal and lung (94391008) metastases, raised AFP (ug/L, "
        "reference range), no systemic therapy; GEMOX drafted by ingredient. The HCC CRS/HIPEC card must not "
        "call the disease peritoneal-limited.",
        per_hook(
            cards(
                [["HCC-FIRSTLINE", "warning"], ["HIPEC-HCC", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL", "HCC-AFP-MONITOR"],
                must_say={"HIPEC-HCC": ["Secondary malignant neoplasm of lung"]},
                must_not_say={"HIPEC-HCC": NOT_PERITONEAL_LIMITED},
            ),
            cards([["HCC-GEMOX-ORDER", "info"]], []),
        ),
    )
    yield c


def lung() -> Iterator[Chart]:
    c = Chart("lung", "synthea", "male", "1956-03-15")
    c.condition(
        "primary",
        codeable(("sct", "254637007", "Non-small cell lung cancer")),
        "2026-07-07T11:00:00Z",
        category=SYN,
    )
    c.condition("pm", codeable(PM_SCT), "2026-10-21T11:00:00Z", category=SYN)
    c.ecog(1, "2026-11-04T11:00:00Z")
    c.vitals(69.0, 174.0, "2026-11-04T11:00:00Z")
    c.creatinine("38483-4", 1.0, "mg/dL", "2026-11-04T11:00:00Z")
    c.med(
        "carboplatin",
        ("597195", "carboplatin 10 MG/ML Injectable Solution"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=mg(450),
    )
    c.expect(
        "Synthea-style NSCLC (SNOMED) with SNOMED peritoneal metastasis and no molecular results; "
        "carboplatin drafted.",
        per_hook(
            cards(
                [["LUNG-MOLECULAR", "warning"], ["HIPEC-LUNG", "info"], ["LUNG-PALLIATION", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([], ["LUNG-KRAS", "DOSE-CARBO-CALVERT"]),
        ),
    )
    yield c

    c = Chart("lung", "epic", "female", "1961-12-03")
    c.condition(
        "primary",
        codeable(
            ("icd", "C34.11", "Malignant neoplasm of upper lobe, right bronchus or lung"),
            ("sct", "254637007", "Non-small cell lung cancer"),
            text="Non-small cell carcinoma of right upper lobe of lung",
        ),
        "2026-05-05",
    )
    c.condition("pm", codeable(PM_ICD, PM_SCT, text="Peritoneal metastases"), "2026-09-30")
    c.ecog(1, "2026-11-06")
    c.vitals(58.0, 165.0, "2026-11-06")
    c.creatinine("2160-0", 0.7, "mg/dL", "2026-11-06")
    c.variant("kras", ("HGNC:6407", "KRAS"), "p.Gly12Ala", "2026-10-15")
    c.med(
        "gefitinib",
        ("402091", "gefitinib 250 MG Oral Tablet [Iressa]"),
        "draft",
        "2026-11-24",
        draft=True,
        text="Iressa 250 MG Oral Tablet",
    )
    c.expect(
        "Epic-style NSCLC (C34.11 + SNOMED) with peritoneal metastasis and a KRAS G12A Variant (gene "
        "HGNC:6407, which the site maps: no public source reachable here confirms it); gefitinib drafted as "
        "Iressa 250 MG Oral Tablet (RxNorm 402091).",
        per_hook(
            cards(
                [["HIPEC-LUNG", "info"], ["LUNG-PALLIATION", "info"]],
                ["LUNG-MOLECULAR", "PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([["LUNG-KRAS", "warning"]], []),
        ),
        site_codes={
            "gene-kras": [{"system": "http://www.genenames.org", "code": "HGNC:6407", "display": "KRAS"}]
        },
    )
    yield c

    c = Chart("lung", "oracle", "male", "1959-08-25")
    c.condition(
        "primary",
        codeable(
            ("icd", "C34.31", "Malignant neoplasm of lower lobe, right bronchus or lung"),
            ("sct", "254637007", "Non-small cell lung cancer"),
            text="NSCLC right lower lobe",
        ),
        "2026-02-10",
    )
    c.condition("pm", codeable(PM_ICD, text="Peritoneal metastasis"), "2026-10-01")
    c.ecog(1, "2026-11-14")
    c.vitals(80.0, 178.0, "2026-11-14")
    c.creatinine("14682-9", 84.0, "umol/L", "2026-11-14")
    c.variant("egfr", ("HGNC:3236", "EGFR"), "p.Leu858Arg", "2026-03-01")
    c.med(
        "carboplatin-hist",
        ("40048", "carboplatin"),
        "completed",
        "2026-03-10",
        contained=True,
        end="2026-06-30",
    )
    c.surgery(
        "crs",
        codeable(
            ("sct", "708729004", "Extensive debulking of neoplasm of abdominal cavity"),
            text="Cytoreductive surgery and HIPEC",
        ),
        "2027-01-05",
        draft=True,
    )
    c.expect(
        "Oracle-style NSCLC (ICD + SNOMED) with C78.6 peritoneal metastasis, EGFR L858R Variant (HGNC:3236), "
        "carboplatin given (contained Medication by ingredient); a CRS/HIPEC draft.",
        per_hook(
            cards(
                [["HIPEC-LUNG", "info"], ["LUNG-PALLIATION", "info"]],
                ["LUNG-MOLECULAR", "PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([["HIPEC-LUNG", "warning"]], ["LUNG-KRAS"]),
        ),
    )
    yield c

    c = Chart("lung", "snomed-only", "male", "1953-06-12")
    c.condition(
        "primary", codeable(("sct", "707405009", "Primary adenosquamous carcinoma of lung")), "2026-08-03"
    )
    c.condition("pm", codeable(PM_SCT), "2026-10-27")
    c.ecog(2, "2026-11-18")
    c.vitals(66.0, 171.0, "2026-11-18")
    c.creatinine("14682-9", 97.0, "umol/L", "2026-11-18")
    c.med("crizotinib", ("1148495", "crizotinib"), "draft", "2026-11-24", draft=True)
    c.expect(
        "SNOMED-native adenosquamous lung carcinoma with the peritoneum as the only metastatic site, no "
        "molecular results; crizotinib drafted by ingredient (no KRAS result).",
        per_hook(
            cards(
                [["LUNG-MOLECULAR", "warning"], ["HIPEC-LUNG", "info"], ["LUNG-PALLIATION", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([], ["LUNG-KRAS"]),
        ),
    )
    yield c


def cervical() -> Iterator[Chart]:
    c = Chart("cervical", "synthea", "female", "1968-04-09")
    c.condition(
        "primary",
        codeable(("sct", "363354003", "Malignant tumor of cervix")),
        "2023-02-13T09:00:00Z",
        status="recurrence",
        category=SYN,
    )
    c.condition("omentum", codeable(OMENTAL), "2026-10-05T09:00:00Z", category=SYN)
    c.ecog(1, "2026-11-02T09:00:00Z")
    c.vitals(70.0, 165.0, "2026-11-02T09:00:00Z")
    c.creatinine("38483-4", 0.9, "mg/dL", "2026-11-02T09:00:00Z")
    c.med(
        "carboplatin",
        ("597195", "carboplatin 10 MG/ML Injectable Solution"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=mg(800),
        period_weeks=3,
    )
    c.expect(
        "Synthea-style recurrent cervical cancer (SNOMED, clinicalStatus recurrence) with omental metastasis "
        "(94626004) as the only site, ECOG 1, creatinine as Synthea's 38483-4; carboplatin 800 mg drafted "
        "(Calvert AUC 5 from the chart is about 474 mg).",
        per_hook(
            cards(
                [["CERV-FIRSTLINE", "info"], ["CERV-OMENTAL-RESECTION", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([["DOSE-CARBO-CALVERT", "warning"], ["CERV-PLATINUM", "info"]], ["CERV-BEV-ECOG"]),
        ),
    )
    yield c

    c = Chart("cervical", "epic", "female", "1971-10-30")
    c.condition(
        "primary",
        codeable(
            ("icd", "C53.9", "Malignant neoplasm of cervix uteri, unspecified"),
            ("sct", "363354003", "Malignant tumor of cervix"),
            text="Cervical cancer",
        ),
        "2024-01-22",
        status="recurrence",
    )
    c.condition("omentum", codeable(PM_ICD, OMENTAL, text="Omental metastasis"), "2026-10-14")
    c.ecog(2, "2026-11-11")
    c.vitals(61.0, 158.0, "2026-11-11")
    c.creatinine("2160-0", 0.8, "mg/dL", "2026-11-11")
    c.med(
        "cisplatin-hist",
        ("309311", "cisplatin 1 MG/ML Injectable Solution"),
        "completed",
        "2024-02-19",
        end="2024-03-29",
        text="cisplatin 40 mg/m2 weekly with radiotherapy",
    )
    c.med(
        "bevacizumab",
        ("1657073", "bevacizumab (Avastin product)"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=mg(915),
        period_weeks=3,
    )
    c.med(
        "carboplatin",
        ("597195", "carboplatin 10 MG/ML Injectable Solution"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=mg(420),
        period_weeks=3,
    )
    c.expect(
        "Epic-style recurrent cervical cancer (C53.9 + SNOMED, clinicalStatus recurrence) with omental "
        "metastasis coded C78.6 + SNOMED 94626004, cisplatin given with chemoradiation in 2024, ECOG 2; "
        "bevacizumab (15 mg/kg) and carboplatin drafted.",
        per_hook(
            cards(
                [["CERV-FIRSTLINE", "info"]],
                ["CERV-OMENTAL-RESECTION", "PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([["CERV-BEV-ECOG", "warning"]], ["CERV-PLATINUM", "DOSE-BEV"]),
        ),
    )
    yield c

    c = Chart("cervical", "oracle", "female", "1966-01-14")
    c.condition(
        "primary",
        codeable(("icd", "C53.0", "Malignant neoplasm of endocervix"), text="Carcinoma of endocervix"),
        "2023-06-05",
        status="recurrence",
    )
    c.condition("omentum", codeable(OMENTAL, PM_ICD, text="Omental metastasis"), "2026-10-09")
    c.condition(
        "bone",
        codeable(
            ("icd", "C79.51", "Secondary malignant neoplasm of bone"),
            ("sct", "94222008", "Secondary malignant neoplasm of bone"),
            text="Bone metastases",
        ),
        "2026-10-09",
    )
    c.ecog(1, "2026-11-15")
    c.vitals(72.0, 167.0, "2026-11-15")
    c.creatinine("14682-9", 80.0, "umol/L", "2026-11-15")
    c.med(
        "carboplatin",
        ("40048", "carboplatin"),
        "draft",
        "2026-11-24",
        draft=True,
        contained=True,
        dose=mg(800),
        period_weeks=3,
    )
    c.expect(
        "Oracle-style recurrent cervical cancer (C53.0, clinicalStatus recurrence) with omental (94626004 + "
        "C78.6) and bone (C79.51 + SNOMED) metastases, creatinine in umol/L (14682-9); carboplatin 800 mg "
        "drafted as a contained Medication by ingredient.",
        per_hook(
            cards(
                [["CERV-FIRSTLINE", "info"]],
                ["CERV-OMENTAL-RESECTION", "PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([["DOSE-CARBO-CALVERT", "warning"], ["CERV-PLATINUM", "info"]], ["CERV-BEV-ECOG"]),
        ),
    )
    yield c

    c = Chart("cervical", "snomed-only", "female", "1970-08-21")
    c.condition(
        "primary",
        codeable(("sct", "314970000", "Local recurrence of malignant tumor of cervix")),
        "2026-09-01",
    )
    c.condition("omentum", codeable(OMENTAL), "2026-09-01")
    c.ecog(0, "2026-11-19")
    c.vitals(65.0, 162.0, "2026-11-19")
    c.creatinine("14682-9", 70.0, "umol/L", "2026-11-19")
    c.med(
        "cisplatin",
        ("2555", "cisplatin"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=quantity(50, "mg/m2"),
        period_weeks=3,
    )
    c.med(
        "paclitaxel",
        ("56946", "paclitaxel"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=quantity(135, "mg/m2"),
        period_weeks=3,
        text="paclitaxel 135 mg/m2 IV over 24 hours",
    )
    c.med(
        "bevacizumab",
        ("253337", "bevacizumab"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=quantity(15, "mg/kg"),
        period_weeks=3,
    )
    c.expect(
        "SNOMED-native local recurrence of cervical cancer (314970000) with omental metastasis as the only "
        "site, ECOG 0; paclitaxel-cisplatin-bevacizumab drafted by ingredient at the guideline doses "
        "(nothing to correct).",
        per_hook(
            cards(
                [["CERV-FIRSTLINE", "info"], ["CERV-OMENTAL-RESECTION", "info"]],
                ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"],
            ),
            cards([], ["CERV-BEV-ECOG", "CERV-PLATINUM", "DOSE-CISPLATIN", "DOSE-BEV"]),
        ),
    )
    yield c


def ovarian() -> Iterator[Chart]:
    c = Chart("ovarian", "synthea", "female", "1959-05-03")
    c.condition(
        "primary",
        codeable(("sct", "363443007", "Malignant tumor of ovary")),
        "2026-08-12T10:00:00Z",
        category=SYN,
    )
    c.condition("pm", codeable(PM_SCT), "2026-08-12T10:00:00Z", category=SYN)
    c.ecog(1, "2026-11-06T10:00:00Z")
    c.vitals(67.0, 164.0, "2026-11-06T10:00:00Z")
    c.creatinine("38483-4", 0.8, "mg/dL", "2026-11-06T10:00:00Z")
    c.med(
        "carboplatin",
        ("597195", "carboplatin 10 MG/ML Injectable Solution"),
        "draft",
        "2026-11-24",
        draft=True,
        dose=mg(500),
    )
    c.expect(
        "Synthea-style ovarian cancer (SNOMED) with SNOMED peritoneal metastasis; carboplatin drafted.",
        per_hook(
            cards([["OV-DOUBLET", "info"]], ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"]),
            cards([], ["CERV-PLATINUM"]),
        ),
    )
    yield c

    c = Chart("ovarian", "epic", "female", "1957-11-29")
    c.condition(
        "history",
        codeable(
            ("icd", "Z85.43", "Personal history of malignant neoplasm of ovary"),
            text="History of ovarian cancer",
        ),
        "2021-05-10",
        status="resolved",
    )
    c.condition("pm", codeable(PM_ICD, PM_SCT, text="Peritoneal carcinomatosis"), "2026-10-22")
    c.ecog(1, "2026-11-12")
    c.vitals(63.0, 160.0, "2026-11-12")
    c.creatinine("2160-0", 0.9, "mg/dL", "2026-11-12")
    c.med(
        "carboplatin",
        ("597195", "carboplatin 10 MG/ML Injectable Solution"),
        "draft",
        "2026-11-25",
        draft=True,
        dose=mg(480),
    )
    c.expect(
        "Epic-style problem list: Z85.43 history of ovarian cancer and C78.6/SNOMED peritoneal "
        "carcinomatosis, no active ovary code; carboplatin drafted.",
        per_hook(
            cards([["OV-DOUBLET", "info"]], ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"]),
            cards([], ["CERV-PLATINUM"]),
        ),
    )
    yield c

    c = Chart("ovarian", "oracle", "female", "1962-02-17")
    c.condition(
        "primary",
        codeable(
            ("icd", "C56.1", "Malignant neoplasm of right ovary"),
            ("sct", "363443007", "Malignant tumor of ovary"),
            text="Ovarian carcinoma, right",
        ),
        "2026-07-20",
    )
    c.condition("pm", codeable(PM_ICD, text="Peritoneal metastases"), "2026-07-20")
    c.ecog(0, "2026-11-10")
    c.vitals(70.0, 168.0, "2026-11-10")
    c.creatinine("14682-9", 75.0, "umol/L", "2026-11-10")
    c.med(
        "carboplatin-hist",
        ("40048", "carboplatin"),
        "completed",
        "2026-08-03",
        contained=True,
        end="2026-10-26",
    )
    c.med(
        "paclitaxel-hist",
        ("56946", "paclitaxel"),
        "completed",
        "2026-08-03",
        contained=True,
        end="2026-10-26",
    )
    c.surgery(
        "debulking",
        codeable(("sct", "446526009", "Debulking of neoplasm of ovary"), text="Interval debulking surgery"),
        "2026-12-15",
    )
    c.med(
        "bevacizumab",
        ("253337", "bevacizumab"),
        "draft",
        "2026-12-01",
        draft=True,
        contained=True,
        dose=mg(1050),
    )
    c.expect(
        "Oracle-style ovarian cancer (C56.1 + SNOMED) with C78.6 peritoneal metastasis after neoadjuvant "
        "carboplatin/paclitaxel (contained Medications); interval debulking planned 2026-12-15 and "
        "bevacizumab drafted 14 days before.",
        per_hook(
            cards([["OV-DOUBLET", "info"]], ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"]),
            cards([["BEV-SURG-BEFORE", "critical"]], []),
        ),
    )
    yield c

    c = Chart("ovarian", "snomed-only", "female", "1964-06-06")
    c.condition(
        "primary",
        codeable(("sct", "722685004", "Primary high grade serous adenocarcinoma of ovary")),
        "2026-09-14",
    )
    c.condition("pm", codeable(PM_SCT), "2026-09-14")
    c.ecog(1, "2026-11-20")
    c.vitals(58.0, 159.0, "2026-11-20")
    c.creatinine("14682-9", 62.0, "umol/L", "2026-11-20")
    c.med("carboplatin", ("40048", "carboplatin"), "draft", "2026-11-26", draft=True, dose=mg(450))
    c.med(
        "paclitaxel",
        ("56946", "paclitaxel"),
        "draft",
        "2026-11-26",
        draft=True,
        dose=mg(280),
        text="paclitaxel 175 mg/m2 IV over 3 hours",
    )
    c.expect(
        "SNOMED-native high-grade serous ovarian carcinoma (722685004) with SNOMED peritoneal metastasis; "
        "carboplatin and paclitaxel drafted by ingredient.",
        per_hook(
            cards([["OV-DOUBLET", "info"]], ["PM-UNKNOWN-PRIMARY", "PM-GENERAL"]),
            cards([], ["CERV-PLATINUM", "DOSE-PACLITAXEL"]),
        ),
    )
    yield c


def breast() -> Iterator[Chart]:
    c = Chart("breast", "synthea", "female", "1965-03-28")
    c.condition(
        "primary",
        codeable(("sct", "254837009", "Malignant neoplasm of breast")),
        "2024-10-01T09:00:00Z",
        category=SYN,
    )
    c.condition("pm", codeable(PM_SCT), "2026-10-16T09:00:00Z", category=SYN)
    c.condition(
        "bone",
        codeable(("sct", "94222008", "Secondary malignant neoplasm of bone")),
        "2026-10-16T09:00:00Z",
        category=SYN,
    )
    c.ecog(1, "2026-11-04T09:00:00Z")
    c.vitals(66.0, 163.0, "2026-11-04T09:00:00Z")
    c.creatinine("38483-4", 0.8, "mg/dL", "2026-11-04T09:00:00Z")
    c.med(
        "doxorubicin",
        ("1790099", "10 ML doxorubicin hydrochloride 2 MG/ML Injection"),
        "draft",
        "2026-11-24",
        draft=True,
    )
    c.expect(
        "Synthea-style breast cancer (SNOMED) with SNOMED peritoneal and bone (94222008) metastases: two "
        "sites, so not oligometastatic; doxorubicin drafted.",
        per_hook(
            cards([["PM-GENERAL", "info"]], ["BR-OLIGO", "PM-UNKNOWN-PRIMARY"]),
            cards([], ["DOSE-PACLITAXEL"]),
        ),
    )
    yield c

    c = Chart("breast", "epic", "female", "1969-09-09")
    c.condition(
        "primary",
        codeable(
            ("icd", "C50.911", "Malignant neoplasm of unspecified site of right female breast"),
            ("sct", "254837009", "Malignant neoplasm of breast"),
            text="Right breast cancer",
        ),
        "2025-04-18",
    )
    c.condition("pm", codeable(PM_ICD, PM_SCT, text="Peritoneal metastasis"), "2026-10-23")
    c.ecog(0, "2026-11-17")
    c.vitals(60.0, 166.0, "2026-11-17")
    c.creatinine("2160-0", 0.7, "mg/dL", "2026-11-17")
    c.med(
        "doxorubicin",
        ("1790099", "10 ML doxorubicin hydrochloride 2 MG/ML Injection"),
        "draft",
        "2026-11-24",
        draft=True,
    )
    c.expect(
        "Epic-style right breast cancer (C50.911 + SNOMED) with peritoneal metastasis as the single "
        "metastatic site; doxorubicin drafted.",
        per_hook(
            cards([["BR-OLIGO", "info"]], ["PM-GENERAL", "PM-UNKNOWN-PRIMARY"]),
            cards([], ["DOSE-PACLITAXEL"]),
        ),
    )
    yield c

    c = Chart("breast", "oracle", "female", "1958-12-12")
    c.condition(
        "primary",
        codeable(
            ("icd", "C50.412", "Malignant neoplasm of upper-outer quadrant of left female breast"),
            text="Left breast carcinoma, upper outer quadrant",
        ),
        "2023-11-06",
    )
    c.condition("pm", codeable(PM_ICD, text="Peritoneal metastases"), "2026-10-06")
    c.condition(
        "bone",
        codeable(("icd", "C79.51", "Secondary malignant neoplasm of bone"), text="Bone metastases"),
        "2026-08-24",
    )
    c.ecog(1, "2026-11-12")
    c.vitals(77.0, 169.0, "2026-11-12")
    c.creatinine("14682-9", 68.0, "umol/L", "2026-11-12")
    c.med(
        "paclitaxel",
        ("56946", "paclitaxel"),
        "draft",
        "2026-11-24",
        draft=True,
        contained=True,
        dose=mg(150),
        text="paclitaxel 80 mg/m2 IV weekly",
    )
    c.expect(
        "Oracle-style left breast cancer (C50.412) with C78.6 peritoneal and C79.51 bone metastases: two "
        "sites, so not oligometastatic; weekly paclitaxel drafted (contained Medication by ingredient), "
        "outside cervical dosing.",
        per_hook(
            cards([["PM-GENERAL", "info"]], ["BR-OLIGO", "PM-UNKNOWN-PRIMARY"]),
            cards([], ["DOSE-PACLITAXEL"]),
        ),
    )
    yield c

    c = Chart("breast", "snomed-only", "female", "1972-07-04")
    c.condition("primary", codeable(("sct", "254837009", "Malignant neoplasm of breast")), "2025-02-03")
    c.condition("omentum", codeable(OMENTAL), "2026-10-29")
    c.ecog(0, "2026-11-19")
    c.vitals(62.0, 165.0, "2026-11-19")
    c.creatinine("14682-9", 60.0, "umol/L", "2026-11-19")
    c.med("capecitabine", ("194000", "capecitabine"), "draft", "2026-11-24", draft=True)
    c.expect(
        "SNOMED-native breast cancer with an omental metastasis (94626004) as the single metastatic site; "
        "capecitabine drafted by ingredient.",
        per_hook(
            cards([["BR-OLIGO", "info"]], ["PM-GENERAL", "PM-UNKNOWN-PRIMARY"]),
            cards([], ["DOSE-PACLITAXEL"]),
        ),
    )
    yield c


PRIMARIES: tuple[Callable[[], Iterator[Chart]], ...] = (colorectal, hcc, lung, cervical, ovarian, breast)


def charts() -> list[Chart]:
    return [chart for primary in PRIMARIES for chart in primary()]


def write_charts(folder: Path = CHARTS_DIR) -> list[Path]:
    """Write every chart under `folder`: fixtures/charts by default, elsewhere for the test that checks the
    fixtures are what these definitions write."""
    return [path for chart in charts() for path in chart.write(folder)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.chart_definitions", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=CHARTS_DIR, help="default: fixtures/charts")
    folder: Path = parser.parse_args(argv).folder
    written = write_charts(folder)
    print(f"{len(written)} files written under {folder}")


if __name__ == "__main__":
    main()
