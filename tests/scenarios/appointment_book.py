"""Scenarios of the appointment-book service (issue #17): a surgery booked less than 28 days after bevacizumab
(BEV-SURG-SCHEDULE, catalog revision 2), and the CRS/HIPEC candidacy rules when CRS or HIPEC is booked.

The appointments are those being booked (context `appointments`); the surgery order an appointment is based on
and the bevacizumab history come in prefetch. `python -m tests.scenario_builder BEV-SURG-SCHEDULE HIPEC-CRC-PCI
HIPEC-HCC HIPEC-LUNG` writes the folders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.scenario_builder import SCENARIO_ROOT, Json, concept, condition, hook_request, write_scenario
from tests.scenarios.bevacizumab_revision2 import (
    COURSE_CHART,
    LAPAROTOMY,
    bevacizumab,
    every_3_weeks,
    given,
    laparotomy,
)
from tests.scenarios.cytoreduction_revision2 import (
    COLON,
    CRS_DRAFT,
    LIVER_METASTASES,
    LUNG_PM,
    NSCLC,
    PERITONEUM,
    pci,
)

PATIENT = "pm-patient-1"
ONCOLOGY_VISIT = concept("sct", "394592004", "Clinical oncology")
SCHEDULE = ("BEV-SURG-SCHEDULE", "warning")
HCC = condition("hcc-1", "icd", "C22.0", "Liver cell carcinoma", onset="2025-12-01")
CRS = concept("pm", "cytoreductive-surgery", "Cytoreductive surgery (CRS)")


def appointment(
    rid: str,
    start: str,
    based_on: str | None = None,
    service_type: Json | None = None,
    status: str = "proposed",
    minutes: int = 180,
) -> Json:
    """An Appointment being booked at 08:00 UTC on `start` for `minutes`: based on an order, or coded itself."""
    end_hour, end_minute = divmod(8 * 60 + minutes, 60)
    out: Json = {
        "resourceType": "Appointment",
        "id": rid,
        "status": status,
        "start": f"{start}T08:00:00Z",
        "end": f"{start}T{end_hour:02d}:{end_minute:02d}:00Z",
        "participant": [{"actor": {"reference": f"Patient/{PATIENT}"}, "status": "accepted"}],
    }
    if based_on:
        out["basedOn"] = [{"reference": based_on}]
    if service_type:
        out["serviceType"] = [service_type]
    return out


@dataclass(frozen=True)
class Booking:
    """An appointment-book scenario: the chart, the appointments being booked, the cards expected."""

    rule: str
    name: str
    description: str
    chart: tuple[Json, ...]
    appointments: tuple[Json, ...]
    expect: tuple[tuple[str, str], ...]

    def write(self, root: Path = SCENARIO_ROOT) -> Path:
        request = hook_request(
            "appointment-book", list(self.chart), list(self.appointments), patient_id=PATIENT
        )
        return write_scenario(self.rule, self.name, self.description, request, list(self.expect), root=root)


def _dose_then_booked(
    name: str, dose_on: str, surgery_on: str, expect: tuple[tuple[str, str], ...]
) -> Booking:
    """Bevacizumab given on `dose_on`; a laparotomy appointment, coded itself, booked for `surgery_on`."""
    return Booking(
        "BEV-SURG-SCHEDULE",
        name,
        f"Bevacizumab given {dose_on}; a laparotomy appointment (serviceType SNOMED 86481000) is booked for "
        f"{surgery_on}: " + ("less than 28 days, a warning." if expect else "28 days or more, no card."),
        (*COURSE_CHART, given("bev-given-1", f"{dose_on}T10:00:00Z")),
        (appointment("appt-1", surgery_on, service_type=LAPAROTOMY),),
        expect,
    )


SCENARIOS: tuple[Booking, ...] = (
    Booking(
        "BEV-SURG-SCHEDULE",
        "in-laparotomy-booked-10-days-after-a-dose-based-on-its-order",
        "Bevacizumab given 2026-02-20; the laparotomy order (in prefetch) is booked for 2026-03-02, 10 days "
        "later: a warning, with the move of the appointment to 2026-03-20 or keeping it.",
        (*COURSE_CHART, given("bev-given-1", "2026-02-20T10:00:00Z"), laparotomy("2026-03-25")),
        (appointment("appt-1", "2026-03-02", based_on="ServiceRequest/lap-1"),),
        (SCHEDULE,),
    ),
    _dose_then_booked(
        "boundary-booked-27-days-after-a-dose-is-flagged", "2026-02-05", "2026-03-04", (SCHEDULE,)
    ),
    _dose_then_booked("boundary-booked-28-days-after-a-dose-is-allowed", "2026-02-05", "2026-03-05", ()),
    _dose_then_booked("boundary-booked-29-days-after-a-dose-is-allowed", "2026-02-05", "2026-03-06", ()),
    Booking(
        "BEV-SURG-SCHEDULE",
        "in-two-appointments-one-surgical",
        "Bevacizumab given 2026-02-20; one Bundle books an oncology visit and a laparotomy on 2026-03-10: one "
        "warning, about the laparotomy only.",
        (*COURSE_CHART, given("bev-given-1", "2026-02-20T10:00:00Z")),
        (
            appointment("appt-visit", "2026-03-04", service_type=ONCOLOGY_VISIT, minutes=30),
            appointment("appt-lap", "2026-03-10", service_type=LAPAROTOMY),
        ),
        (SCHEDULE,),
    ),
    Booking(
        "BEV-SURG-SCHEDULE",
        "out-non-surgical-appointment",
        "Bevacizumab given 2026-02-20; an oncology visit is booked for 2026-03-04: not a surgery, no card.",
        (*COURSE_CHART, given("bev-given-1", "2026-02-20T10:00:00Z")),
        (appointment("appt-visit", "2026-03-04", service_type=ONCOLOGY_VISIT, minutes=30),),
        (),
    ),
    Booking(
        "BEV-SURG-SCHEDULE",
        "out-no-bevacizumab-history",
        "No bevacizumab on record; a laparotomy is booked for 2026-03-04: no card.",
        COURSE_CHART,
        (appointment("appt-1", "2026-03-04", service_type=LAPAROTOMY),),
        (),
    ),
    Booking(
        "BEV-SURG-SCHEDULE",
        "in-active-course-scheduled-past-the-booking",
        "A 3-weekly bevacizumab course from 2026-02-16 (active) and a laparotomy booked for 2026-03-20: cycle 2 "
        "on 2026-03-09 is 11 days before, and the course runs on past it: pause it, no date alone suggested.",
        (*COURSE_CHART, bevacizumab("bev-course", "active", every_3_weeks("2026-02-16"))),
        (appointment("appt-1", "2026-03-20", service_type=LAPAROTOMY),),
        (SCHEDULE,),
    ),
    Booking(
        "HIPEC-CRC-PCI",
        "in-crs-booked-pci-24-with-liver-metastasis",
        "Sigmoid colon cancer with PM, PCI 24 and a liver metastasis; the CRS order is booked for 2026-03-23: a "
        "warning, as on order-sign.",
        (COLON, PERITONEUM, LIVER_METASTASES, pci(24), {**CRS_DRAFT, "status": "active"}),
        (appointment("appt-crs", "2026-03-23", based_on="ServiceRequest/crs-1"),),
        (("HIPEC-CRC-PCI", "warning"),),
    ),
    Booking(
        "HIPEC-HCC",
        "in-crs-booked-without-response-to-systemic-therapy",
        "HCC (C22.0) with PM, no systemic therapy or AFP on record; the CRS order is booked for 2026-03-23: a "
        "warning, as on order-sign (CRS/HIPEC only after a profound response).",
        (HCC, PERITONEUM, {**CRS_DRAFT, "status": "active"}),
        (appointment("appt-crs", "2026-03-23", based_on="ServiceRequest/crs-1"),),
        (("HIPEC-HCC", "warning"),),
    ),
    Booking(
        "HIPEC-LUNG",
        "in-crs-booking-coded-directly",
        "NSCLC with PM; an appointment coded as cytoreductive surgery (serviceType) is booked for 2026-03-23 "
        "with no order behind it: a warning, CRS/HIPEC is not standard for lung cancer.",
        (NSCLC, LUNG_PM),
        (appointment("appt-crs", "2026-03-23", service_type=CRS),),
        (("HIPEC-LUNG", "warning"),),
    ),
    Booking(
        "HIPEC-LUNG",
        "out-non-surgical-booking",
        "NSCLC with PM; an oncology visit is booked: no CRS/HIPEC is being booked, no card.",
        (NSCLC, LUNG_PM),
        (appointment("appt-visit", "2026-03-04", service_type=ONCOLOGY_VISIT, minutes=30),),
        (),
    ),
)
