"""What the source on recurrent cervical cancer with omental metastases says about first- and second-line
systemic therapy, the regimens' doses, the choice of platinum, performance status and resection."""

from __future__ import annotations

from cds_service.engine.statements import Param, Statement
from hooks.bibliography import CERVICAL_OMENTAL

FIRST_LINE = "First-line systemic therapy"

PREFERRED_REGIMEN = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (20, 26),
    "In recurrent cervical cancer with omental metastases, first-line systemic therapy is preferably "
    "paclitaxel-cisplatin-bevacizumab.",
    grade="Category I, A evidence",
)

CISPLATIN_DOSE = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (28, 28),
    "In the preferred regimen, cisplatin is given at {dose} on day {day}.",
    {"dose": Param(50, "mg/m²"), "day": Param(2)},
)

PACLITAXEL_WITH_CISPLATIN = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (29, 29),
    "With cisplatin, paclitaxel is given at {dose} over {infusion} on day {day}.",
    {"dose": Param(135, "mg/m²"), "infusion": Param(24, "hours"), "day": Param(1)},
)

BEVACIZUMAB_DOSE = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (30, 37),
    "In both bevacizumab regimens (with cisplatin, and with carboplatin), bevacizumab is given at {dose} "
    "every {interval}.",
    {"dose": Param(15, "mg/kg"), "interval": Param(3, "weeks")},
)
"""The source states the same dose in each regimen (its first and its last line here)."""

PREFERRED_REGIMEN_SURVIVAL = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (31, 31),
    "Adding bevacizumab improved overall survival over chemotherapy alone ({with_bevacizumab} vs "
    "{chemotherapy_alone}).",
    {"with_bevacizumab": Param(16.8, "months"), "chemotherapy_alone": Param(13.3, "months")},
)

ALTERNATIVE_REGIMEN = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (32, 34),
    "For patients who cannot tolerate cisplatin, carboplatin-paclitaxel-bevacizumab is the alternative.",
    grade="Category 2B",
)

CARBOPLATIN_AUC = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (35, 35),
    "In the carboplatin-paclitaxel-bevacizumab regimen (for patients who cannot tolerate cisplatin), "
    "carboplatin is dosed to a target AUC of {auc} on day {day}.",
    {"auc": Param(5, "mg/mL·min"), "day": Param(1)},
)

PACLITAXEL_WITH_CARBOPLATIN = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (36, 36),
    "With carboplatin, paclitaxel is given at {dose} over {infusion} on day {day}.",
    {"dose": Param(175, "mg/m²"), "infusion": Param(3, "hours"), "day": Param(1)},
)

OTHER_REGIMENS = Statement(
    CERVICAL_OMENTAL,
    FIRST_LINE,
    (39, 43),
    "Other recommended regimens: cisplatin-paclitaxel or carboplatin-paclitaxel without bevacizumab, and "
    "cisplatin or carboplatin alone.",
)

CISPLATIN_NAIVE = Statement(
    CERVICAL_OMENTAL,
    "Treatment selection: prior platinum exposure",
    (49, 49),
    "In patients never given cisplatin, regimens built on cisplatin do better (median overall survival "
    "{cisplatin_based} vs {other}).",
    {"cisplatin_based": Param(23.2, "months"), "other": Param(13.0, "months")},
)

PLATINUM_PRETREATED = Statement(
    CERVICAL_OMENTAL,
    "Treatment selection: prior platinum exposure",
    (50, 50),
    "After earlier platinum treatment, regimens built on carboplatin are non-inferior to cisplatin "
    "(hazard ratio {hazard_ratio}).",
    {"hazard_ratio": Param(0.994)},
)

PERFORMANCE_STATUS = Statement(
    CERVICAL_OMENTAL,
    "Treatment selection: performance status",
    (51, 54),
    "A bevacizumab-containing combination is preferred when performance status is good (ECOG "
    "{good_from}-{good_to}); when it is poor, single-agent therapy or modified doses are to be considered.",
    {"good_from": Param(0), "good_to": Param(1)},
    caveats=("The source does not say which ECOG scores count as poor performance status.",),
)

OMENTAL_RESECTION = Statement(
    CERVICAL_OMENTAL,
    "Surgical considerations",
    (63, 73),
    "When omental metastasis is isolated, resecting it may be considered in highly selected cases; "
    "resection and then systemic therapy can be considered for select isolated recurrences, and case reports "
    "suggest long-term complete remission is possible after resection and adjuvant chemotherapy. Factors in "
    "favour of surgery: a single metastatic site, good performance status, a long disease-free interval, and "
    "disease that is technically resectable.",
    caveats=("The evidence for long-term remission after resection is case reports.",),
)

SECOND_LINE = Statement(
    CERVICAL_OMENTAL,
    "Second-line therapy",
    (75, 84),
    "When the disease progresses after first-line therapy, the second-line options include paclitaxel (single "
    "agent); topotecan; gemcitabine; cisplatin-gemcitabine (category 2B); cemiplimab (after progression on "
    "prior therapy); pembrolizumab (for recurrent or metastatic disease with progression).",
)

FOLLOW_UP = "Monitoring and follow-up"

FOLLOW_UP_EXAMINATION = Statement(
    CERVICAL_OMENTAL,
    FOLLOW_UP,
    (88, 88),
    "A clinical examination every {interval} during the first {period}.",
    {"interval": Param(3, "months"), "period": Param(2, "years")},
)

FOLLOW_UP_IMAGING = Statement(
    CERVICAL_OMENTAL,
    FOLLOW_UP,
    (89, 89),
    "Imaging (CT of the chest, abdomen and pelvis) every {shortest_interval} to {longest_interval}, to assess "
    "how the disease responds.",
    {"shortest_interval": Param(2, "months"), "longest_interval": Param(3, "months")},
)
"""CERV-FOLLOWUP reads the outer end of the interval, in calendar months as the source counts them."""

FOLLOW_UP_TOXICITY = Statement(
    CERVICAL_OMENTAL,
    FOLLOW_UP,
    (90, 90),
    "Treatment-related toxicities are checked at each visit.",
)
