"""What the carcinomatosis overview says about peritoneal metastasis in general, and about the ovarian and
breast pathways (catalog §3): goals of care, what management weighs, the carboplatin/paclitaxel doublet and
bevacizumab in ovarian cancer, oligometastatic breast cancer.

The source gives no evidence grades (its trailing numbers are references), hence no `grade` here.
"""

from __future__ import annotations

from cds_service.engine.statements import Param, Statement
from hooks.bibliography import CARCINOMATOSIS_OVERVIEW

_GUIDELINES = "From the Guidelines"
_CONSIDERATIONS = "Key considerations in managing carcinomatosis"
_OPTIONS = "Carcinomatosis treatment options"
_BEVACIZUMAB = "Role of bevacizumab in treatment"

CARE_GOALS = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _GUIDELINES,
    (13, 13),
    "The outlook of carcinomatosis is generally poor; care aims to extend survival and improve quality of "
    "life, and the main options are systemic chemotherapy, targeted therapy and immunotherapy.",
)
"""The document's opening sentence, said again in its closing paragraph. Its "rather than cure" is left out:
colorectal charts keep the PM-GENERAL card next to a CRS/HIPEC card, and the colorectal review treats selected
colorectal PM with radical intent."""
PRIMARY_CANCER_TYPE = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _CONSIDERATIONS,
    (15, 17),
    "The type of primary cancer, and how well it may respond to treatment, is a key consideration in the care "
    "of carcinomatosis.",
)
SPREAD_FITNESS_AND_OPTIONS = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _CONSIDERATIONS,
    (18, 20),
    "Management also weighs how far the cancer has spread and how many organs are involved, the patient's "
    "general health and tolerance of aggressive treatment, and the benefit and risk of each option, "
    "cytoreductive surgery with HIPEC among them.",
)
OVARIAN_CARBOPLATIN_PACLITAXEL = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _OPTIONS,
    (33, 33),
    "For the initial treatment of ovarian cancer, carboplatin with paclitaxel is an effective doublet, "
    "carboplatin being dosed by the Calvert formula, with outcomes non-inferior to the earlier "
    "cisplatin/paclitaxel regimen.",
    caveats=("The source names the Calvert formula but does not state it.",),
)
"""It names the Calvert formula without stating it or a target AUC for ovarian cancer."""
OVARIAN_DOSE_DENSE_PACLITAXEL = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _OPTIONS,
    (34, 34),
    "Dose-dense paclitaxel given weekly with carboplatin every {carboplatin_interval} improved "
    "progression-free and overall survival in advanced ovarian cancer, with more side effects.",
    {"carboplatin_interval": Param(3, "weeks")},
)
OVARIAN_BEVACIZUMAB_RECURRENCE = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _BEVACIZUMAB,
    (38, 38),
    "Bevacizumab added to standard chemotherapy, then continued as maintenance until progression, improved "
    "overall survival in platinum-sensitive recurrent ovarian cancer.",
)
OVARIAN_BEVACIZUMAB_FIRST_LINE = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _BEVACIZUMAB,
    (39, 39),
    "First line, bevacizumab with carboplatin and paclitaxel was effective in advanced ovarian cancer, where "
    "performance status, stage and residual disease after primary surgery predicted progression-free and "
    "overall survival.",
)
BREAST_OLIGOMETASTATIC_SUBSET = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _GUIDELINES,
    (13, 13),
    "Metastatic breast cancer ranges from a solitary lesion to diffuse disease of several "
    "organs; patients with oligometastatic disease are a distinct subset who may benefit from a more "
    "aggressive approach.",
    {"solitary": Param(1, "metastatic site")},
)
"""BR-OLIGO's trigger is a solitary metastatic site, the narrowest reading of oligometastatic disease."""
BREAST_TASK_FORCE = Statement(
    CARCINOMATOSIS_OVERVIEW,
    _GUIDELINES,
    (22, 22),
    "The ESO-MBC Task Force recommends that an aggressive, multidisciplinary approach be considered in "
    "oligometastatic disease, possibly combining surgery, radiotherapy and regional chemotherapy.",
    caveats=(
        "Such strategies have not been tested in prospective randomised trials, and their value is not well "
        "recognised.",
    ),
)
