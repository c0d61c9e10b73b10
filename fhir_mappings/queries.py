"""Which FHIR queries each fact is extracted from: the source of every prefetch template.

Services do not list templates by hand; they are the union of the queries behind the facts their rules require,
so a rule can never need data its hook does not ask for. Templates use only root-level context tokens
(CDS Hooks 2.0 §Prefetch tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.facts import Fact
from fhir_mappings.valuesets import MEASURES


@dataclass(frozen=True, slots=True)
class Query:
    key: str
    template: str


MEDICATION_REQUESTS = Query(
    "medicationRequests",
    "MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication",
)
MEDICATION_ADMINISTRATIONS = Query(
    "medicationAdministrations",
    "MedicationAdministration?patient={{context.patientId}}&_include=MedicationAdministration:medication",
)
SERVICE_REQUESTS = Query("serviceRequests", "ServiceRequest?patient={{context.patientId}}")
PROCEDURES = Query("procedures", "Procedure?patient={{context.patientId}}")
APPOINTMENTS = Query("appointments", "Appointment?patient={{context.patientId}}")
PATIENT = Query("patient", "Patient/{{context.patientId}}")
CONDITIONS = Query("conditions", "Condition?patient={{context.patientId}}")
BODY_MEASUREMENTS = Query(
    "bodyMeasurements",
    "Observation?patient={{context.patientId}}&code="
    + ",".join(f"{c.system}|{c.code}" for value_set in MEASURES.values() for c in value_set.codes),
)

FACT_QUERIES: dict[Fact, tuple[Query, ...]] = {
    Fact.DRAFT_ORDERS: (),  # carried by the hook context itself
    Fact.MEDICATION_HISTORY: (MEDICATION_REQUESTS, MEDICATION_ADMINISTRATIONS),
    Fact.PLANNED_SURGERY: (SERVICE_REQUESTS, PROCEDURES, APPOINTMENTS),
    Fact.COMPLETED_SURGERY: (PROCEDURES,),
    Fact.DEMOGRAPHICS: (PATIENT,),
    Fact.BODY_MEASUREMENTS: (BODY_MEASUREMENTS,),
    Fact.PRIMARY_CANCER: (CONDITIONS,),
}


def prefetch_for(facts: set[Fact]) -> dict[str, str]:
    """Prefetch templates (key → relative FHIR query) covering every fact, in a stable order."""
    queries = {q.key: q.template for fact in sorted(facts) for q in FACT_QUERIES[fact]}
    return dict(sorted(queries.items()))
