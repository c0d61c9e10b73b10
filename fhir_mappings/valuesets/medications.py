"""Medicines, matched on ingredient: ingredient RxCUIs, the product RxCUIs EHRs send, and project codes.

Drugs whose RxNorm codes are UNVERIFIED in shared/terminology.md (lenvatinib, regorafenib, atezolizumab,
pembrolizumab, cemiplimab, topotecan, mitomycin, osimertinib) carry only their project code; a site maps its own
codes onto them (CDS_SITE_CODES).
"""

from __future__ import annotations

from fhir_mappings.facts import Drug
from fhir_mappings.systems import RXNORM
from fhir_mappings.valuesets.local import local
from fhir_mappings.valuesets.model import Code, ValueSet

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
        local("bevacizumab"),
        *(local(f"bevacizumab-{suffix}") for suffix in ("awwb", "bvzr", "maly", "adcd", "tnjn", "nwgd")),
    ),
)

RAMUCIRUMAB = ValueSet(
    id="ramucirumab",
    title="Ramucirumab products",
    codes=(
        Code(RXNORM, "1535922", "ramucirumab", _NLM_IN),
        *_products("ramucirumab", "Cyramza", "0002-7669", "1657775", "1657777", "1657780", "1657781"),
        local("ramucirumab"),
    ),
)

ZIV_AFLIBERCEPT = ValueSet(
    id="ziv-aflibercept",
    title="Ziv-aflibercept (Zaltrap) products; the aflibercept ingredient code is left out, as it also covers "
    "intravitreal aflibercept",
    codes=(
        *_products("ziv-aflibercept", "Zaltrap", "0024-5841", "1723187", "1723189", "1723193", "1723194"),
        local("ziv-aflibercept"),
    ),
)

_CPIC = "CPIC V2__initial_data.sql:{} (CPIC-only; CPIC agreed with tx.fhir.org on every shared code)"
_TX_NMDP = "TX nmdp-ig/cibmtr-reporting-ig rxnorm.cache@aec3ed8262 (RxNorm 09032024)"

CARBOPLATIN = ValueSet(
    id="carboplatin",
    title="Carboplatin",
    codes=(
        Code(RXNORM, "40048", "carboplatin", f"{_TX_NMDP}; CPIC V2:31"),
        Code(RXNORM, "597195", "carboplatin 10 MG/ML Injectable Solution", _TX_NMDP),
        local("carboplatin"),
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
            _CPIC.format(43),
        ),
        Code(
            RXNORM,
            "309311",
            "cisplatin 1 MG/ML Injectable Solution",
            "TX HL7/fhir-mCODE-ig rxnorm.cache@0700703b96; MCODE EX_Basic.fsh:324",
        ),
        local("cisplatin"),
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
        local("paclitaxel"),
    ),
)


def _drug(drug: Drug, *codes: Code, title: str | None = None) -> ValueSet:
    return ValueSet(id=drug.value, title=title or drug.value.capitalize(), codes=(*codes, local(drug.value)))


OXALIPLATIN = _drug(
    Drug.OXALIPLATIN,
    Code(RXNORM, "32592", "oxaliplatin", _CPIC.format(150)),
    Code(
        RXNORM, "575971", "oxaliplatin 5 MG/ML [Eloxatin]", "SYN colorectal_cancer.json Chemotherapy_Drugs_II"
    ),
)
GEMCITABINE = _drug(
    Drug.GEMCITABINE,
    Code(RXNORM, "12574", "gemcitabine", f"{_TX_NMDP}; CPIC V2:93"),
    Code(RXNORM, "1719003", "gemcitabine 1000 MG Injection", _TX_NMDP),
    Code(RXNORM, "1719000", "gemcitabine 200 MG Injection", _TX_NMDP),
    Code(RXNORM, "1718999", "gemcitabine Injection", _TX_NMDP),
)
FLUOROURACIL = _drug(Drug.FLUOROURACIL, Code(RXNORM, "4492", "fluorouracil", _CPIC.format(85)))
CAPECITABINE = _drug(Drug.CAPECITABINE, Code(RXNORM, "194000", "capecitabine", _CPIC.format(27)))
IRINOTECAN = _drug(Drug.IRINOTECAN, Code(RXNORM, "51499", "irinotecan", _CPIC.format(106)))
CETUXIMAB = _drug(Drug.CETUXIMAB, Code(RXNORM, "318341", "cetuximab", _CPIC.format(37)))
SORAFENIB = _drug(
    Drug.SORAFENIB,
    Code(RXNORM, "495881", "sorafenib", _TX_NMDP),
    Code(RXNORM, "597747", "SORAfenib (as SORAfenib tosylate) 200 MG Oral Tablet", _TX_NMDP),
    Code(RXNORM, "615979", "sorafenib 200 MG Oral Tablet [Nexavar]", _TX_NMDP),
)
ALECTINIB = _drug(Drug.ALECTINIB, Code(RXNORM, "1727455", "alectinib", "MCODE EX_GenomeX.fsh:325"))
CRIZOTINIB = _drug(Drug.CRIZOTINIB, Code(RXNORM, "1148495", "crizotinib", "MCODE EX_GenomeX.fsh:361"))
GEFITINIB = _drug(
    Drug.GEFITINIB,
    Code(
        RXNORM,
        "349472",
        "gefitinib 250 MG Oral Tablet",
        "TX HL7/fhir-mCODE-ig rxnorm.cache@0700703b96; MCODE EX_Basic.fsh:301",
    ),
)
UNVERIFIED_RXNORM = (
    Drug.LENVATINIB,
    Drug.REGORAFENIB,
    Drug.ATEZOLIZUMAB,
    Drug.PEMBROLIZUMAB,
    Drug.CEMIPLIMAB,
    Drug.TOPOTECAN,
    Drug.MITOMYCIN,
    Drug.OSIMERTINIB,
)

DRUGS: dict[Drug, ValueSet] = {
    Drug.BEVACIZUMAB: BEVACIZUMAB,
    Drug.RAMUCIRUMAB: RAMUCIRUMAB,
    Drug.ZIV_AFLIBERCEPT: ZIV_AFLIBERCEPT,
    Drug.CARBOPLATIN: CARBOPLATIN,
    Drug.CISPLATIN: CISPLATIN,
    Drug.PACLITAXEL: PACLITAXEL,
    Drug.OXALIPLATIN: OXALIPLATIN,
    Drug.GEMCITABINE: GEMCITABINE,
    Drug.FLUOROURACIL: FLUOROURACIL,
    Drug.CAPECITABINE: CAPECITABINE,
    Drug.IRINOTECAN: IRINOTECAN,
    Drug.CETUXIMAB: CETUXIMAB,
    Drug.SORAFENIB: SORAFENIB,
    Drug.ALECTINIB: ALECTINIB,
    Drug.CRIZOTINIB: CRIZOTINIB,
    Drug.GEFITINIB: GEFITINIB,
    **{drug: _drug(drug) for drug in UNVERIFIED_RXNORM},
}
