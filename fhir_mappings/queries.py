"""Which FHIR queries each fact is extracted from: the source of every prefetch template.

Services do not list templates by hand; they are the union of the queries behind the facts their rules require,
so a rule can never need data its hook does not ask for. Observation queries name their codes, taken from the
terminology in force, so a site's mapped lab codes are fetched too. Templates use only root-level context tokens
(CDS Hooks 2.0 §Prefetch tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.facts import Fact
from fhir_mappings.terminology import BUILT_IN, Terminology


@dataclass(frozen=True, slots=True)
class Query:
    key: str
    template: str


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    """Observations of the patient coded in the terminology's sets for `roles`."""

    key: str
    roles: tuple[str, ...]

    def render(self, terminology: Terminology) -> Query:
        codes = ",".join(f"{c.system}|{c.code}" for c in terminology.observation_codes(*self.roles))
        return Query(self.key, f"Observation?patient={{{{context.patientId}}}}&code={codes}")


@dataclass(frozen=True, slots=True)
class CodedQuery:
    """Resources of one type coded in one value set of the terminology in force (a site's codes included)."""

    key: str
    resource_type: str
    value_set: str

    def render(self, terminology: Terminology) -> Query:
        codes = ",".join(f"{c.system}|{c.code}" for c in terminology.value_set(self.value_set).codes)
        return Query(self.key, f"{self.resource_type}?patient={{{{context.patientId}}}}&code={codes}")


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
BODY_MEASUREMENTS = ObservationQuery("bodyMeasurements", ("measure",))
CLINICAL_OBSERVATIONS = ObservationQuery(
    "clinicalObservations", ("scale", "afp", "status", "variant", "gene-test", "risk", "tnm-t")
)
VITAL_SIGNS = ObservationQuery("bloodPressure", ("bp-panel", "systolic", "diastolic"))
IMAGING_STUDIES = Query("imagingStudies", "ImagingStudy?patient={{context.patientId}}")
IMAGING_REPORTS = CodedQuery("imagingReports", "DiagnosticReport", "ct-chest-abdomen-pelvis")

FACT_QUERIES: dict[Fact, tuple[Query | ObservationQuery | CodedQuery, ...]] = {
    Fact.DRAFT_ORDERS: (),  # carried by the hook context itself
    Fact.MEDICATION_HISTORY: (MEDICATION_REQUESTS, MEDICATION_ADMINISTRATIONS),
    Fact.PLANNED_SURGERY: (SERVICE_REQUESTS, PROCEDURES, APPOINTMENTS),
    Fact.COMPLETED_SURGERY: (PROCEDURES,),
    Fact.DEMOGRAPHICS: (PATIENT,),
    Fact.BODY_MEASUREMENTS: (BODY_MEASUREMENTS,),
    Fact.PRIMARY_CANCER: (CONDITIONS,),
    Fact.METASTASES: (CONDITIONS,),
    Fact.COMORBIDITIES: (CONDITIONS,),
    Fact.TUMOR_RISK_FEATURES: (CONDITIONS, CLINICAL_OBSERVATIONS),
    Fact.PERFORMANCE_STATUS: (CLINICAL_OBSERVATIONS,),
    Fact.TUMOR_MARKERS: (CLINICAL_OBSERVATIONS,),
    Fact.DISEASE_STATUS: (CLINICAL_OBSERVATIONS,),
    Fact.MOLECULAR_RESULTS: (CLINICAL_OBSERVATIONS,),
    Fact.BLOOD_PRESSURE: (VITAL_SIGNS,),
    Fact.PERITONEAL_SCORES: (CLINICAL_OBSERVATIONS,),
    Fact.INTERVENTIONS: (SERVICE_REQUESTS, PROCEDURES),
    Fact.IMAGING: (IMAGING_STUDIES, IMAGING_REPORTS, PROCEDURES),
}


def prefetch_for(facts: set[Fact], terminology: Terminology = BUILT_IN) -> dict[str, str]:
    """Prefetch templates (key → relative FHIR query) covering every fact, in a stable order."""
    queries: dict[str, str] = {}
    for fact in sorted(facts):
        for query in FACT_QUERIES[fact]:
            rendered = query if isinstance(query, Query) else query.render(terminology)
            queries[rendered.key] = rendered.template
    return dict(sorted(queries.items()))
