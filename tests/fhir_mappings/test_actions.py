"""Suggestion resources: drafts moved in time, written back as valid FHIR R4."""

from __future__ import annotations

import contextlib
import copy
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fhir_mappings.actions import (
    InvalidFhirResource,
    validated,
    with_dose,
    with_medication_start,
    with_occurrence,
)

UTC = ZoneInfo("UTC")


def order(**fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "d1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {"text": "bevacizumab"},
        **fields,
    }


def test_every_schedule_date_moves_by_the_same_days_keeping_precision_and_offset() -> None:
    draft = order(
        dosageInstruction=[
            {
                "timing": {
                    "event": ["2026-03-02T10:00:00+01:00"],
                    "repeat": {"boundsPeriod": {"start": "2026-03-02", "end": "2026-06-01"}},
                }
            }
        ],
        dispenseRequest={"validityPeriod": {"start": "2026-03-02T08:00:00Z", "end": "2026-06-01T08:00:00Z"}},
    )
    moved = with_medication_start(draft, date(2026, 3, 2), date(2026, 4, 13), UTC)
    timing = moved["dosageInstruction"][0]["timing"]
    assert timing["event"] == ["2026-04-13T10:00:00+01:00"]
    assert timing["repeat"]["boundsPeriod"] == {"start": "2026-04-13", "end": "2026-07-13"}
    assert moved["dispenseRequest"]["validityPeriod"] == {
        "start": "2026-04-13T08:00:00Z",
        "end": "2026-07-13T08:00:00Z",
    }
    assert draft["dosageInstruction"][0]["timing"]["event"] == [
        "2026-03-02T10:00:00+01:00"
    ]  # input untouched


def test_suggestions_never_change_the_draft_they_copy() -> None:
    draft = order(
        category={"text": "outpatient"},
        dosageInstruction=[
            {
                "timing": {"event": ["2026-03-02"], "repeat": {"boundsPeriod": {"start": "2026-03-02"}}},
                "doseAndRate": [{"doseQuantity": {"value": 100, "unit": "mg"}}, {"doseRange": {}}],
            }
        ],
        dispenseRequest={"validityPeriod": {"start": "2026-03-02"}},
    )
    before = copy.deepcopy(draft)
    moved = with_medication_start(draft, date(2026, 3, 2), date(2026, 4, 13), UTC)
    dosed = with_dose(draft, 80.0, "mg")
    assert draft == before
    assert moved["dosageInstruction"][0]["doseAndRate"] == before["dosageInstruction"][0]["doseAndRate"]
    assert dosed["dosageInstruction"][0]["timing"] == before["dosageInstruction"][0]["timing"]
    assert dosed["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 80.0


def test_an_order_without_a_schedule_gets_a_start_bound() -> None:
    moved = with_medication_start(
        order(dosageInstruction=[{"text": "15 mg/kg"}]), date(2026, 3, 2), date(2026, 4, 1), UTC
    )
    assert moved["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"] == {"start": "2026-04-01"}
    assert with_medication_start(order(), date(2026, 3, 2), date(2026, 4, 1), UTC)["dosageInstruction"] == [
        {"timing": {"repeat": {"boundsPeriod": {"start": "2026-04-01"}}}}
    ]


def test_a_category_object_is_written_back_as_an_array() -> None:
    moved = with_medication_start(
        order(category={"text": "outpatient"}), date(2026, 3, 2), date(2026, 4, 1), UTC
    )
    assert moved["category"] == [{"text": "outpatient"}]


def test_service_request_date_moves_with_its_time_of_day() -> None:
    surgery = {
        "resourceType": "ServiceRequest",
        "id": "s1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p"},
        "occurrenceDateTime": "2026-03-10T08:30:00-05:00",
    }
    moved = with_occurrence(surgery, date(2026, 3, 10), date(2026, 3, 18), UTC)
    assert moved["occurrenceDateTime"] == "2026-03-18T08:30:00-05:00"


def test_a_resource_that_is_not_valid_fhir_is_never_emitted() -> None:
    with pytest.raises(InvalidFhirResource):
        validated({"resourceType": "MedicationRequest", "id": "x", "status": "draft"})  # no intent, subject
    with pytest.raises(InvalidFhirResource):
        with_medication_start(order(subject="Patient/p"), date(2026, 3, 2), date(2026, 4, 1), UTC)


def test_a_dose_moved_across_daylight_saving_keeps_its_local_day_and_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    draft = order(
        dosageInstruction=[{"timing": {"repeat": {"boundsPeriod": {"start": "2026-10-05T22:30:00Z"}}}}]
    )
    moved = with_medication_start(draft, date(2026, 10, 6), date(2026, 11, 12), berlin)
    start = moved["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["start"]
    assert (
        start == "2026-11-11T23:30:00Z"
    )  # 00:30 on 12 November in Berlin (CET), as 00:30 CEST was on 6 October


UNREADABLE_DOSAGES = {
    "string-dosage": ["x"],
    "string-timing": [{"timing": "x"}],
    "string-repeat": [{"timing": {"repeat": "x"}}],
    "impossible-end": [
        {"timing": {"repeat": {"boundsPeriod": {"start": "2026-03-02", "end": "2026-02-30"}}}}
    ],
    "unreadable-event": [{"timing": {"event": ["2026-03-02", "tomorrow!!"]}}],
    "bare-event": [{"timing": {"event": "2026-03-02"}}],
}
"""Dosage instructions as broken EHRs send them (shared with the protocol tests)."""


@pytest.mark.parametrize("dosage", UNREADABLE_DOSAGES.values(), ids=UNREADABLE_DOSAGES.keys())
def test_unreadable_schedule_parts_never_raise_anything_but_invalid_fhir(dosage: Any) -> None:
    with contextlib.suppress(InvalidFhirResource):  # then the suggestion is dropped; the card still goes out
        with_medication_start(order(dosageInstruction=dosage), date(2026, 3, 2), date(2026, 4, 1), UTC)
