"""What the sources say about bevacizumab around surgery and about its adverse events."""

from __future__ import annotations

from cds_service.engine.statements import Param, Statement
from hooks.bibliography import CERVICAL_OMENTAL, CRC_PM_REVIEW

BEVACIZUMAB_SURGICAL_HOLD = Statement(
    CERVICAL_OMENTAL,
    "Toxicity management",
    (61, 61),
    "Withhold bevacizumab for at least {days} before elective surgery and for {days} after major surgery.",
    {"days": Param(28, "days")},
)

VEGF_INHIBITOR_COMPLICATIONS = Statement(
    CRC_PM_REVIEW,
    "Neoadjuvant chemotherapy before cytoreductive surgery and hyperthermic intraperitoneal chemotherapy",
    (438, 440),
    "In colorectal peritoneal metastasis treated with CRS plus HIPEC, perioperative systemic chemotherapy can "
    "have toxic effects: it may increase postoperative complications, especially when VEGF inhibitors are added.",
    caveats=(
        "The review adds that there is no consensus on perioperative systemic therapy for colorectal "
        "peritoneal metastasis treated with CRS plus HIPEC, and that earlier systematic reviews found no "
        "high-level evidence to guide it.",
    ),
)

BEVACIZUMAB_HYPERTENSION = Statement(
    CERVICAL_OMENTAL,
    "Toxicity management",
    (57, 58),
    "Hypertension is a bevacizumab-specific adverse event to monitor "
    "(grade {toxicity_grade}: {with_bev} vs {without_bev}).",
    {
        "toxicity_grade": Param(2),
        "with_bev": Param(25, "%"),
        "without_bev": Param(1.8, "%"),
        "systolic": Param(140, "mm Hg"),
        "diastolic": Param(90, "mm Hg"),
    },
    caveats=(
        "The source gives incidences, not a blood-pressure threshold: the systolic and diastolic values are "
        "the service's definition of the hypertension range (the guideline catalog's), not the source's.",
    ),
)

BEVACIZUMAB_VTE = Statement(
    CERVICAL_OMENTAL,
    "Toxicity management",
    (57, 59),
    "Venous thromboembolic events are a bevacizumab-specific adverse event to monitor "
    "(grade {toxicity_grade}: {with_bev} vs {without_bev}).",
    {"toxicity_grade": Param(3), "with_bev": Param(8.2, "%"), "without_bev": Param(1.8, "%")},
)

BEVACIZUMAB_FISTULA = Statement(
    CERVICAL_OMENTAL,
    "Toxicity management",
    (57, 60),
    "Fistula formation is a bevacizumab-specific adverse event to monitor "
    "(grade {toxicity_grade}: {with_bev} vs {without_bev}).",
    {"toxicity_grade": Param(2), "with_bev": Param(8.6, "%"), "without_bev": Param(1, "%")},
)
