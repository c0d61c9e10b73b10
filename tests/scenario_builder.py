"""Builders for scenario fixtures: small FHIR R4 resources and whole hook requests with their prefetch.

Used to write fixtures/scenarios/<RULE-ID>/<kind-name>/ (request.json + scenario.json); the golden
expected.json is then written by the scenario test with CDS_UPDATE_GOLDEN=1 and reviewed. Every prefetch key of
the service is filled (an empty searchset where the chart has nothing), so a scenario never needs a FHIR server.

Scenarios are described in the modules of the package `tests.scenarios` (each exposes `SCENARIOS`: specs with
their `rule`, `name` and a `write(root)` method). One command (re)writes the folders of the named rules from
their descriptions, then the goldens are rewritten and reviewed:

    .venv/bin/python -m tests.scenario_builder RULE-ID [RULE-ID ...]    # or --all
    CDS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_scenarios.py -k RULE-ID

`tests/test_scenario_descriptions.py` checks that the descriptions write exactly the folders on disk.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fhir_mappings.queries import FACT_QUERIES
from fhir_mappings.resources import codings_of
from fhir_mappings.systems import ICD10CM, LOINC, PM_CONCEPTS, RXNORM, SNOMED
from fhir_mappings.terminology import BUILT_IN
from hooks.rules import ALL_RULES
from hooks.services import SERVICES

PATIENT_ID = "pm-patient-1"
SCENARIO_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
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
        "ImagingStudy": "imagingStudies",
        "DiagnosticReport": "imagingReports",
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
    is added when missing), so the fixture stays complete when a service's templates grow. `drafts` are the
    draft orders (order hooks) or the Appointments being booked (appointment-book). For order-select,
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
    if hook == "appointment-book":
        context["appointments"] = {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]}
    elif hook != "patient-view":
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
    root: Path = SCENARIO_ROOT,
) -> Path:
    """Write <root>/<rule_id>/<name>/ (root: fixtures/scenarios) with the request and its scenario.json;
    `expect` lists (rule id, indicator) of the cards it expects, in response order; a scenario that does not
    expect its own rule's card forbids it."""
    service = next(s for s in SERVICES if s.hook == request["hook"])
    folder = root / rule_id / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "request.json").write_text(
        json.dumps(request, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    meta = {
        "description": description,
        "service": service.id,
        "now": now,
        "timezone": timezone,
        "expect": [{"rule": r, "indicator": i} for r, i in expect],
    }
    if rule_id not in {r for r, _ in expect}:
        meta["forbid"] = [rule_id]
    (folder / "scenario.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


@dataclass(frozen=True)
class PatientView:
    """A patient-view scenario: the chart, and the cards it expects (its own rule's absent: forbidden)."""

    rule: str
    name: str
    description: str
    chart: tuple[Json, ...]
    expect: tuple[tuple[str, str], ...]

    def write(self, root: Path = SCENARIO_ROOT) -> Path:
        request = hook_request("patient-view", list(self.chart))
        return write_scenario(self.rule, self.name, self.description, request, list(self.expect), root=root)


class ScenarioSpec(Protocol):
    """One scenario folder as a description module states it."""

    @property
    def rule(self) -> str: ...

    @property
    def name(self) -> str: ...

    def write(self, root: Path = SCENARIO_ROOT) -> Path:
        """Write the folder <root>/<rule>/<name>/ and return it."""
        ...


def described_scenarios() -> tuple[ScenarioSpec, ...]:
    """Every scenario of the description modules of `tests.scenarios`, in module name order; a folder is
    described once."""
    import tests.scenarios as package

    specs: list[ScenarioSpec] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if not hasattr(module, "SCENARIOS"):
            raise TypeError(f"{module.__name__} describes no SCENARIOS")
        specs += module.SCENARIOS
    folders = [(s.rule, s.name) for s in specs]
    duplicates = sorted({f for f in folders if folders.count(f) > 1})
    if duplicates:
        raise ValueError(f"scenario folders described twice: {duplicates}")
    return tuple(specs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.scenario_builder",
        description="(Re)write the scenario folders of the named rules from their descriptions in tests.scenarios; "
        "then rewrite their goldens with CDS_UPDATE_GOLDEN=1 and review the diff.",
    )
    parser.add_argument("rules", nargs="*", metavar="RULE-ID", help="catalog ids of the rules to (re)write")
    parser.add_argument("--all", action="store_true", help="every described scenario")
    parser.add_argument(
        "--root",
        type=Path,
        default=SCENARIO_ROOT,
        help="the folder of rule folders (default: fixtures/scenarios)",
    )
    args = parser.parse_args(argv)
    if bool(args.rules) == args.all:
        parser.error("name one or more rule ids, or --all")
    specs = described_scenarios()
    if not args.all:
        known = {r.id for r in ALL_RULES}
        described = {s.rule for s in specs}
        for rule_id in args.rules:
            if rule_id not in known:
                parser.error(f"unknown rule id {rule_id!r}")
            if rule_id not in described:
                parser.error(f"no scenario of {rule_id} is described in tests.scenarios")
        specs = tuple(s for s in specs if s.rule in args.rules)
    for spec in specs:
        print(spec.write(args.root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
