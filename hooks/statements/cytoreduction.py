"""What the sources say about cytoreductive surgery (CRS), HIPEC and PIPAC: who may be a candidate, how the
peritoneal cancer index and the completeness of cytoreduction decide, and what the trials showed (catalog §2).

The liver-and-lung source says why CRS/HIPEC is not standard outside colorectal disease; the colorectal review
gives the surgical scores and the trials. Neither gives evidence grades (their bracketed numbers are
references), hence no `grade` here.
"""

from __future__ import annotations

from cds_service.engine.statements import Param, Statement
from hooks.bibliography import CRC_PM_REVIEW, HCC_LUNG_PM

_HCC_ROLE = "Role of cytoreductive surgery and HIPEC"
_HCC_ALGORITHM = "Treatment algorithm for HCC with peritoneal metastases"
_NOT_STANDARD = "Why CRS/HIPEC is not standard for HCC or lung cancer"
_PITFALLS = "Common pitfalls to avoid"
_BIOLOGY = "Biology of peritoneal metastasis"
_DIAGNOSIS = "Diagnosis of peritoneal metastasis"
_CRS_HIPEC_TRIALS = "Colorectal cancer with hyperthermic intraperitoneal chemotherapy"
_PIPAC = "Pressurized intraperitoneal aerosol chemotherapy"
_PREVENTION = "Prevention or early detection of colorectal peritoneal metastasis"
_PROCEDURE = "Procedure of cytoreductive surgery and HIPEC"

# --- Hepatocellular carcinoma and lung cancer (HCC-LUNG-PM) --------------------------------------------------

HCC_CRS_HIPEC_SELECTION = Statement(
    HCC_LUNG_PM,
    _HCC_ROLE,
    (10, 12),
    "For HCC, CRS with HIPEC is considered only for highly selected patients whose disease is confined to the "
    "peritoneum and who respond profoundly to systemic therapy (AFP back to normal and a response on imaging), "
    "after extensive multidisciplinary discussion, in a centre expert in both HCC and peritoneal surface "
    "malignancy; removal of all visible tumour is mandatory for any benefit.",
)
HCC_PROFOUND_RESPONSE_MDT = Statement(
    HCC_LUNG_PM,
    _HCC_ALGORITHM,
    (18, 18),
    "After a profound response to systemic therapy (AFP back to normal and a response on imaging), the "
    "algorithm's next step is a multidisciplinary evaluation for potential CRS/HIPEC.",
)
HCC_POSTOP_CHEMOTHERAPY = Statement(
    HCC_LUNG_PM,
    _HCC_ALGORITHM,
    (19, 19),
    "When CRS/HIPEC has been performed for HCC, systemic chemotherapy is continued after the operation for "
    "{months}.",
    {"months": Param(2, "months")},
)
"""Rules count the interval in calendar months, as the source does (not a fixed number of days)."""
CRS_HIPEC_NOT_STANDARD = Statement(
    HCC_LUNG_PM,
    _NOT_STANDARD,
    (29, 29),
    "CRS/HIPEC is not a standard treatment for HCC or for lung cancer with peritoneal metastasis.",
)
COLORECTAL_PCI_EVIDENCE = Statement(
    HCC_LUNG_PM,
    _NOT_STANDARD,
    (30, 31),
    "The evidence for CRS/HIPEC lies mainly in colorectal peritoneal metastasis, where, in selected patients "
    "with a PCI below {pci}, complete cytoreduction can lengthen progression-free and overall survival; "
    "complete CRS plus HIPEC can be considered for limited peritoneal disease in centres experienced with HIPEC.",
    {"pci": Param(20)},
)
"""A PCI of the limit or more is outside the limited disease of the evidence."""
COLORECTAL_ALGORITHMS_DO_NOT_TRANSFER = Statement(
    HCC_LUNG_PM,
    _PITFALLS,
    (34, 34),
    "The colorectal algorithms do not transfer to HCC or lung cancer, whose biology, response to therapy and "
    "surgical outcomes differ fundamentally.",
)
HCC_RESPONSE_BEFORE_CRS_HIPEC = Statement(
    HCC_LUNG_PM,
    _PITFALLS,
    (35, 35),
    "CRS/HIPEC is not pursued for HCC with peritoneal metastasis before a profound response to systemic "
    "therapy, with tumour markers completely back to normal, has been shown.",
)

# --- Colorectal peritoneal metastasis (CRC-PM-REVIEW) -------------------------------------------------------

SURGICAL_EXPLORATION = Statement(
    CRC_PM_REVIEW,
    _DIAGNOSIS,
    (115, 121),
    "Surgical exploration is the gold standard to evaluate peritoneal metastasis; diagnostic laparoscopy is "
    "used to evaluate occult disease and could avoid an unnecessary laparotomy where CRS/HIPEC may not be "
    "possible ({spared} of patients in one study).",
    {"spared": Param(40, "%")},
)
COMPLETE_RESECTION_BEFORE_HIPEC = Statement(
    CRC_PM_REVIEW,
    _DIAGNOSIS,
    (121, 123),
    "A confirmed possibility of complete resection of the peritoneal metastases is a prerequisite for HIPEC, "
    "because HIPEC penetrates the peritoneal tissue by less than {depth}.",
    {"depth": Param(2.5, "mm")},
)
DISTANT_DISEASE_EVALUATION = Statement(
    CRC_PM_REVIEW,
    _DIAGNOSIS,
    (128, 130),
    "Before any treatment, the primary tumour, the peritoneal tumours and any other distant metastases should "
    "be evaluated completely.",
)
"""The review's pre-treatment work-up; it does not say what distant metastases mean for CRS/HIPEC."""
OPERATIVE_REPORT = Statement(
    CRC_PM_REVIEW,
    _DIAGNOSIS,
    (130, 136),
    "An expert group's {points} points for the operative report: lesions quadrant by quadrant, with the PCI; "
    "ascites present or not; photos or videos; small-bowel and mesenteric involvement in detail; involvement "
    "of the right diaphragmatic dome, and whether the cupola is mobile.",
    {"points": Param(5)},
)
OXALIPLATIN_HIPEC_TRIAL = Statement(
    CRC_PM_REVIEW,
    _CRS_HIPEC_TRIALS,
    (217, 232),
    "In a randomised trial (PRODIGE 7, the review's reference 35) of {patients} with colorectal peritoneal "
    "metastasis, all given systemic chemotherapy and resected completely or to less than {residual} of residual "
    "tumour, adding oxaliplatin-based HIPEC to CRS did not improve overall survival (median {survival_hipec} "
    "with HIPEC vs {survival_crs} with CRS alone, P = {p}) and had more complications; its authors proposed CRS "
    "alone as the cornerstone.",
    {
        "patients": Param(265, "patients"),
        "residual": Param(1, "mm"),
        "survival_hipec": Param(42, "months"),
        "survival_crs": Param(41, "months"),
        "p": Param(0.99),
    },
)
"""The review reports the trial as its reference 35 and names it PRODIGE 7 where it cites that reference again
(l.489, spelt "PARODIGE-7", and l.549); HCC-LUNG-PM names it too (l.32)."""
OXALIPLATIN_TRIAL_PRETREATED = Statement(
    CRC_PM_REVIEW,
    _CRS_HIPEC_TRIALS,
    (233, 242),
    "Critics of that trial hold that HIPEC should not be abandoned prematurely: {pretreated} of its patients "
    "had preoperative chemotherapy and, as possibly good responders, may have had less to gain from oxaliplatin "
    "HIPEC.",
    {"pretreated": Param(83, "%")},
)
CMS4_OXALIPLATIN_RESISTANCE = Statement(
    CRC_PM_REVIEW,
    _CRS_HIPEC_TRIALS,
    (245, 251),
    "On the biology of colorectal peritoneal metastases, the review reports most of them ({share}) classified "
    "as the CMS4 subtype, which is less sensitive to oxaliplatin-based chemotherapy than the other subtypes; it "
    "offers this as another possible reason why trials of oxaliplatin-based HIPEC showed no survival benefit.",
    {"share": Param(75, "%")},
)
"""A figure on the peritoneal metastases themselves, in the passage that cites the review's reference 36; the
figure of CMS4_IN_PRIMARY_TUMOURS is another study's, on primary tumours: each is said of its own cohort."""
CMS4_IN_PRIMARY_TUMOURS = Statement(
    CRC_PM_REVIEW,
    _BIOLOGY,
    (71, 73),
    "A separate recent study, of the primary tumours of patients presenting with peritoneal metastasis, "
    "suggested that the CMS4 subtype is frequent there ({share}).",
    {"share": Param(60, "%")},
)
"""The review's reference 12, measured on primary tumours: not the figure on the metastases themselves
(CMS4_OXALIPLATIN_RESISTANCE); the two are never merged into one."""
PIPAC_PALLIATIVE_APPROACH = Statement(
    CRC_PM_REVIEW,
    _PIPAC,
    (268, 269),
    "PIPAC (pressurised intraperitoneal aerosol chemotherapy, given by laparoscopy) is a palliative approach "
    "for non-resectable peritoneal metastasis.",
)
PIPAC_NO_CLEAR_INDICATION = Statement(
    CRC_PM_REVIEW,
    _PIPAC,
    (286, 292),
    "No clear indication for PIPAC in colorectal peritoneal metastasis has been reported; it is regarded as "
    "palliative, an alternative for patients ineligible for radical treatment.",
)
PIPAC_PHASE_TWO_TRIAL = Statement(
    CRC_PM_REVIEW,
    _PIPAC,
    (292, 302),
    "In a phase {phase} trial of oxaliplatin-based PIPAC for unresectable colorectal peritoneal metastasis, "
    "major adverse events occurred in {major_adverse}, and despite biochemical, pathological, cytological and "
    "ascites responses no radiological or clinically relevant macroscopic response was seen.",
    {"phase": Param(2), "major_adverse": Param(15, "%")},
    caveats=("Data on feasibility, toxicity, quality of life and response assessment are still lacking.",),
)
PERITONEAL_RECURRENCE_RISK = Statement(
    CRC_PM_REVIEW,
    _PREVENTION,
    (308, 312),
    "T4 disease, tumour perforation, ovarian metastases and positive ascites cytology are known risk factors "
    "for peritoneal recurrence after surgery for colorectal cancer.",
)
COLOPEC_TRIAL = Statement(
    CRC_PM_REVIEW,
    _PREVENTION,
    (316, 327),
    "In COLOPEC ({patients} with T4 or perforated colon cancer), adjuvant oxaliplatin HIPEC added to systemic "
    "chemotherapy did not improve peritoneal recurrence-free survival at {at} ({hipec} vs {control}, "
    "P = {p}), and its authors advised against routine use.",
    {
        "patients": Param(204, "patients"),
        "at": Param(18, "months"),
        "hipec": Param(80.9, "%"),
        "control": Param(76.2, "%"),
        "p": Param(0.28),
    },
)
PROPHYLOCHIP_TRIAL = Statement(
    CRC_PM_REVIEW,
    _PREVENTION,
    (330, 336),
    "In PROPHYLOCHIP, second-look surgery with prophylactic HIPEC did not improve disease-free survival at "
    "{at} ({hipec} vs {control} with standard follow-up, P = {p}) or overall survival.",
    {"at": Param(3, "years"), "hipec": Param(44, "%"), "control": Param(53, "%"), "p": Param(0.82)},
)
PROACTIVE_HIPEC_NOT_RECOMMENDED = Statement(
    CRC_PM_REVIEW,
    _PREVENTION,
    (336, 344),
    "With both trials negative, proactive oxaliplatin-based HIPEC can no longer be recommended, though the "
    "timing, the short oxaliplatin HIPEC ({duration}) and the selection of patients may explain the results.",
    {"duration": Param(30, "minutes")},
)
CCR_SCORE = Statement(
    CRC_PM_REVIEW,
    _PROCEDURE,
    (364, 368),
    "The completeness of cytoreduction is scored when CRS ends: CCR-{complete}, no macroscopic tumour left; "
    "CCR-{max_for_hipec}, residual deposits under {residual} in diameter; CCR-{incomplete}, residual deposits "
    "over {residual}. In the procedure the review describes, HIPEC followed CRS at "
    "CCR-{complete} or CCR-{max_for_hipec}.",
    {"complete": Param(0), "max_for_hipec": Param(1), "incomplete": Param(2), "residual": Param(2.5, "mm")},
)
"""How the authors describe their own procedure, not a rule they state: a CCR above `max_for_hipec` is simply
outside the series' practice; the prerequisite is COMPLETE_RESECTION_BEFORE_HIPEC."""
PROGNOSTIC_FACTORS = Statement(
    CRC_PM_REVIEW,
    "Conclusion",
    (544, 545),
    "PCI and CCR are the most important prognostic factors in the treatment of colorectal peritoneal "
    "metastasis.",
)
