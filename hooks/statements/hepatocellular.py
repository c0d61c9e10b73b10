"""What the liver-and-lung source says about hepatocellular carcinoma with peritoneal metastasis: systemic
therapy first, the frontline options, AFP monitoring and the steps after progression (catalog §3).

The source gives no evidence grades (its bracketed numbers are references), hence no `grade` here.
"""

from __future__ import annotations

from cds_service.engine.statements import Param, Statement
from hooks.bibliography import HCC_LUNG_PM

_INITIAL = "Initial systemic therapy approach"
_ALGORITHM = "Treatment algorithm for HCC with peritoneal metastases"

HCC_SYSTEMIC_STANDARD = Statement(
    HCC_LUNG_PM,
    "Introduction",
    (2, 2),
    "In HCC with peritoneal metastases the standard approach is systemic therapy, sorafenib or "
    "atezolizumab plus bevacizumab.",
    caveats=(
        "CRS with HIPEC is kept for a few carefully selected patients in specialised centres, and only once "
        "systemic therapy has worked.",
    ),
)
HCC_SORAFENIB_FIRST_LINE = Statement(
    HCC_LUNG_PM,
    _INITIAL,
    (6, 6),
    "Sorafenib, a multikinase inhibitor, prolongs median overall survival by about {survival_gain} in "
    "advanced HCC.",
    {"survival_gain": Param(3, "months")},
)
HCC_ATEZOLIZUMAB_BEVACIZUMAB_FRONTLINE = Statement(
    HCC_LUNG_PM,
    _INITIAL,
    (7, 7),
    "Atezolizumab/bevacizumab is now the standard frontline option in advanced HCC.",
)
HCC_GEMOX_SALVAGE = Statement(
    HCC_LUNG_PM,
    _INITIAL,
    (8, 8),
    "Gemcitabine with oxaliplatin (GEMOX) is a salvage option once the disease has progressed on "
    "immunotherapy and tyrosine kinase inhibitors.",
)
HCC_ALGORITHM_FRONTLINE = Statement(
    HCC_LUNG_PM,
    _ALGORITHM,
    (14, 14),
    "The algorithm opens with frontline systemic therapy, atezolizumab/bevacizumab or sorafenib.",
)
HCC_AFP_MONITORING = Statement(
    HCC_LUNG_PM,
    _ALGORITHM,
    (15, 15),
    "AFP and imaging are repeated every {shortest_interval} to {longest_interval}.",
    {"shortest_interval": Param(2, "months"), "longest_interval": Param(3, "months")},
)
"""Rules read the outer end of the interval, in calendar months as the source counts them (not a fixed number
of days)."""
HCC_AFTER_PROGRESSION = Statement(
    HCC_LUNG_PM,
    _ALGORITHM,
    (16, 17),
    "On progression, change to lenvatinib or regorafenib; on further progression, GEMOX chemotherapy may be "
    "considered.",
)
NO_DELAY_FOR_SURGERY = Statement(
    HCC_LUNG_PM,
    "Common pitfalls to avoid",
    (36, 36),
    "Systemic therapy is not to wait for a surgical consultation: it is the cornerstone of treatment in both "
    "HCC and lung cancer with peritoneal involvement.",
)
