"""The project's own code system, for concepts that have no verified standard code.

Canonical `http://peritoneal-cds.org/CodeSystem/pm-concepts`. EHRs either send these codes or map their local
codes onto the value sets (CDS_SITE_CODES); standard codes are accepted wherever they are verified. The service
serves this code system as FHIR JSON (GET /fhir/CodeSystem/pm-concepts).
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.facts import Drug


@dataclass(frozen=True, slots=True)
class Concept:
    code: str
    display: str
    definition: str


_SCORES = (
    Concept(
        "peritoneal-cancer-index",
        "Peritoneal cancer index (PCI)",
        "Observation code: the peritoneal cancer index recorded at exploration or in the operative report, "
        "valueInteger 0-39.",
    ),
    Concept(
        "completeness-of-cytoreduction",
        "Completeness of cytoreduction score (CCR)",
        "Observation code: the completeness-of-cytoreduction score recorded at the end of cytoreductive "
        "surgery, valueInteger 0-3 for CCR-0 (no residual macroscopic tumour), CCR-1 (residual deposits "
        "< 2.5 mm), CCR-2 (> 2.5 mm) and CCR-3.",
    ),
)

_PROCEDURES = (
    Concept(
        "cytoreductive-surgery",
        "Cytoreductive surgery (CRS)",
        "ServiceRequest or Procedure code: cytoreductive surgery for peritoneal metastasis.",
    ),
    Concept(
        "hipec",
        "Hyperthermic intraperitoneal chemotherapy (HIPEC)",
        "ServiceRequest or Procedure code: HIPEC, any drug.",
    ),
    Concept(
        "hipec-oxaliplatin",
        "Oxaliplatin-based HIPEC",
        "ServiceRequest or Procedure code: HIPEC with oxaliplatin.",
    ),
    Concept(
        "pipac",
        "Pressurized intraperitoneal aerosol chemotherapy (PIPAC)",
        "ServiceRequest or Procedure code: PIPAC.",
    ),
)

_CONDITIONS = (
    Concept(
        "t4-primary-tumor",
        "Primary tumour category T4",
        "Condition or Observation code: the primary tumour is T4 (any T4 subcategory).",
    ),
    Concept(
        "tumor-perforation",
        "Perforated primary tumour",
        "Condition or Observation code: perforation of the primary tumour.",
    ),
    Concept(
        "venous-thromboembolism",
        "Venous thromboembolism",
        "Condition code: deep vein thrombosis or pulmonary embolism.",
    ),
    Concept("fistula", "Fistula", "Condition code: a gastrointestinal, genitourinary or other fistula."),
)

_GENES = (
    Concept("gene-kras", "KRAS gene", "Gene studied (component 48018-6) or test code: the KRAS gene."),
    Concept(
        "lung-molecular-testing",
        "Molecular testing of EGFR, ALK, ROS1 and KRAS",
        "ServiceRequest code: tumour molecular testing for EGFR, ALK, ROS1 and KRAS.",
    ),
)

_DRUG_EXTRA = (
    Concept("bevacizumab-awwb", "bevacizumab-awwb", "Medication code: bevacizumab biosimilar (Mvasi)."),
    Concept("bevacizumab-bvzr", "bevacizumab-bvzr", "Medication code: bevacizumab biosimilar (Zirabev)."),
    Concept("bevacizumab-maly", "bevacizumab-maly", "Medication code: bevacizumab biosimilar (Alymsys)."),
    Concept("bevacizumab-adcd", "bevacizumab-adcd", "Medication code: bevacizumab biosimilar (Vegzelma)."),
    Concept("bevacizumab-tnjn", "bevacizumab-tnjn", "Medication code: bevacizumab biosimilar (Avzivi)."),
    Concept("bevacizumab-nwgd", "bevacizumab-nwgd", "Medication code: bevacizumab biosimilar (Jobevne)."),
)

_DRUGS = tuple(
    Concept(drug.value, drug.value, f"Medication code: {drug.value}, any product.") for drug in Drug
)

CONCEPTS: tuple[Concept, ...] = _SCORES + _PROCEDURES + _CONDITIONS + _GENES + _DRUGS + _DRUG_EXTRA
CONCEPTS_BY_CODE: dict[str, Concept] = {c.code: c for c in CONCEPTS}
