"""What the liver-and-lung source says about lung cancer with peritoneal metastasis: its prognosis, systemic
chemotherapy first, molecular testing and KRAS, palliative goals (catalog §3).

The source gives no evidence grades (its bracketed numbers are references), hence no `grade` here.
"""

from __future__ import annotations

from cds_service.engine.statements import Param, Statement
from hooks.bibliography import HCC_LUNG_PM

_PROGNOSIS = "Clinical context and prognosis"
_TREATMENT = "Treatment approach"

LUNG_PM_CONTEXT = Statement(
    HCC_LUNG_PM,
    _PROGNOSIS,
    (22, 22),
    "Peritoneal spread of lung cancer is uncommon and usually marks aggressive disease with several metastatic "
    "sites, although isolated peritoneal involvement occurs.",
)
LUNG_ISOLATED_PM_SURVIVAL = Statement(
    HCC_LUNG_PM,
    _PROGNOSIS,
    (23, 23),
    "In lung adenosquamous carcinoma with the peritoneum as the only metastatic site, prognosis is extremely "
    "poor with rapid progression (median survival under {median_survival}).",
    {"median_survival": Param(2, "months")},
)
LUNG_SYSTEMIC_CHEMOTHERAPY = Statement(
    HCC_LUNG_PM,
    _TREATMENT,
    (25, 25),
    "For lung cancer with peritoneal involvement, systemic chemotherapy is the main treatment.",
)
LUNG_PALLIATIVE_IP_CHEMOTHERAPY = Statement(
    HCC_LUNG_PM,
    _TREATMENT,
    (26, 26),
    "For symptomatic ascites, palliative intraperitoneal chemotherapy may be considered, with limited survival "
    "benefit.",
)
LUNG_MOLECULAR_TESTING = Statement(
    HCC_LUNG_PM,
    _TREATMENT,
    (27, 27),
    "Molecular testing of EGFR, ALK, ROS1 and KRAS should guide the choice of systemic therapy, but KRAS "
    "mutations such as G12A predict a poor response to targeted therapies.",
)
LUNG_PALLIATIVE_GOALS = Statement(
    HCC_LUNG_PM,
    "Common pitfalls to avoid",
    (37, 37),
    "Even peritoneal involvement alone reflects aggressive biology with very limited survival, and treatment "
    "goals centre on palliation rather than cure.",
)
