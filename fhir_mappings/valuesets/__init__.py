"""Value sets: the codes the service recognises, each with where it was verified (shared/terminology.md).

`VALUE_SETS` is every set by id: the sets a site may extend (CDS_SITE_CODES) and the service serves as FHIR
ValueSets. Concept maps (`DRUGS`, `CANCERS`, …) say which concept each set stands for.
"""

from __future__ import annotations

from fhir_mappings.valuesets.conditions import (
    CANCER_HISTORY,
    CANCERS,
    COMORBIDITIES,
    LOCAL_RECURRENCE,
    METASTASES,
    PERITONEUM_BODY_SITE,
    RISK_FEATURES,
)
from fhir_mappings.valuesets.generated import GENERATED
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
    TNM_PRIMARY_TUMOR_CATEGORY,
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

VALUE_SETS: dict[str, ValueSet] = dict(sorted(GENERATED.items()))
"""Every value set the build wrote, by id (the concept maps above name the ones each fact reads)."""

__all__ = [
    "AFP",
    "BLOOD_PRESSURE_PANEL",
    "CANCERS",
    "CANCER_HISTORY",
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
    "TNM_PRIMARY_TUMOR_CATEGORY",
    "TRENDS",
    "VALUE_SETS",
    "VARIANT",
    "VARIANT_ABSENT",
    "VARIANT_PRESENT",
    "Code",
    "CodeIndex",
    "ValueSet",
]
