"""Realistic CDS Hooks requests of three sizes, for patient-view and order-select, with cards to produce.

Each record has a patient, conditions and observations (laboratory results with weight, height and creatinine
among them, under the `patient`, `conditions` and `bodyMeasurements` keys: where a service does not ask for a key
it is an extra, as EHRs that prefetch generously send, and the service only reads it as JSON), and medication
requests (one a bevacizumab course), administrations, service requests (a laparotomy 14 days from today),
procedures and appointments. Dates are relative to today, so cards are produced
on any day the benchmark runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

PATIENT_ID = "bench-patient-1"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
BEVACIZUMAB = "253337"
SURGICAL_CATEGORY = "387713003"
LAPAROTOMY = "86481000"
SERVICES = {
    "patient-view": "peritoneal-metastasis-patient-view",
    "order-select": "peritoneal-metastasis-order-select",
}


@dataclass(frozen=True)
class Size:
    name: str
    conditions: int
    observations: int
    medication_requests: int
    administrations: int
    service_requests: int
    procedures: int
    appointments: int


SIZES: dict[str, Size] = {
    "small": Size("small", 5, 20, 5, 5, 2, 2, 1),
    "medium": Size("medium", 20, 300, 50, 30, 10, 10, 5),
    "large": Size("large", 50, 3000, 300, 200, 40, 50, 20),
}

_LABS = [
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 9.0, 16.0),
    ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 2.0, 14.0),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 90.0, 450.0),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.5, 1.6),
    ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 8, 90),
    ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 130, 147),
    ("10334-1", "Cancer Ag 125 [Units/volume] in Serum or Plasma", "U/mL", 5, 900),
    ("2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma", "ng/mL", 0.1, 8),
]
_BODY = [
    ("29463-7", "Body weight", "kg", 55.0, 90.0),
    ("8302-2", "Body height", "cm", 150.0, 185.0),
]
_CONDITIONS = [
    ("C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum"),
    ("C53.9", "Malignant neoplasm of cervix uteri, unspecified"),
    ("C18.9", "Malignant neoplasm of colon, unspecified"),
    ("I10", "Essential (primary) hypertension"),
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("D63.0", "Anemia in neoplastic disease"),
]
_DRUGS = [
    ("1736854", "oxaliplatin 5 MG/ML Injectable Solution"),
    ("312086", "ondansetron 8 MG Oral Tablet"),
    ("197806", "ibuprofen 600 MG Oral Tablet"),
    ("314076", "lisinopril 10 MG Oral Tablet"),
    ("860975", "metformin hydrochloride 500 MG Oral Tablet"),
    ("197361", "amlodipine 5 MG Oral Tablet"),
]


def _ref(kind: str, rid: str) -> dict[str, str]:
    return {"reference": f"{kind}/{rid}"}


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _meta(i: int) -> dict[str, Any]:
    return {"versionId": str(1 + i % 3), "lastUpdated": "2025-11-02T10:15:00.000+00:00"}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": f"https://ehr.example.org/fhir/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": "match"},
    }


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [_entry(r) for r in resources],
    }


def patient() -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "meta": _meta(0),
        "identifier": [{"system": "urn:oid:1.2.36.146.595.217.0.1", "value": "MRN-0042"}],
        "active": True,
        "name": [{"use": "official", "family": "Bench", "given": ["Maria", "Elena"]}],
        "gender": "female",
        "birthDate": "1968-04-12",
        "address": [
            {"line": ["1 Example Street"], "city": "Springfield", "postalCode": "12345", "country": "US"}
        ],
    }


def condition(i: int, rng: random.Random) -> dict[str, Any]:
    code, display = _CONDITIONS[i % len(_CONDITIONS)]
    return {
        "resourceType": "Condition",
        "id": f"cond-{i}",
        "meta": _meta(i),
        "clinicalStatus": _concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"
        ),
        "verificationStatus": _concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"
        ),
        "category": [
            _concept(
                "http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem"
            )
        ],
        "code": _concept(ICD10, code, display),
        "subject": _ref("Patient", PATIENT_ID),
        "onsetDateTime": f"20{10 + i % 15:02d}-0{1 + i % 9}-1{i % 10}",
        "recordedDate": "2025-01-15",
        "recorder": _ref("Practitioner", "onc-1"),
        "note": [{"text": f"Problem list entry {i}, reviewed at tumour board {rng.randint(1, 40)}."}],
    }


def observation(i: int, rng: random.Random, today: date) -> dict[str, Any]:
    code, display, unit, low, high = _BODY[i] if i < len(_BODY) else _LABS[i % len(_LABS)]
    value = round(rng.uniform(low * 0.8, high * 1.2), 2)
    when = today - timedelta(days=i // len(_LABS))
    return {
        "resourceType": "Observation",
        "id": f"obs-{i}",
        "meta": _meta(i),
        "identifier": [{"system": "https://ehr.example.org/lab-results", "value": f"LAB-{100000 + i}"}],
        "status": "final",
        "category": [
            _concept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
        ],
        "code": _concept(LOINC, code, display),
        "subject": _ref("Patient", PATIENT_ID),
        "encounter": _ref("Encounter", f"enc-{i % 40}"),
        "effectiveDateTime": f"{when.isoformat()}T07:{i % 60:02d}:00Z",
        "issued": f"{when.isoformat()}T09:{i % 60:02d}:00.000Z",
        "performer": [_ref("Organization", "lab-1")],
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
        "interpretation": [
            _concept(
                "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                "N" if low <= value <= high else "A",
                "Normal" if low <= value <= high else "Abnormal",
            )
        ],
        "referenceRange": [
            {
                "low": {"value": low, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
                "high": {"value": high, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
            }
        ],
    }


def bevacizumab_request(rid: str, status: str, start: date, authored: date) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": _ref("Patient", PATIENT_ID),
        "medicationCodeableConcept": _concept(RXNORM, BEVACIZUMAB, "bevacizumab"),
        "authoredOn": authored.isoformat(),
        "requester": _ref("Practitioner", "onc-1"),
        "dosageInstruction": [
            {
                "text": "15 mg/kg IV every 3 weeks",
                "timing": {
                    "repeat": {
                        "boundsPeriod": {"start": start.isoformat()},
                        "frequency": 1,
                        "period": 3,
                        "periodUnit": "wk",
                    }
                },
            }
        ],
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                        "code": "outpatient",
                    }
                ]
            }
        ],
    }


def other_request(i: int, today: date) -> dict[str, Any]:
    code, display = _DRUGS[i % len(_DRUGS)]
    start = today - timedelta(days=30 + 7 * i)
    return {
        "resourceType": "MedicationRequest",
        "id": f"medrx-{i}",
        "meta": _meta(i),
        "status": "completed" if i % 3 else "active",
        "intent": "order",
        "subject": _ref("Patient", PATIENT_ID),
        "medicationCodeableConcept": _concept(RXNORM, code, display),
        "authoredOn": start.isoformat(),
        "requester": _ref("Practitioner", "onc-1"),
        "reasonReference": [_ref("Condition", f"cond-{i % 5}")],
        "dosageInstruction": [
            {
                "sequence": 1,
                "text": f"{display}: as directed",
                "timing": {
                    "repeat": {
                        "boundsPeriod": {
                            "start": start.isoformat(),
                            "end": (start + timedelta(days=21)).isoformat(),
                        },
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                    }
                },
                "route": _concept(SNOMED, "26643006", "Oral route"),
                "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
            }
        ],
        "dispenseRequest": {
            "validityPeriod": {"start": start.isoformat(), "end": (start + timedelta(days=90)).isoformat()},
            "numberOfRepeatsAllowed": 2,
            "quantity": {"value": 30, "unit": "tablet"},
        },
        "note": [{"text": "Generated for the benchmark."}],
    }


def administration(i: int, today: date) -> dict[str, Any]:
    code, display = _DRUGS[i % len(_DRUGS)]
    return {
        "resourceType": "MedicationAdministration",
        "id": f"medadmin-{i}",
        "status": "completed",
        "medicationCodeableConcept": _concept(RXNORM, code, display),
        "subject": _ref("Patient", PATIENT_ID),
        "effectiveDateTime": f"{(today - timedelta(days=10 + i)).isoformat()}T10:00:00Z",
        "request": _ref("MedicationRequest", f"medrx-{i}"),
        "dosage": {"text": "as ordered", "route": _concept(SNOMED, "47625008", "Intravenous route")},
    }


def service_request(rid: str, on: date, *, surgical: bool) -> dict[str, Any]:
    code = (
        _concept(SNOMED, LAPAROTOMY, "Laparotomy") if surgical else _concept(LOINC, "24357-6", "Urinalysis")
    )
    category = (
        _concept(SNOMED, SURGICAL_CATEGORY, "Surgical procedure")
        if surgical
        else _concept(SNOMED, "108252007", "Laboratory procedure")
    )
    return {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "category": [category],
        "code": code,
        "subject": _ref("Patient", PATIENT_ID),
        "occurrenceDateTime": f"{on.isoformat()}T08:00:00Z",
        "requester": _ref("Practitioner", "surg-1"),
    }


def procedure(i: int, today: date) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": f"proc-{i}",
        "status": "completed",
        "code": _concept(SNOMED, "274025005", "Colonic polypectomy" if i % 2 else "Biopsy"),
        "subject": _ref("Patient", PATIENT_ID),
        "performedDateTime": f"{(today - timedelta(days=200 + 11 * i)).isoformat()}T11:00:00Z",
    }


def appointment(i: int, today: date) -> dict[str, Any]:
    start = today + timedelta(days=60 + i)
    return {
        "resourceType": "Appointment",
        "id": f"appt-{i}",
        "status": "booked",
        "serviceType": [_concept(SNOMED, "394592004", "Clinical oncology")],
        "start": f"{start.isoformat()}T09:00:00Z",
        "end": f"{start.isoformat()}T09:30:00Z",
        "participant": [{"actor": _ref("Patient", PATIENT_ID), "status": "accepted"}],
    }


def record(size: Size, today: date, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Resources by prefetch key. The first surgical ServiceRequest is a laparotomy 14 days from today."""
    rng = random.Random(seed)
    lap = today + timedelta(days=14)
    meds = [bevacizumab_request("bev-course", "active", today - timedelta(days=7), today - timedelta(days=8))]
    meds += [other_request(i, today) for i in range(size.medication_requests - 1)]
    srs = [service_request("lap-1", lap, surgical=True)]
    srs += [
        service_request(f"sr-{i}", today + timedelta(days=40 + i), surgical=False)
        for i in range(1, size.service_requests)
    ]
    return {
        "patient": [patient()],
        "conditions": [condition(i, rng) for i in range(size.conditions)],
        "bodyMeasurements": [observation(i, rng, today) for i in range(size.observations)],
        "clinicalObservations": [],
        "bloodPressure": [],
        "medicationRequests": meds,
        "medicationAdministrations": [administration(i, today) for i in range(size.administrations)],
        "serviceRequests": srs,
        "procedures": [procedure(i, today) for i in range(size.procedures)],
        "appointments": [appointment(i, today) for i in range(size.appointments)],
        "imagingStudies": [],
        "imagingReports": [],
    }


def hook_request(hook: str, resources: dict[str, list[dict[str, Any]]], today: date) -> dict[str, Any]:
    """A patient-view or order-select request with everything in prefetch (Patient as a resource)."""
    prefetch: dict[str, Any] = {
        key: (items[0] if key == "patient" else searchset(items)) for key, items in resources.items()
    }
    context: dict[str, Any] = {
        "userId": "Practitioner/onc-1",
        "patientId": PATIENT_ID,
        "encounterId": "enc-1",
    }
    if hook == "order-select":
        draft = bevacizumab_request("bev-draft-1", "draft", today, today)
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": draft}],
        }
        context["selections"] = ["MedicationRequest/bev-draft-1"]
    return {
        "hookInstance": f"bench-{hook}-00000000-0000-4000-8000-000000000001",
        "hook": hook,
        "context": context,
        "prefetch": prefetch,
    }


def scaled_record(n: int, today: date) -> dict[str, list[dict[str, Any]]]:
    """`n` resources that the rules all read (no extra keys), for the linearity check: a tenth of them
    surgical ServiceRequests, the rest medication requests, administrations and procedures."""
    meds = [bevacizumab_request("bev-course", "active", today - timedelta(days=7), today - timedelta(days=8))]
    n_srs = max(1, n // 10)
    n_meds = max(0, (n - n_srs) // 2 - 1)
    n_admin = max(0, (n - n_srs) // 4)
    n_proc = max(0, n - n_srs - n_meds - 1 - n_admin - 1 - len(_BODY))
    meds += [other_request(i, today) for i in range(n_meds)]
    srs = [
        service_request(f"lap-{i}", today + timedelta(days=14 + i % 60), surgical=True) for i in range(n_srs)
    ]
    rng = random.Random(7)
    return {
        "patient": [patient()],
        "conditions": [],
        "bodyMeasurements": [observation(i, rng, today) for i in range(len(_BODY))],
        "clinicalObservations": [],
        "bloodPressure": [],
        "medicationRequests": meds,
        "medicationAdministrations": [administration(i, today) for i in range(n_admin)],
        "serviceRequests": srs,
        "procedures": [procedure(i, today) for i in range(n_proc)],
        "appointments": [],
        "imagingStudies": [],
        "imagingReports": [],
    }


def count(resources: dict[str, list[dict[str, Any]]]) -> int:
    return sum(len(v) for v in resources.values())
