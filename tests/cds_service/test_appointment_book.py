"""The appointment-book service: its context validated (a 400 naming the field), a booking without a start checked
against nothing (logged, never a 500), and the suggested move of an Appointment keeping its time and duration.

The decisions themselves (27/28/29 days, based on an order or coded, several appointments, CRS booked) are the
scenarios of tests/scenarios/appointment_book.py."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fhir_mappings.actions import with_appointment_day
from tests.conftest import CheckedClient, load_json
from tests.scenario_builder import SCENARIO_ROOT

SERVICE = "/cds-services/peritoneal-metastasis-appointment-book"
BOOKED = SCENARIO_ROOT / "BEV-SURG-SCHEDULE" / "in-laparotomy-booked-10-days-after-a-dose-based-on-its-order"


def booking() -> dict[str, Any]:
    request: dict[str, Any] = load_json(BOOKED / "request.json")
    return request


def fields(response: Any) -> list[str]:
    return [e for issue in response.json()["issue"] for e in issue.get("expression", [])]


@pytest.mark.parametrize(
    ("appointments", "field"),
    [
        (None, "context.appointments"),
        ({"resourceType": "Appointment", "id": "a1"}, "context.appointments.resourceType"),
        (
            {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "ServiceRequest"}}]},
            "context.appointments.entry[0].resource",
        ),
        (
            {"resourceType": "Bundle", "entry": [{"fullUrl": "urn:uuid:1"}]},
            "context.appointments.entry[0].resource",
        ),
    ],
    ids=["missing", "not-a-bundle", "not-an-appointment", "entry-without-resource"],
)
def test_appointments_that_are_not_a_bundle_of_appointments_are_400_naming_the_field(
    appointments: Any, field: str, client: CheckedClient
) -> None:
    request = booking()
    if appointments is None:
        request["context"].pop("appointments")
    else:
        request["context"]["appointments"] = appointments
    response = client.post(SERVICE, json=request)
    assert response.status_code == 400, response.text
    assert field in fields(response)


def test_a_booking_without_start_is_checked_against_nothing_and_logged(
    client: CheckedClient, caplog: pytest.LogCaptureFixture
) -> None:
    request = booking()
    appointment = request["context"]["appointments"]["entry"][0]["resource"]
    appointment.pop("start")
    appointment.pop("end")
    with caplog.at_level(logging.INFO):
        response = client.post(SERVICE, json=request)
    assert response.status_code == 200, response.text
    assert response.json() == {"cards": []}
    assert "Appointment/appt-1 being booked has no start: checked against nothing" in caplog.text


def test_the_same_booking_with_its_start_gets_the_warning(client: CheckedClient) -> None:
    response = client.post(SERVICE, json=booking())
    assert response.status_code == 200, response.text
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in response.json()["cards"]] == [
        ("BEV-SURG-SCHEDULE", "warning")
    ]


def test_a_moved_appointment_keeps_its_local_time_of_day_and_duration_across_a_clock_change() -> None:
    """Paris changes to summer time on 2026-03-29: 08:00-11:00 local stays 08:00-11:00 local."""
    paris = ZoneInfo("Europe/Paris")
    booked = {
        "resourceType": "Appointment",
        "id": "a1",
        "status": "proposed",
        "start": "2026-03-20T08:00:00+01:00",
        "end": "2026-03-20T11:00:00+01:00",
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}],
    }
    moved = with_appointment_day(booked, date(2026, 3, 20), date(2026, 4, 1), paris)
    local = [datetime.fromisoformat(moved[k]).astimezone(paris) for k in ("start", "end")]
    assert [t.isoformat() for t in local] == ["2026-04-01T08:00:00+02:00", "2026-04-01T11:00:00+02:00"]
    assert booked["start"] == "2026-03-20T08:00:00+01:00", "the request's resource is left as it was"
