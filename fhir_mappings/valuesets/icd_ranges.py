"""ICD-10-CM codes as value-set members, and the categories of malignant primary neoplasms.

Line numbers are those of the CMS ICD-10-CM 2026 tabular XML shipped in simple-icd-10-cm 1.5.0
(`icd10c-tabular-April-1-2026.xml`), as in shared/terminology.md (tag ICD).
"""

from __future__ import annotations

from fhir_mappings.systems import ICD10CM
from fhir_mappings.valuesets.model import Code

ICD_SOURCE = "ICD-10-CM 2026 tabular (simple-icd-10-cm 1.5.0)"


def icd(code: str, display: str, line: int) -> Code:
    return Code(ICD10CM, code, display, f"{ICD_SOURCE}:{line}")


_MALIGNANT_PRIMARY: tuple[tuple[str, str, int], ...] = (
    ("C00", "Malignant neoplasm of lip", 7928),
    ("C01", "Malignant neoplasm of base of tongue", 8011),
    ("C02", "Malignant neoplasm of other and unspecified parts of tongue", 8027),
    ("C03", "Malignant neoplasm of gum", 8089),
    ("C04", "Malignant neoplasm of floor of mouth", 8119),
    ("C05", "Malignant neoplasm of palate", 8149),
    ("C06", "Malignant neoplasm of other and unspecified parts of mouth", 8189),
    ("C07", "Malignant neoplasm of parotid gland", 8243),
    ("C08", "Malignant neoplasm of other and unspecified major salivary glands", 8257),
    ("C09", "Malignant neoplasm of tonsil", 8299),
    ("C10", "Malignant neoplasm of oropharynx", 8338),
    ("C11", "Malignant neoplasm of nasopharynx", 8396),
    ("C12", "Malignant neoplasm of pyriform sinus", 8454),
    ("C13", "Malignant neoplasm of hypopharynx", 8470),
    ("C14", "Malignant neoplasm of other and ill-defined sites in the lip, oral cavity and pharynx", 8518),
    ("C15", "Malignant neoplasm of esophagus", 8562),
    ("C16", "Malignant neoplasm of stomach", 8593),
    ("C17", "Malignant neoplasm of small intestine", 8662),
    ("C18", "Malignant neoplasm of colon", 8699),
    ("C19", "Malignant neoplasm of rectosigmoid junction", 8758),
    ("C20", "Malignant neoplasm of rectum", 8769),
    ("C21", "Malignant neoplasm of anus and anal canal", 8779),
    ("C22", "Malignant neoplasm of liver and intrahepatic bile ducts", 8816),
    ("C23", "Malignant neoplasm of gallbladder", 8875),
    ("C24", "Malignant neoplasm of other and unspecified parts of biliary tract", 8879),
    ("C25", "Malignant neoplasm of pancreas", 8912),
    ("C26", "Malignant neoplasm of other and ill-defined digestive organs", 8964),
    ("C30", "Malignant neoplasm of nasal cavity and middle ear", 9007),
    ("C31", "Malignant neoplasm of accessory sinuses", 9050),
    ("C32", "Malignant neoplasm of larynx", 9081),
    ("C33", "Malignant neoplasm of trachea", 9138),
    ("C34", "Malignant neoplasm of bronchus and lung", 9151),
    ("C37", "Malignant neoplasm of thymus", 9259),
    ("C38", "Malignant neoplasm of heart, mediastinum and pleura", 9266),
    (
        "C39",
        "Malignant neoplasm of other and ill-defined sites in the respiratory system and intrathoracic organs",
        9303,
    ),
    ("C40", "Malignant neoplasm of bone and articular cartilage of limbs", 9342),
    ("C41", "Malignant neoplasm of bone and articular cartilage of other and unspecified sites", 9445),
    ("C43", "Malignant melanoma of skin", 9507),
    ("C4A", "Merkel cell carcinoma", 9662),
    ("C45", "Mesothelioma", 10442),
    ("C46", "Kaposi's sarcoma", 10482),
    ("C47", "Malignant neoplasm of peripheral nerves and autonomic nervous system", 10547),
    ("C48", "Malignant neoplasm of retroperitoneum and peritoneum", 10626),
    ("C49", "Malignant neoplasm of other connective and soft tissue", 10658),
    ("C50", "Malignant neoplasm of breast", 10818),
    ("C51", "Malignant neoplasm of vulva", 11182),
    ("C52", "Malignant neoplasm of vagina", 11216),
    ("C53", "Malignant neoplasm of cervix uteri", 11223),
    ("C54", "Malignant neoplasm of corpus uteri", 11246),
    ("C55", "Malignant neoplasm of uterus, part unspecified", 11277),
    ("C56", "Malignant neoplasm of ovary", 11281),
    ("C57", "Malignant neoplasm of other and unspecified female genital organs", 11304),
    ("C58", "Malignant neoplasm of placenta", 11394),
    ("C60", "Malignant neoplasm of penis", 11415),
    ("C61", "Malignant neoplasm of prostate", 11448),
    ("C62", "Malignant neoplasm of testis", 11460),
    ("C63", "Malignant neoplasm of other and unspecified male genital organs", 11525),
    ("C64", "Malignant neoplasm of kidney, except renal pelvis", 11593),
    ("C65", "Malignant neoplasm of renal pelvis", 11614),
    ("C66", "Malignant neoplasm of ureter", 11634),
    ("C67", "Malignant neoplasm of bladder", 11653),
    ("C68", "Malignant neoplasm of other and unspecified urinary organs", 11700),
    ("C69", "Malignant neoplasm of eye and adnexa", 11736),
    ("C70", "Malignant neoplasm of meninges", 11911),
    ("C71", "Malignant neoplasm of brain", 11927),
    (
        "C72",
        "Malignant neoplasm of spinal cord, cranial nerves and other parts of central nervous system",
        11985,
    ),
    ("C73", "Malignant neoplasm of thyroid gland", 12078),
    ("C74", "Malignant neoplasm of adrenal gland", 12085),
    ("C75", "Malignant neoplasm of other endocrine glands and related structures", 12137),
    ("C7A", "Malignant neuroendocrine tumors", 12187),
)
"""C00-C75 and C7A: malignant neoplasms of stated primary sites. C44 (other malignant neoplasm of skin: basal
and squamous cell skin cancers) is left out, so that it does not pass for the primary of a peritoneal metastasis."""

MALIGNANT_PRIMARY_CATEGORIES: tuple[Code, ...] = tuple(icd(c, d, line) for c, d, line in _MALIGNANT_PRIMARY)
