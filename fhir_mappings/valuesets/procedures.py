"""Procedures: surgery (planned and done) and the peritoneal interventions CRS, HIPEC and PIPAC.

HIPEC, PIPAC and peritonectomy have no verified standard code (shared/terminology.md §D): they are project codes,
onto which sites map their own order codes.
"""

from __future__ import annotations

from fhir_mappings.facts import InterventionKind
from fhir_mappings.valuesets.generated import built
from fhir_mappings.valuesets.model import ValueSet

SURGICAL_PROCEDURE_CATEGORY = built("surgical-procedure-category")
MAJOR_SURGERY = built("major-surgery")
OXALIPLATIN_HIPEC = built("hipec-oxaliplatin")

INTERVENTIONS: dict[InterventionKind, ValueSet] = {
    InterventionKind.CRS: built("cytoreductive-surgery"),
    InterventionKind.HIPEC: built("hipec"),
    InterventionKind.PIPAC: built("pipac"),
}
