"""Value sets: the codes the service recognises, each with where it was verified.

A code inside a rule is a defect: rules ask for facts, and facts are extracted by matching `system|code` pairs
against these sets. Display text is never matched. Provenance tags follow shared/terminology.md §0
(MEF-VS = mCODE extraction framework server expansion, TX = tx.fhir.org responses cached by the HL7 IG publisher).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from fhir_mappings.facts import Cancer, Drug, Measure
from fhir_mappings.systems import ICD10CM, LOINC, PM_CONCEPTS, RXNORM, SNOMED

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str
    verified_in: str


@dataclass(frozen=True)
class ValueSet:
    id: str
    title: str
    codes: tuple[Code, ...]
    _pairs: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pairs", frozenset((c.system, c.code) for c in self.codes))

    def contains(self, system: str | None, code: str | None) -> bool:
        return system is not None and code is not None and (system, code) in self._pairs

    def matches_any(self, codings: Iterable[tuple[str | None, str | None]]) -> bool:
        return any(self.contains(system, code) for system, code in codings)


class CodeIndex(Generic[K]):
    """Which concept (a drug, a measure, a cancer) a `system|code` pair stands for, across several value sets:
    one dict lookup per coding instead of a scan of every set."""

    def __init__(self, sets: Mapping[K, ValueSet]) -> None:
        self._by_pair: dict[tuple[str, str], K] = {}
        for key, value_set in sets.items():
            for code in value_set.codes:
                self._by_pair.setdefault((code.system, code.code), key)

    def first(self, codings: Iterable[tuple[str | None, str | None]]) -> K | None:
        """The concept of the first coding that belongs to one of the sets."""
        for pair in codings:
            found = self._by_pair.get(pair)  # type: ignore[arg-type]
            if found is not None:
                return found
        return None


_SURG_VS = "MEF-VS ValueSet-mcode-cancer-related-surgical-procedure-vs.json"

SURGICAL_PROCEDURE_CATEGORY = ValueSet(
    id="surgical-procedure-category",
    title="Category of a surgical procedure order",
    codes=(Code(SNOMED, "387713003", "Surgical procedure", "TX HL7/fhir-mCODE-ig snomed.cache@004029a5d9"),),
)

MAJOR_SURGERY = ValueSet(
    id="major-surgery",
    title="Major (abdominal) surgical procedures",
    codes=(
        Code(SNOMED, "86481000", "Laparotomy", f"{_SURG_VS}:33207"),
        Code(SNOMED, "74770008", "Exploratory laparotomy", f"{_SURG_VS}:28617"),
        Code(SNOMED, "708646008", "Laparotomy with biopsy of peritoneum", f"{_SURG_VS}:94852"),
        Code(SNOMED, "708647004", "Laparotomy with biopsy of omentum", f"{_SURG_VS}:94857"),
        Code(SNOMED, "18412003", "Laparotomy for staging of ovarian cancer", f"{_SURG_VS}:7207"),
        Code(SNOMED, "450635009", "Open biopsy of lesion of peritoneal cavity", f"{_SURG_VS}:91852"),
        Code(SNOMED, "78384007", "Omentectomy", f"{_SURG_VS}:30052"),
        Code(SNOMED, "708819001", "Laparoscopic omentectomy", f"{_SURG_VS}:94942"),
        Code(SNOMED, "713903002", "Total omentectomy", f"{_SURG_VS}:96237"),
        Code(SNOMED, "276974006", "Partial omentectomy", f"{_SURG_VS}:68852"),
        Code(SNOMED, "238301005", "Debulking of lesion of peritoneum", f"{_SURG_VS}:62602"),
        Code(SNOMED, "448031005", "Debulking of neoplasm of abdominal cavity", f"{_SURG_VS}:89627"),
        Code(SNOMED, "708729004", "Extensive debulking of neoplasm of abdominal cavity", f"{_SURG_VS}:94882"),
        Code(SNOMED, "446526009", "Debulking of neoplasm of ovary", f"{_SURG_VS}:88097"),
        Code(SNOMED, "386676003", "Operation on peritoneum", f"{_SURG_VS}:77372"),
    ),
)


_LOCAL = "project code system pm-concepts: for site mappings where no standard code is verified"
_NLM_IN = (
    "CORROBORATED, NLM-derived: RxNav allconcepts tty=IN catalog (sync_nlm_rxnorm, 2026-10-09); "
    "RxNorm_full_01032022 RXNREL ingredient mapping; PCORnet cancer RxCUI list"
)


def _openfda(product: str, ndc: str) -> str:
    return f"CORROBORATED: openFDA NDC directory openfda.rxcui of {product} NDC {ndc}"


def _products(display: str, product: str, ndc: str, *codes: str) -> tuple[Code, ...]:
    return tuple(
        Code(RXNORM, code, f"{display} ({product} product)", _openfda(product, ndc)) for code in codes
    )


BEVACIZUMAB = ValueSet(
    id="bevacizumab",
    title="Bevacizumab products, biosimilars included",
    codes=(
        Code(RXNORM, "253337", "bevacizumab", _NLM_IN),
        *_products("bevacizumab", "Avastin", "50242-061", "1657066", "1657068", "1657073", "1657074"),
        *_products("bevacizumab-bvzr", "Zirabev", "0069-0315", "2268039", "2268044", "2268047", "2268048"),
        *_products("bevacizumab-maly", "Alymsys", "70121-1754", "2599043", "2599049", "2599051", "2599052"),
        *_products("bevacizumab-nwgd", "Jobevne", "83257-010", "2712048", "2712055", "2712057", "2712058"),
        Code(PM_CONCEPTS, "bevacizumab", "bevacizumab (any product)", _LOCAL),
        *(
            Code(PM_CONCEPTS, f"bevacizumab-{suffix}", f"bevacizumab-{suffix}", _LOCAL)
            for suffix in ("awwb", "bvzr", "maly", "adcd", "tnjn", "nwgd")
        ),
    ),
)

RAMUCIRUMAB = ValueSet(
    id="ramucirumab",
    title="Ramucirumab products",
    codes=(
        Code(RXNORM, "1535922", "ramucirumab", _NLM_IN),
        *_products("ramucirumab", "Cyramza", "0002-7669", "1657775", "1657777", "1657780", "1657781"),
        Code(PM_CONCEPTS, "ramucirumab", "ramucirumab", _LOCAL),
    ),
)

ZIV_AFLIBERCEPT = ValueSet(
    id="ziv-aflibercept",
    title="Ziv-aflibercept (Zaltrap) products; the aflibercept ingredient code is left out, as it also covers "
    "intravitreal aflibercept",
    codes=(
        *_products("ziv-aflibercept", "Zaltrap", "0024-5841", "1723187", "1723189", "1723193", "1723194"),
        Code(PM_CONCEPTS, "ziv-aflibercept", "ziv-aflibercept", _LOCAL),
    ),
)

_TX_NMDP = "TX nmdp-ig/cibmtr-reporting-ig rxnorm.cache@aec3ed8262 (RxNorm 09032024)"

CARBOPLATIN = ValueSet(
    id="carboplatin",
    title="Carboplatin",
    codes=(
        Code(RXNORM, "40048", "carboplatin", f"{_TX_NMDP}; CPIC V2:31"),
        Code(RXNORM, "597195", "carboplatin 10 MG/ML Injectable Solution", _TX_NMDP),
    ),
)

CISPLATIN = ValueSet(
    id="cisplatin",
    title="Cisplatin",
    codes=(
        Code(
            RXNORM,
            "2555",
            "cisplatin",
            "CPIC V2:43 (CPIC-only; CPIC agreed with tx.fhir.org on every shared code)",
        ),
        Code(
            RXNORM,
            "309311",
            "cisplatin 1 MG/ML Injectable Solution",
            "TX HL7/fhir-mCODE-ig rxnorm.cache@0700703b96; MCODE EX_Basic.fsh:324",
        ),
    ),
)

PACLITAXEL = ValueSet(
    id="paclitaxel",
    title="Paclitaxel",
    codes=(
        Code(
            RXNORM,
            "56946",
            "paclitaxel",
            "TX HL7/fhir-mCODE-ig rxnorm.cache@1bb5603508; MCODE EX_ExtendedExample.fsh:617",
        ),
    ),
)

DRUGS: dict[Drug, ValueSet] = {
    Drug.BEVACIZUMAB: BEVACIZUMAB,
    Drug.RAMUCIRUMAB: RAMUCIRUMAB,
    Drug.ZIV_AFLIBERCEPT: ZIV_AFLIBERCEPT,
    Drug.CARBOPLATIN: CARBOPLATIN,
    Drug.CISPLATIN: CISPLATIN,
    Drug.PACLITAXEL: PACLITAXEL,
}

_TX_MCODE_LOINC = "TX HL7/fhir-mCODE-ig loinc.cache@00536d62e5"

WEIGHT = ValueSet(
    id="body-weight",
    title="Body weight",
    codes=(Code(LOINC, "29463-7", "Body weight", f"{_TX_MCODE_LOINC}; USCORE weight.json"),),
)
HEIGHT = ValueSet(
    id="body-height",
    title="Body height",
    codes=(Code(LOINC, "8302-2", "Body height", f"{_TX_MCODE_LOINC}; USCORE height.json"),),
)
SERUM_CREATININE = ValueSet(
    id="serum-creatinine",
    title="Creatinine in serum or plasma",
    codes=(
        Code(
            LOINC,
            "2160-0",
            "Creatinine [Mass/volume] in Serum or Plasma",
            "TX HL7/US-Core loinc.cache@784e62e872; USCORE observation-serum-creatinine.json",
        ),
        Code(
            LOINC,
            "14682-9",
            "Creatinine [Moles/volume] in Serum or Plasma",
            "TX nmdp-ig/cibmtr-reporting-ig loinc.cache@aec3ed8262 (LOINC 2.78)",
        ),
    ),
)
CREATININE_CLEARANCE = ValueSet(
    id="creatinine-clearance",
    title="Measured creatinine clearance",
    codes=(
        Code(
            LOINC,
            "2164-2",
            "Creatinine renal clearance in 24 hour Urine and Serum or Plasma",
            "TX nmdp-ig/cibmtr-reporting-ig loinc.cache@aec3ed8262",
        ),
    ),
)

MEASURES: dict[Measure, ValueSet] = {
    Measure.WEIGHT: WEIGHT,
    Measure.HEIGHT: HEIGHT,
    Measure.SERUM_CREATININE: SERUM_CREATININE,
    Measure.CREATININE_CLEARANCE: CREATININE_CLEARANCE,
}

_ICD = "ICD-10-CM 2026 tabular (simple-icd-10-cm 1.5.0)"
_MEF_PRIMARY = "MEF-VS ValueSet-mcode-primary-or-uncertain-behavior-cancer-disorder-vs.json"

CERVICAL_CANCER = ValueSet(
    id="cervical-cancer",
    title="Malignant neoplasm of the cervix uteri (primary)",
    codes=(
        Code(ICD10CM, "C53.0", "Malignant neoplasm of endocervix", f"{_ICD}:11229"),
        Code(ICD10CM, "C53.1", "Malignant neoplasm of exocervix", f"{_ICD}:11233"),
        Code(ICD10CM, "C53.8", "Malignant neoplasm of overlapping sites of cervix uteri", f"{_ICD}:11237"),
        Code(ICD10CM, "C53.9", "Malignant neoplasm of cervix uteri, unspecified", f"{_ICD}:11241"),
        Code(SNOMED, "363354003", "Malignant tumor of cervix", f"{_MEF_PRIMARY}:8376"),
        Code(SNOMED, "372024009", "Primary malignant neoplasm of uterine cervix", f"{_MEF_PRIMARY} (grep)"),
    ),
)

CANCERS: dict[Cancer, ValueSet] = {Cancer.CERVICAL: CERVICAL_CANCER}

DRUG_INDEX = CodeIndex(DRUGS)
MEASURE_INDEX = CodeIndex(MEASURES)
CANCER_INDEX = CodeIndex(CANCERS)
