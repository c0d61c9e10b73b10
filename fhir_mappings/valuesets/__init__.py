"""Value sets: the codes the service recognises, each with where it was verified (shared/terminology.md).

`VALUE_SETS` is every set by id: the sets a site may extend (CDS_SITE_CODES) and the service serves as FHIR
ValueSets. Concept maps (`DRUGS`, `CANCERS`, …) say which concept each set stands for.
"""

from __future__ import annotations

from fhir_mappings.valuesets.conditions import (
    CANCERS,
    COMORBIDITIES,
    LOCAL_RECURRENCE,
    METASTASES,
    PERITONEUM_BODY_SITE,
    RISK_FEATURES,
)
from fhir_mappings.valuesets.medications import DRUGS
from fhir_mappings.valuesets.model import Code, CodeIndex, ValueSet
from fhir_mappings.valuesets.observations import (
    AFP,
    BLOOD_PRESSURE_PANEL,
    DIASTOLIC_BP,
    DISEASE_STATUS,
    ECOG_ANSWER_CODES,
    GENE_STUDIED,
    GENES,
    MEASURES,
    ORDERABLES,
    PROTEIN_CHANGE,
    SCALES,
    SYSTOLIC_BP,
    TRENDS,
    VARIANT,
    VARIANT_ABSENT,
    VARIANT_PRESENT,
)
from fhir_mappings.valuesets.procedures import (
    INTERVENTIONS,
    MAJOR_SURGERY,
    OXALIPLATIN_HIPEC,
    SURGICAL_PROCEDURE_CATEGORY,
)


def _all_sets() -> dict[str, ValueSet]:
    singles = (
        LOCAL_RECURRENCE,
        PERITONEUM_BODY_SITE,
        AFP,
        BLOOD_PRESSURE_PANEL,
        SYSTOLIC_BP,
        DIASTOLIC_BP,
        DISEASE_STATUS,
        ECOG_ANSWER_CODES,
        GENE_STUDIED,
        PROTEIN_CHANGE,
        VARIANT,
        VARIANT_ABSENT,
        VARIANT_PRESENT,
        MAJOR_SURGERY,
        OXALIPLATIN_HIPEC,
        SURGICAL_PROCEDURE_CATEGORY,
    )
    maps = (
        CANCERS,
        COMORBIDITIES,
        METASTASES,
        RISK_FEATURES,
        DRUGS,
        MEASURES,
        SCALES,
        TRENDS,
        GENES,
        INTERVENTIONS,
        ORDERABLES,
    )
    found: dict[str, ValueSet] = {}
    for value_set in (*singles, *(vs for m in maps for vs in m.values())):
        assert found.setdefault(value_set.id, value_set) is value_set, f"two value sets named {value_set.id}"
    return dict(sorted(found.items()))


VALUE_SETS: dict[str, ValueSet] = _all_sets()

__all__ = [
    "AFP",
    "BLOOD_PRESSURE_PANEL",
    "CANCERS",
    "COMORBIDITIES",
    "DIASTOLIC_BP",
    "DISEASE_STATUS",
    "DRUGS",
    "ECOG_ANSWER_CODES",
    "GENES",
    "GENE_STUDIED",
    "INTERVENTIONS",
    "LOCAL_RECURRENCE",
    "MAJOR_SURGERY",
    "MEASURES",
    "METASTASES",
    "ORDERABLES",
    "OXALIPLATIN_HIPEC",
    "PERITONEUM_BODY_SITE",
    "PROTEIN_CHANGE",
    "RISK_FEATURES",
    "SCALES",
    "SURGICAL_PROCEDURE_CATEGORY",
    "SYSTOLIC_BP",
    "TRENDS",
    "VALUE_SETS",
    "VARIANT",
    "VARIANT_ABSENT",
    "VARIANT_PRESENT",
    "Code",
    "CodeIndex",
    "ValueSet",
]
