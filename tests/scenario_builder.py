"""Builders for scenario fixtures: small FHIR R4 resources and whole hook requests with their prefetch.

Used to write fixtures/scenarios/<RULE-ID>/<kind-name>/ (request.json + scenario.json); the golden
expected.json is then written by the scenario test with CDS_UPDATE_GOLDEN=1 and reviewed. Every prefetch key of
the service is filled (an empty searchset where the chart has nothing), so a scenario never needs a FHIR server.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fhir_mappings.queries import FACT_QUERIES
from fhir_mappings.resources import codings_of
from fhir_mappings.systems import ICD10CM, LOINC, PM_CONCEPTS, RXNORM, SNOMED
from fhir_mappings.terminology import BUILT_IN
from hooks.services import SERVICES

PATIENT_ID = "pm-patient-1"
SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"
SYSTEMS = {"icd": ICD10CM, "sct": SNOMED, "loinc": LOINC, "rxnorm": RXNORM, "pm": PM_CONCEPTS}

Json = dict[str, Any]


def concept(system: str, code: str, display: str) -> Json:
    """A CodeableConcept; `system` is a key of SYSTEMS (icd, sct, loinc, rxnorm, pm) or a URI."""
    return {
        "coding": [{"system": SYSTEMS.get(system, system), "code": code, "display": display}],
        "text": display,
    }


def patient(birth_date: str = "1962-05-14", gender: str = "female") -> Json:
    return {"resourceType": "Patient", "id": PATIENT_ID, "gender": gender, "birthDate": birth_date}


def condition(
    rid: str,
    system: str,
    code: str,
    display: str,
    clinical_status: str = "active",
    onset: str | None = None,
    body_site: Json | None = None,
) -> Json:
    out: Json = {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": clinical_status}]},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": concept(system, code, display),
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    if onset:
        out["onsetDateTime"] = onset
    if body_site:
        out["bodySite"] = [body_site]
    return out


def observation(rid: str, code: Json, effective: str, category: str = "laboratory", **value: Any) -> Json:
    """An Observation; pass the value as valueInteger=…, valueQuantity=…, valueCodeableConcept=…, and any
    other field (component=…, interpretation=…, referenceRange=…) by keyword."""
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
        "code": code,
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": effective,
        **value,
    }


def quantity(value: float, unit: str) -> Json:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def medication_request(
    rid: str,
    system: str,
    code: str,
    display: str,
    status: str = "draft",
    start: str | None = None,
    dose: Json | None = None,
    authored: str | None = None,
) -> Json:
    dosage: Json = {"text": display}
    if start:
        dosage["timing"] = {"repeat": {"boundsPeriod": {"start": start}}}
    if dose:
        dosage["doseAndRate"] = [{"doseQuantity": dose}]
    out: Json = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": concept(system, code, display),
        "dosageInstruction": [dosage],
    }
    if authored:
        out["authoredOn"] = authored
    return out


def service_request(
    rid: str,
    code: Json,
    status: str = "draft",
    occurrence: str | None = None,
    intent: str = "order",
    order_detail: list[Json] | None = None,
) -> Json:
    out: Json = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": status,
        "intent": intent,
        "code": code,
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    if occurrence:
        out["occurrenceDateTime"] = occurrence
    if order_detail:
        out["orderDetail"] = order_detail
    return out


def procedure(rid: str, code: Json, performed: str, status: str = "completed") -> Json:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "code": code,
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "performedDateTime": performed,
    }


def prefetch_key(resource: Json) -> str | None:
    rtype = resource["resourceType"]
    if rtype == "Observation":
        role = BUILT_IN.observations.first(codings_of(resource.get("code")))
        if role is None:
            return None
        if role[0] == "measure":
            return "bodyMeasurements"
        if role[0] in ("bp-panel", "systolic", "diastolic"):
            return "bloodPressure"
        return "clinicalObservations"
    return {
        "Patient": "patient",
        "Condition": "conditions",
        "MedicationRequest": "medicationRequests",
        "MedicationAdministration": "medicationAdministrations",
        "ServiceRequest": "serviceRequests",
        "Procedure": "procedures",
        "Appointment": "appointments",
    }.get(rtype)


def _bundle(resources: list[Json]) -> Json:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"https://ehr.example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def hook_request(
    hook: str,
    chart: list[Json],
    drafts: Sequence[Json] = (),
    selections: list[str] | None = None,
    patient_id: str = PATIENT_ID,
) -> Json:
    """A request for `hook` with every prefetch key any service may ask for filled from `chart` (the Patient
    is added when missing), so the fixture stays complete when a service's templates grow. For order-select,
    `selections` defaults to every draft."""
    if not any(r["resourceType"] == "Patient" for r in chart):
        chart = [patient(), *chart]
    by_key: dict[str, list[Json]] = {q.key: [] for queries in FACT_QUERIES.values() for q in queries}
    for resource in chart:
        key = prefetch_key(resource)
        if key in by_key:
            by_key[key].append(resource)
    prefetch: Json = {}
    for key, resources in sorted(by_key.items()):
        if key == "patient":
            prefetch[key] = resources[0] if resources else None
        else:
            prefetch[key] = _bundle(resources)
    context: Json = {"userId": "Practitioner/onc-1", "patientId": patient_id}
    if hook != "patient-view":
        context["encounterId"] = "enc-1"
        context["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]}
        if hook == "order-select":
            context["selections"] = (
                selections if selections is not None else [f"{d['resourceType']}/{d['id']}" for d in drafts]
            )
    name = f"{hook}:{json.dumps(chart, sort_keys=True)}:{json.dumps(list(drafts), sort_keys=True)}"
    return {
        "hookInstance": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
        "hook": hook,
        "context": context,
        "prefetch": prefetch,
    }


def write_scenario(
    rule_id: str,
    name: str,
    description: str,
    request: Json,
    expect: list[tuple[str, str]],
    now: str = "2026-03-02T09:00:00Z",
    timezone: str = "UTC",
) -> Path:
    """Write fixtures/scenarios/<rule_id>/<name>/ with the request and its scenario.json; `expect` lists
    (rule id, indicator) of the cards it expects, in response order; a scenario that does not expect its own
    rule's card forbids it."""
    service = next(s for s in SERVICES if s.hook == request["hook"])
    folder = SCENARIOS / rule_id / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "request.json").write_text(json.dumps(request, indent=2, ensure_ascii=False) + "\n")
    meta = {
        "description": description,
        "service": service.id,
        "now": now,
        "timezone": timezone,
        "expect": [{"rule": r, "indicator": i} for r, i in expect],
    }
    if rule_id not in {r for r, _ in expect}:
        meta["forbid"] = [rule_id]
    (folder / "scenario.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return folder
