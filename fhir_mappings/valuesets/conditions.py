"""Conditions: primary cancers, peritoneal and other metastases, recurrence, and the comorbidities and tumour
features some rules weigh (venous thromboembolism, fistula, T4, perforation).

ICD-10-CM categories match every code below them (C18 holds C18.0–C18.9); the most specific code wins, so C18.1
(appendix) is appendiceal although C18 is colorectal.
"""

from __future__ import annotations

from fhir_mappings.facts import Cancer, Comorbidity, MetastaticSite, RiskFeature
from fhir_mappings.systems import SNOMED
from fhir_mappings.valuesets.icd_ranges import MALIGNANT_PRIMARY_CATEGORIES, icd
from fhir_mappings.valuesets.local import local
from fhir_mappings.valuesets.model import Code, ValueSet

_PRIMARY = "MEF-VS ValueSet-mcode-primary-or-uncertain-behavior-cancer-disorder-vs.json"
_SECONDARY = "MEF-VS ValueSet-mcode-secondary-cancer-disorder-vs.json"
_TX_SNOMED = "TX HL7/fhir-mCODE-ig snomed.cache@004029a5d9"


def _sct(code: str, display: str, where: str) -> Code:
    return Code(SNOMED, code, display, where)


COLORECTAL_CANCER = ValueSet(
    id="colorectal-cancer",
    title="Malignant neoplasm of colon, rectosigmoid junction or rectum (primary)",
    codes=(
        icd("C18", "Malignant neoplasm of colon", 8699),
        icd("C19", "Malignant neoplasm of rectosigmoid junction", 8758),
        icd("C20", "Malignant neoplasm of rectum", 8769),
        _sct("363406005", "Malignant tumor of colon", f"{_PRIMARY}:8606"),
        _sct("93761005", "Primary malignant neoplasm of colon", f"{_PRIMARY}:1276"),
        _sct("1701000119104", "Primary adenocarcinoma of colon", f"{_PRIMARY}:17406"),
        _sct(
            "109838007",
            "Overlapping malignant neoplasm of colon",
            "SYN colorectal_cancer.json Colorectal_Cancer_Stage_II",
        ),
        _sct("781382000", "Colorectal cancer", f"{_PRIMARY}:16336"),
        _sct("737058005", "Mismatch repair deficient colorectal cancer", f"{_PRIMARY} (grep)"),
        _sct("363414004", "Malignant tumor of rectosigmoid junction", f"{_PRIMARY}:8646"),
        _sct("363351006", "Malignant tumor of rectum", f"{_PRIMARY}:8361"),
        _sct("254582000", "Adenocarcinoma of rectum", f"{_PRIMARY} (grep)"),
        _sct("314965007", "Local recurrence of malignant tumor of colon", f"{_PRIMARY}:8271"),
        _sct("314966008", "Local recurrence of malignant tumor of rectum", f"{_PRIMARY}:8276"),
    ),
)
APPENDICEAL_CANCER = ValueSet(
    id="appendiceal-cancer",
    title="Malignant neoplasm of appendix (primary)",
    codes=(
        icd("C18.1", "Malignant neoplasm of appendix", 8712),
        _sct("363411007", "Malignant tumor of appendix", f"{_PRIMARY}:8631"),
        _sct("93679002", "Primary malignant neoplasm of appendix", f"{_PRIMARY}:921"),
        _sct("413445002", "Adenocarcinoma of appendix", f"{_PRIMARY}:11466"),
        _sct("721672004", "Primary mucinous adenocarcinoma of appendix", f"{_PRIMARY}:15061"),
    ),
)
OVARIAN_CANCER = ValueSet(
    id="ovarian-cancer",
    title="Malignant neoplasm of ovary (primary)",
    codes=(
        icd("C56", "Malignant neoplasm of ovary", 11281),
        _sct("363443007", "Malignant tumor of ovary", f"{_TX_SNOMED}; {_PRIMARY}:8786"),
        _sct("93934004", "Primary malignant neoplasm of ovary", f"{_PRIMARY}:1971"),
    ),
)
HEPATOCELLULAR_CARCINOMA = ValueSet(
    id="hepatocellular-carcinoma",
    title="Hepatocellular carcinoma (liver cell carcinoma); codes for any primary liver cancer are left out",
    codes=(
        icd("C22.0", "Liver cell carcinoma", 8829),
        _sct("109841003", "Hepatocarcinoma", f"{_PRIMARY}:3266"),
        _sct("253018005", "Fibrolamellar hepatocellular carcinoma", f"{_PRIMARY}:4071"),
    ),
)
LUNG_CANCER = ValueSet(
    id="lung-cancer",
    title="Malignant neoplasm of bronchus or lung (primary)",
    codes=(
        icd("C34", "Malignant neoplasm of bronchus and lung", 9151),
        _sct("363358000", "Malignant tumor of lung", f"{_PRIMARY}:8386"),
        _sct("254637007", "Non-small cell lung cancer", f"{_TX_SNOMED}; MCODE EX_Basic.fsh:7"),
        _sct("723301009", "Squamous non-small cell lung cancer", f"{_PRIMARY}:15426"),
        _sct(
            "703228009",
            "Non-small cell lung cancer with mutation in epidermal growth factor receptor",
            f"{_PRIMARY}:6306",
        ),
        _sct(
            "830151004",
            "Anaplastic lymphoma kinase fusion oncogene positive non-small cell lung cancer",
            f"{_PRIMARY} (grep)",
        ),
        _sct("722425009", "ROS1 positive non-small cell lung cancer", f"{_PRIMARY} (grep)"),
        _sct("707405009", "Primary adenosquamous carcinoma of lung", f"{_PRIMARY}:13911"),
    ),
)
CERVICAL_CANCER = ValueSet(
    id="cervical-cancer",
    title="Malignant neoplasm of the cervix uteri (primary)",
    codes=(
        icd("C53", "Malignant neoplasm of cervix uteri", 11223),
        _sct("363354003", "Malignant tumor of cervix", f"{_PRIMARY}:8376"),
        _sct("372024009", "Primary malignant neoplasm of uterine cervix", f"{_PRIMARY} (grep)"),
        _sct("314970000", "Local recurrence of malignant tumor of cervix", f"{_PRIMARY} (grep)"),
    ),
)
BREAST_CANCER = ValueSet(
    id="breast-cancer",
    title="Malignant neoplasm of breast (primary)",
    codes=(
        icd("C50", "Malignant neoplasm of breast", 10818),
        _sct("254837009", "Malignant tumor of breast", f"{_TX_SNOMED}; {_PRIMARY}:6491"),
    ),
)
OTHER_PRIMARY_CANCER = ValueSet(
    id="other-primary-cancer",
    title="Any other malignant primary neoplasm: ICD-10-CM C00-C75 and C7A where no more specific set matches "
    "(the concept maps list it last), gastric and peritoneal primaries",
    codes=(
        *MALIGNANT_PRIMARY_CATEGORIES,
        _sct("363349007", "Malignant tumor of stomach", f"{_PRIMARY}:8351"),
        _sct("372143007", "Carcinoma of stomach", f"{_PRIMARY}:10101"),
        _sct("408647009", "Adenocarcinoma of stomach", f"{_PRIMARY}:11436"),
        _sct("314961003", "Local recurrence of malignant tumor of stomach", f"{_PRIMARY} (grep)"),
        _sct("716649003", "Extraovarian primary peritoneal carcinoma", f"{_PRIMARY}:14591"),
        _sct("372016004", "Primary malignant neoplasm of the peritoneum", f"{_PRIMARY}:9811"),
        _sct("363492001", "Malignant tumor of peritoneum", f"{_PRIMARY}:9006"),
        _sct("94090003", "Primary malignant neoplasm of omentum", f"{_PRIMARY}:2676"),
    ),
)
_RECURRENCE_CODES = ("314965007", "314966008", "314970000", "314961003")
"""The local-recurrence codes among the primary sets (colon, rectum, cervix, stomach): listed, never found by
their display text."""

CANCERS: dict[Cancer, ValueSet] = {
    Cancer.COLORECTAL: COLORECTAL_CANCER,
    Cancer.APPENDICEAL: APPENDICEAL_CANCER,
    Cancer.OVARIAN: OVARIAN_CANCER,
    Cancer.HCC: HEPATOCELLULAR_CARCINOMA,
    Cancer.LUNG: LUNG_CANCER,
    Cancer.CERVICAL: CERVICAL_CANCER,
    Cancer.BREAST: BREAST_CANCER,
    Cancer.OTHER: OTHER_PRIMARY_CANCER,
}

LOCAL_RECURRENCE = ValueSet(
    id="local-recurrence",
    title="Local recurrence of a primary malignant tumour",
    codes=tuple(
        c
        for vs in CANCERS.values()
        for c in vs.codes
        if (c.system, c.code) in {(SNOMED, code) for code in _RECURRENCE_CODES}
    ),
)

PERITONEAL_METASTASIS = ValueSet(
    id="peritoneal-metastasis",
    title="Secondary malignant neoplasm of the peritoneum",
    codes=(
        icd("C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum", 12556),
        icd("C7B.04", "Secondary carcinoid tumors of peritoneum", 12346),
        _sct("94627008", "Metastasis to peritoneum", f"{_SECONDARY}:2386"),
        _sct(
            "188445006",
            "Secondary malignant neoplasm of retroperitoneum and peritoneum",
            f"{_SECONDARY}:2681",
        ),
        _sct("255121007", "Carcinomatosis of peritoneal cavity", f"{_SECONDARY}:2761"),
        _sct("836274002", "Carcinomatosis of peritoneum", f"{_SECONDARY}:3786"),
        _sct("94472007", "Secondary malignant neoplasm of parietal peritoneum", f"{_SECONDARY}:1621"),
        _sct("94479003", "Secondary malignant neoplasm of pelvic peritoneum", f"{_SECONDARY}:1656"),
        _sct("94624001", "Secondary malignant neoplasm of the mesentery", f"{_SECONDARY}:2371"),
        _sct("285616002", "Metastasis to peritoneum of unknown primary", f"{_SECONDARY}:2876"),
        _sct("307601000", "Pseudomyxoma peritonei", f"{_SECONDARY}:2986"),
    ),
)
OMENTAL_METASTASIS = ValueSet(
    id="omental-metastasis",
    title="Secondary malignant neoplasm of the omentum",
    codes=(_sct("94626004", "Omental metastasis", f"{_SECONDARY}:2381"),),
)
OTHER_METASTASIS = ValueSet(
    id="other-metastasis",
    title="Secondary malignant neoplasm of any other site (ICD-10-CM C77-C79, C7B)",
    codes=(
        icd("C77", "Secondary and unspecified malignant neoplasm of lymph nodes", 12455),
        icd("C78", "Secondary malignant neoplasm of respiratory and digestive organs", 12502),
        icd("C79", "Secondary malignant neoplasm of other and unspecified sites", 12580),
        icd("C7B", "Secondary neuroendocrine tumors", 12321),
        _sct("94260004", "Secondary malignant neoplasm of colon", f"{_SECONDARY}:576"),
        _sct("128462008", "Metastatic neoplasm", f"{_TX_SNOMED}; MCODE VS_CancerCondition.fsh:11"),
    ),
)
METASTASES: dict[MetastaticSite, ValueSet] = {
    MetastaticSite.OMENTUM: OMENTAL_METASTASIS,
    MetastaticSite.PERITONEUM: PERITONEAL_METASTASIS,
    MetastaticSite.OTHER: OTHER_METASTASIS,
}
PERITONEUM_BODY_SITE = ValueSet(
    id="peritoneum-body-site",
    title="Body site: peritoneum (mCODE secondary cancer condition bodySite)",
    codes=(
        _sct(
            "118762006",
            "Peritoneal sac structure",
            "MCODE VS_Radiotherapy.fsh:539; TX HL7/fhir-mCODE-ig snomed.cache@00536d62e5",
        ),
    ),
)

_GPS = "UTG ValueSet-snomed-intl-gps.json@a19c2636 (SNOMED CT International 20200731)"

VENOUS_THROMBOEMBOLISM = ValueSet(
    id="venous-thromboembolism",
    title="Venous thromboembolism: pulmonary embolism, deep vein thrombosis",
    codes=(
        icd("I26", "Pulmonary embolism", 62184),
        icd("I27.82", "Chronic pulmonary embolism", 62431),
        icd("I80.1", "Phlebitis and thrombophlebitis of femoral vein", 68631),
        icd(
            "I80.2",
            "Phlebitis and thrombophlebitis of other and unspecified deep vessels of lower extremities",
            68655,
        ),
        icd("I82.22", "Embolism and thrombosis of inferior vena cava", 68885),
        icd("I82.4", "Acute embolism and thrombosis of deep veins of lower extremity", 68920),
        icd("I82.5", "Chronic embolism and thrombosis of deep veins of lower extremity", 69158),
        icd("I82.62", "Acute embolism and thrombosis of deep veins of upper extremity", 69446),
        icd("I82.72", "Chronic embolism and thrombosis of deep veins of upper extremity", 69526),
        icd("I82.A", "Embolism and thrombosis of axillary vein", 69552),
        icd("I82.B", "Embolism and thrombosis of subclavian vein", 69596),
        icd("I82.C", "Embolism and thrombosis of internal jugular vein", 69640),
        _sct("128053003", "Deep venous thrombosis", f"{_GPS}:36627"),
        _sct("404223003", "Deep venous thrombosis of lower extremity", f"{_GPS}:83611"),
        _sct("128054009", "Deep venous thrombosis of upper extremity", f"{_GPS}:36631"),
        _sct("213220000", "Postoperative deep vein thrombosis", f"{_GPS}:54971"),
        _sct("40198004", "Thrombophlebitis of deep veins of lower extremity", f"{_GPS}:13347"),
        _sct("281595001", "Thrombosis of inferior vena cava", f"{_GPS}:71587"),
        _sct("59282003", "Pulmonary embolism", f"{_GPS}:19727"),
        _sct("438773007", "Recurrent pulmonary embolism", f"{_GPS}:92539"),
        _sct("444816006", "Embolism from thrombosis of vein of lower extremity", f"{_GPS}:94815"),
        _sct("439162001", "Embolism from thrombosis of vein of distal lower extremity", f"{_GPS}:92563"),
        local("venous-thromboembolism"),
    ),
)
FISTULA = ValueSet(
    id="fistula",
    title="Fistula (gastrointestinal, genitourinary, female genital tract)",
    codes=(
        icd("K31.6", "Fistula of stomach and duodenum", 77179),
        icd("K38.3", "Fistula of appendix", 77459),
        icd("K60.3", "Anal fistula", 79302),
        icd("K60.4", "Rectal fistula", 79395),
        icd("K60.5", "Anorectal fistula", 79493),
        icd("K63.2", "Fistula of intestine", 79801),
        icd("K82.3", "Fistula of gallbladder", 81105),
        icd("K83.3", "Fistula of bile duct", 81221),
        icd("N32.1", "Vesicointestinal fistula", 121477),
        icd("N32.2", "Vesical fistula, not elsewhere classified", 121484),
        icd("N36.0", "Urethral fistula", 121775),
        icd("N82", "Fistulae involving female genital tract", 124570),
        _sct("428794004", "Fistula", f"{_GPS}:91291"),
        _sct("89405008", "Vesicovaginal fistula", f"{_GPS}:29791"),
        _sct("65619001", "Rectovaginal fistula", f"{_GPS}:21943"),
        _sct("85059005", "Fistula of the female genital organs", f"{_GPS}:28423"),
        _sct("28626004", "Vesicocolic fistula", f"{_GPS}:9411"),
        _sct("197247001", "Enterocutaneous fistula", f"{_GPS}:53063"),
        _sct("72779005", "Anorectal fistula", f"{_GPS}:24171"),
        _sct("14981000", "Urethral fistula", f"{_GPS}:4887"),
        local("fistula"),
    ),
)
COMORBIDITIES: dict[Comorbidity, ValueSet] = {
    Comorbidity.VTE: VENOUS_THROMBOEMBOLISM,
    Comorbidity.FISTULA: FISTULA,
}

RISK_FEATURES: dict[RiskFeature, ValueSet] = {
    RiskFeature.T4: ValueSet(
        id="t4-primary-tumor", title="Primary tumour T4", codes=(local("t4-primary-tumor"),)
    ),
    RiskFeature.PERFORATION: ValueSet(
        id="tumor-perforation", title="Perforated primary tumour", codes=(local("tumor-perforation"),)
    ),
}
