"""FHIR JSON → facts, entry by entry, lenient with what real EHRs send."""

from __future__ import annotations

from datetime import date
from typing import Any

from fhir_mappings.facts import Drug
from fhir_mappings.systems import PM_CONCEPTS, SNOMED
from tests.facts import extracted

BEV = {"coding": [{"system": PM_CONCEPTS, "code": "bevacizumab"}]}
SURGICAL = [{"coding": [{"system": SNOMED, "code": "387713003"}]}]
LAPAROTOMY = {"coding": [{"system": SNOMED, "code": "86481000"}], "text": "Laparotomy"}


def med_request(id: str = "m1", **fields: Any) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "id": id, "status": "draft", "intent": "order", **fields}


def service_request(id: str = "s1", **fields: Any) -> dict[str, Any]:
    base = {
        "resourceType": "ServiceRequest",
        "id": id,
        "status": "active",
        "intent": "order",
        "category": SURGICAL,
        "code": LAPAROTOMY,
        "occurrenceDateTime": "2026-03-16",
    }
    return {**base, **fields}


def test_draft_with_category_object_and_coded_bevacizumab_is_read() -> None:
    order = med_request(
        category={"text": "outpatient"},
        medicationCodeableConcept=BEV,
        dosageInstruction=[{"timing": {"repeat": {"boundsPeriod": {"start": "2026-03-02"}}}}],
    )
    facts = extracted(drafts=(order,))
    [fact] = facts.medication_orders
    assert (fact.drug, fact.start, fact.is_draft, fact.under_review) == (
        Drug.BEVACIZUMAB,
        date(2026, 3, 2),
        True,
        True,
    )


def test_medication_is_identified_through_contained_and_bundled_references() -> None:
    contained = med_request(
        "m1",
        contained=[{"resourceType": "Medication", "id": "med", "code": BEV}],
        medicationReference={"reference": "#med"},
    )
    bundled = med_request(
        "m2", medicationReference={"reference": "https://ehr.example.org/fhir/Medication/b"}
    )
    by_ingredient = med_request("m3", medicationReference={"reference": "Medication/i"})
    medications: list[dict[str, Any]] = [
        {"resourceType": "Medication", "id": "b", "code": BEV},
        {
            "resourceType": "Medication",
            "id": "i",
            "code": {"text": "Brand X"},
            "ingredient": [{"itemCodeableConcept": BEV}],
        },
    ]
    facts = extracted(*medications, drafts=(contained, bundled, by_ingredient))
    assert [o.drug for o in facts.medication_orders] == [Drug.BEVACIZUMAB] * 3


def test_the_coded_medicine_comes_before_the_referenced_one() -> None:
    oxaliplatin = {"coding": [{"system": PM_CONCEPTS, "code": "oxaliplatin"}]}
    unknown = {"coding": [{"system": SNOMED, "code": "0"}, {"system": None, "code": "bevacizumab"}]}
    reference = {"reference": "Medication/b"}
    orders = (
        med_request("m1", medicationCodeableConcept=oxaliplatin, medicationReference=reference),
        med_request("m2", medicationCodeableConcept=unknown, medicationReference=reference),
        med_request("m3", medicationCodeableConcept=unknown),
    )
    medication = {
        "resourceType": "Medication",
        "id": "b",
        "code": {"coding": [{"system": SNOMED, "code": "1"}]},
        "ingredient": [{"itemCodeableConcept": BEV}, {"itemCodeableConcept": oxaliplatin}],
    }
    facts = extracted(medication, drafts=orders)
    assert [(o.ref, o.drug) for o in facts.medication_orders] == [
        ("MedicationRequest/m1", Drug.OXALIPLATIN),
        ("MedicationRequest/m2", Drug.BEVACIZUMAB),
    ]


def test_display_text_alone_never_identifies_a_drug() -> None:
    order = med_request(
        medicationCodeableConcept={"text": "bevacizumab", "coding": [{"display": "bevacizumab"}]}
    )
    assert extracted(drafts=(order,)).medication_orders == ()  # an order for no known drug is not read


def test_selections_decide_what_is_under_review() -> None:
    a, b = med_request("a", medicationCodeableConcept=BEV), med_request("b", medicationCodeableConcept=BEV)
    facts = extracted(drafts=(a, b), review=["MedicationRequest/b"])
    assert [(o.ref, o.under_review) for o in facts.medication_orders] == [
        ("MedicationRequest/a", False),
        ("MedicationRequest/b", True),
    ]


def test_planned_surgery_sources_and_exclusions() -> None:
    facts = extracted(
        service_request("planned"),
        service_request(
            "period", occurrenceDateTime=None, occurrencePeriod={"start": "2026-03-20T08:00:00Z"}
        ),
        service_request("done", status="completed"),
        service_request("proposal", intent="proposal"),
        service_request("undated", occurrenceDateTime=None),
        service_request("not-surgery", category=[{"text": "lab"}], code={"text": "CBC"}),
        {
            "resourceType": "Procedure",
            "id": "prep",
            "status": "preparation",
            "code": LAPAROTOMY,
            "performedDateTime": "2026-03-07",
        },
    )
    assert [(s.ref, s.on) for s in facts.planned_surgeries] == [
        ("Procedure/prep", date(2026, 3, 7)),
        ("ServiceRequest/planned", date(2026, 3, 16)),
        ("ServiceRequest/period", date(2026, 3, 20)),
    ]


def test_booked_appointment_carries_the_date_of_the_order_it_is_based_on() -> None:
    order = service_request("lap", occurrenceDateTime=None)
    booking = {
        "resourceType": "Appointment",
        "id": "ap",
        "status": "booked",
        "start": "2026-03-14T08:00:00Z",
        "basedOn": [{"reference": "ServiceRequest/lap"}],
    }
    cancelled = {**booking, "id": "ap2", "status": "cancelled", "start": "2026-03-04T08:00:00Z"}
    facts = extracted(order, booking, cancelled)
    assert [(s.ref, s.name, s.on) for s in facts.planned_surgeries] == [
        ("Appointment/ap", "Laparotomy", date(2026, 3, 14))
    ]


def test_completed_surgery_is_major_only_by_code() -> None:
    major = {
        "resourceType": "Procedure",
        "id": "p1",
        "status": "completed",
        "code": LAPAROTOMY,
        "performedPeriod": {"start": "2026-02-19T22:00:00Z", "end": "2026-02-20T01:00:00Z"},
    }
    minor = {
        "resourceType": "Procedure",
        "id": "p2",
        "status": "completed",
        "category": SURGICAL[0],
        "code": {"text": "Port placement"},
        "performedDateTime": "2026-02-25",
    }
    facts = extracted(major, minor)
    assert [(s.ref, s.on, s.major) for s in facts.completed_surgeries] == [
        ("Procedure/p1", date(2026, 2, 20), True),
        ("Procedure/p2", date(2026, 2, 25), False),
    ]


def test_a_draft_wins_over_a_record_resource_with_the_same_id() -> None:
    record = med_request("x", status="active", medicationCodeableConcept={"text": "other"})
    draft = med_request("x", medicationCodeableConcept=BEV)
    facts = extracted(record, drafts=(draft,))
    assert [(o.drug, o.is_draft) for o in facts.medication_orders] == [(Drug.BEVACIZUMAB, True)]


def test_a_bare_string_where_fhir_wants_an_array_is_read_leniently() -> None:
    lenient = service_request("lenient", occurrenceTiming={"event": "2026-03-18"}, occurrenceDateTime=None)
    assert [s.on for s in extracted(lenient).planned_surgeries] == [date(2026, 3, 18)]


def test_a_resource_that_breaks_its_extractor_is_skipped_and_counted() -> None:
    unhashable_status = service_request("bad", status=["active"])
    facts = extracted(service_request("good"), unhashable_status)
    assert [s.ref for s in facts.planned_surgeries] == ["ServiceRequest/good"]
    assert facts.skipped_resources == 1
