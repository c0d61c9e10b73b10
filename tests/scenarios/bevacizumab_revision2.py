"""Scenarios of revision 2 of the bevacizumab rules (catalog §1 and "Doses of a course", issue #16 item 1): every
cycle of a course is checked against the 28-day hold (CERVICAL-OMENTAL, "Toxicity management"), the card names
the cycle in conflict and the suggested move clears every cycle; an on-hold, completed or stopped course has no
future cycles; intravitreal bevacizumab is not the systemic course the hold speaks of; a colectomy or a radical
hysterectomy is major surgery, and a surgery order coded as a surgical procedure counts without a category; a
nonsensical repeat is bounded and still answered with a card.

`python -m tests.scenario_builder BEV-SURG-BEFORE BEV-SURG-AFTER BEV-SURG-SCHEDULE BEV-SURG-VIEW` (re)writes
these folders (with the recoded ones of those rules); the scenario test then writes their golden cards with
CDS_UPDATE_GOLDEN=1 (name the folders: `-k "BEV-SURG-BEFORE/ or BEV-SURG-AFTER/ or ..."`). Each states by hand
the cards it expects, or the rules it forbids. The clock of every scenario is 2026-03-02 09:00 UTC ("today").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.scenario_builder import (
    SCENARIO_ROOT,
    Json,
    concept,
    condition,
    hook_request,
    procedure,
    service_request,
    write_scenario,
)

NOW = "2026-03-02T09:00:00Z"
PATIENT = "pm-patient-1"
BEVACIZUMAB = ("rxnorm", "253337", "bevacizumab")
SURGICAL_CATEGORY = [concept("sct", "387713003", "Surgical procedure")]
LAPAROTOMY = concept("sct", "86481000", "Laparotomy")
INTRAVITREAL = concept("sct", "418401004", "Intravitreal route")
UCUM = "http://unitsofmeasure.org"
BEV_SURG = ("BEV-SURG-BEFORE", "BEV-SURG-AFTER", "BEV-SURG-SCHEDULE", "BEV-SURG-VIEW")

CERVICAL = condition(
    "cervix-1", "icd", "C53.9", "Malignant neoplasm of cervix uteri, unspecified", "recurrence", "2024-05-10"
)
OMENTUM = condition(
    "omentum-1",
    "icd",
    "C78.6",
    "Secondary malignant neoplasm of retroperitoneum and peritoneum",
    onset="2026-01-20",
)
CRC = condition("crc-1", "icd", "C18.2", "Malignant neoplasm of ascending colon", onset="2026-01-08")


def bevacizumab(
    rid: str,
    status: str = "draft",
    repeat: Json | None = None,
    events: tuple[str, ...] = (),
    text: str = "15 mg/kg IV every 3 weeks",
    route: Json | None = None,
    dose: Json | None = None,
) -> Json:
    """A bevacizumab MedicationRequest: its timing a repeat (period, count, bounds) or explicit events."""
    timing: Json = {}
    if repeat is not None:
        timing["repeat"] = repeat
    if events:
        timing["event"] = list(events)
    dosage: Json = {"text": text, "timing": timing}
    if route is not None:
        dosage["route"] = route
    dosage["doseAndRate"] = [
        {"doseQuantity": dose or {"value": 15, "unit": "mg/kg", "system": UCUM, "code": "mg/kg"}}
    ]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "medicationCodeableConcept": concept(*BEVACIZUMAB),
        "authoredOn": "2026-03-02",
        "dosageInstruction": [dosage],
    }


def every_3_weeks(start: str, **bounds: object) -> Json:
    """A 3-weekly repeat from `start` (boundsPeriod start), with a count or a bounds end when given."""
    repeat: Json = {"boundsPeriod": {"start": start}, "frequency": 1, "period": 3, "periodUnit": "wk"}
    if "end" in bounds:
        repeat["boundsPeriod"]["end"] = bounds.pop("end")
    return {**repeat, **bounds}


def given(rid: str, on: str, route: Json | None = None) -> Json:
    """A completed bevacizumab administration."""
    out: Json = {
        "resourceType": "MedicationAdministration",
        "id": rid,
        "status": "completed",
        "medicationCodeableConcept": concept(*BEVACIZUMAB),
        "subject": {"reference": f"Patient/{PATIENT}"},
        "effectiveDateTime": on,
    }
    if route is not None:
        out["dosage"] = {"route": route, "text": "1.25 mg intravitreal"}
    return out


def surgery_order(rid: str, code: Json, on: str, status: str = "active", category: bool = True) -> Json:
    out = service_request(rid, code, status=status, occurrence=on)
    if category:
        out["category"] = SURGICAL_CATEGORY
    return out


def laparotomy(on: str, rid: str = "lap-1") -> Json:
    return surgery_order(rid, LAPAROTOMY, on)


@dataclass(frozen=True)
class Scenario:
    """One folder: the hook, the chart and this call's drafts, the cards expected and the rules forbidden
    (besides the folder's own rule, forbidden whenever its card is not expected)."""

    rule: str
    name: str
    description: str
    hook: str
    chart: tuple[Json, ...]
    drafts: tuple[Json, ...] = ()
    expect: tuple[tuple[str, str], ...] = ()
    forbid: tuple[str, ...] = ()

    def write(self, root: Path = SCENARIO_ROOT) -> Path:
        request = hook_request(self.hook, [*self.chart], [*self.drafts], patient_id=PATIENT)
        folder = write_scenario(
            self.rule, self.name, self.description, request, list(self.expect), NOW, "UTC", root=root
        )
        if self.forbid:
            meta_file = folder / "scenario.json"
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            meta["forbid"] = sorted({*meta.get("forbid", []), *self.forbid})
            meta_file.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return folder


def _before(
    name: str, description: str, drafts: tuple[Json, ...], chart: tuple[Json, ...], flagged: bool
) -> Scenario:
    return Scenario(
        "BEV-SURG-BEFORE",
        name,
        description,
        "order-select",
        chart,
        drafts,
        (("BEV-SURG-BEFORE", "critical"),) if flagged else (),
    )


def _nonsensical(name: str, what: str, repeat: Json) -> Scenario:
    return _before(
        name,
        f"A bevacizumab draft whose repeat is nonsensical ({what}), a laparotomy in 20 days: the schedule is "
        "bounded (a year ahead at most), the hook answers with the critical card and never fails.",
        (bevacizumab("bev-draft-1", repeat=repeat, text="bevacizumab"),),
        (CERVICAL, OMENTUM, laparotomy("2026-03-22")),
        flagged=True,
    )


COURSE_CHART = (CERVICAL, OMENTUM)
ON_HOLD_EVENTS = (
    "2025-11-30T10:00:00Z",
    "2025-12-21T10:00:00Z",
    "2026-01-11T10:00:00Z",
    "2026-03-15T10:00:00Z",
    "2026-04-05T10:00:00Z",
)
ON_HOLD_GIVEN = (
    given("bev-given-1", "2025-11-30"),
    given("bev-given-2", "2025-12-21"),
    given("bev-given-3", "2026-01-11"),
)

SCENARIOS: tuple[Scenario, ...] = (
    _before(
        "in-cycle-2-14-days-before-laparotomy-on-day-35",
        "A 3-weekly bevacizumab course starting today (6 cycles) with a laparotomy on day 35: cycle 1 is 35 days "
        "before, but cycle 2 (day 21) is 14 days before it: critical, the card names cycle 2 and its date, and "
        "the move shifts the whole course so that no cycle falls within 28 days of the laparotomy.",
        (bevacizumab("bev-draft-1", repeat=every_3_weeks("2026-03-02", count=6)),),
        (*COURSE_CHART, laparotomy("2026-04-06")),
        flagged=True,
    ),
    _before(
        "boundary-cycle-2-exactly-28-days-before-surgery-is-allowed",
        "A 2-cycle 3-weekly course from today; cycle 2 (2026-03-23) is exactly 28 days before the laparotomy "
        "of 2026-04-20: allowed, no card.",
        (bevacizumab("bev-draft-1", repeat=every_3_weeks("2026-03-02", count=2)),),
        (*COURSE_CHART, laparotomy("2026-04-20")),
        flagged=False,
    ),
    _before(
        "boundary-cycle-2-27-days-before-surgery-is-flagged",
        "The same course with the laparotomy on 2026-04-19: cycle 2 is 27 days before it: critical.",
        (bevacizumab("bev-draft-1", repeat=every_3_weeks("2026-03-02", count=2)),),
        (*COURSE_CHART, laparotomy("2026-04-19")),
        flagged=True,
    ),
    _before(
        "in-radical-hysterectomy-ordered-without-a-category",
        "A radical hysterectomy (SNOMED 116142003) ordered for 2026-03-20 with no category: its code makes it a "
        "surgery; bevacizumab today, 18 days before: critical.",
        (bevacizumab("bev-draft-1", repeat=every_3_weeks("2026-03-02", count=1)),),
        (
            *COURSE_CHART,
            surgery_order(
                "hyst-1",
                concept("sct", "116142003", "Radical hysterectomy"),
                "2026-03-20",
                category=False,
            ),
        ),
        flagged=True,
    ),
    Scenario(
        "BEV-SURG-BEFORE",
        "out-intravitreal-bevacizumab-no-cancer-before-hip-replacement",
        "1.25 mg intravitreal bevacizumab (SNOMED route 418401004) ordered for a patient with no cancer, a total "
        "hip replacement planned in 14 days: not the systemic course the hold speaks of: no BEV-SURG card.",
        "order-select",
        (
            surgery_order(
                "hip-1", concept("sct", "52734007", "Total replacement of hip (procedure)"), "2026-03-16"
            ),
        ),
        (
            bevacizumab(
                "bev-eye-1",
                text="bevacizumab 1.25 mg intravitreal injection, right eye",
                route=INTRAVITREAL,
                dose={"value": 1.25, "unit": "mg", "system": UCUM, "code": "mg"},
            ),
        ),
        forbid=BEV_SURG,
    ),
    _nonsensical(
        "in-repeat-period-0-is-no-schedule-start-dose-checked",
        "period 0",
        {"boundsPeriod": {"start": "2026-03-02"}, "frequency": 1, "period": 0, "periodUnit": "wk"},
    ),
    _nonsensical(
        "in-repeat-count-minus-1-is-one-dose",
        "count -1",
        {
            "boundsPeriod": {"start": "2026-03-02"},
            "count": -1,
            "frequency": 1,
            "period": 3,
            "periodUnit": "wk",
        },
    ),
    _nonsensical(
        "in-repeat-10000-daily-cycles-is-bounded",
        "count 10000, daily",
        {
            "boundsPeriod": {"start": "2026-03-02"},
            "count": 10000,
            "frequency": 1,
            "period": 1,
            "periodUnit": "d",
        },
    ),
    Scenario(
        "BEV-SURG-AFTER",
        "in-12-days-after-right-hemicolectomy",
        "A right hemicolectomy (SNOMED 359571009, a colectomy: major surgery) done on 2026-02-18; bevacizumab "
        "ordered to start today, 12 days after: critical, earliest restart 2026-03-18.",
        "order-select",
        (
            CRC,
            condition(
                "pm-1",
                "icd",
                "C78.6",
                "Secondary malignant neoplasm of retroperitoneum and peritoneum",
                onset="2026-01-08",
            ),
            procedure("hemi-1", concept("sct", "359571009", "Right hemicolectomy"), "2026-02-18"),
        ),
        (
            bevacizumab(
                "bev-draft-1",
                repeat=every_3_weeks("2026-03-02", count=6),
                text="7.5 mg/kg IV every 3 weeks",
                dose={"value": 7.5, "unit": "mg/kg", "system": UCUM, "code": "mg/kg"},
            ),
        ),
        (("BEV-SURG-AFTER", "critical"),),
    ),
    Scenario(
        "BEV-SURG-SCHEDULE",
        "in-active-course-future-cycle-21-days-before-requested-date",
        "An active 4-cycle 3-weekly course from 2026-02-09 (cycles 2026-03-02, 2026-03-23, 2026-04-13 still to "
        "come); a laparotomy requested for 2026-05-04, 21 days after cycle 4: warning, earliest 2026-05-11.",
        "order-select",
        (*COURSE_CHART, bevacizumab("bev-course", "active", every_3_weeks("2026-02-09", count=4))),
        (surgery_order("lap-draft", LAPAROTOMY, "2026-05-04", status="draft"),),
        (("BEV-SURG-SCHEDULE", "warning"),),
    ),
    Scenario(
        "BEV-SURG-SCHEDULE",
        "out-on-hold-course-future-cycles-do-not-count",
        "The same course on hold after cycle 1 (2026-02-09): its cycles to come are not doses while it is on "
        "hold; a laparotomy requested for 2026-05-04 is 84 days after cycle 1: no card.",
        "order-select",
        (
            *COURSE_CHART,
            bevacizumab("bev-course", "on-hold", every_3_weeks("2026-02-09", count=4)),
            given("bev-given-1", "2026-02-09"),
        ),
        (surgery_order("lap-draft", LAPAROTOMY, "2026-05-04", status="draft"),),
    ),
    Scenario(
        "BEV-SURG-SCHEDULE",
        "out-intravitreal-injection-10-days-before-hip-replacement",
        "Intravitreal bevacizumab given 10 days ago (SNOMED route 418401004) to a patient with no cancer; a hip "
        "replacement ordered for 2026-03-16: ocular use is not extracted: no card.",
        "order-select",
        (given("bev-eye-given", "2026-02-20", route=INTRAVITREAL),),
        (
            surgery_order(
                "hip-draft",
                concept("sct", "52734007", "Total replacement of hip (procedure)"),
                "2026-03-16",
                status="draft",
            ),
        ),
        forbid=BEV_SURG,
    ),
    Scenario(
        "BEV-SURG-VIEW",
        "out-on-hold-course-last-dose-50-days-ago",
        "A course on hold, its last dose 50 days ago (2026-01-11; cycles of 2026-03-15 and 2026-04-05 still on "
        "the order), a laparotomy planned for 2026-03-22: no future cycle while on hold, the last dose is 70 "
        "days before: no card (revision 1 called it 'still scheduled').",
        "patient-view",
        (
            *COURSE_CHART,
            bevacizumab("bev-course", "on-hold", events=ON_HOLD_EVENTS),
            *ON_HOLD_GIVEN,
            laparotomy("2026-03-22"),
        ),
    ),
    Scenario(
        "BEV-SURG-VIEW",
        "in-active-course-next-cycle-7-days-before-surgery",
        "The same course active: its cycle 4 on 2026-03-15 is 7 days before the laparotomy of 2026-03-22: "
        "warning naming cycle 4.",
        "patient-view",
        (
            *COURSE_CHART,
            bevacizumab("bev-course", "active", events=ON_HOLD_EVENTS),
            *ON_HOLD_GIVEN,
            laparotomy("2026-03-22"),
        ),
        expect=(("BEV-SURG-VIEW", "warning"),),
    ),
    Scenario(
        "BEV-SURG-VIEW",
        "out-completed-course-has-no-future-cycles",
        "An open-ended 3-weekly course from 2025-12-15, completed (last cycle 2026-02-16, 35 days before the "
        "laparotomy of 2026-03-23): a completed course has no future cycles (active, its 2026-03-09 cycle "
        "would be 14 days before): no card.",
        "patient-view",
        (
            *COURSE_CHART,
            bevacizumab("bev-course", "completed", every_3_weeks("2025-12-15")),
            given("bev-given-4", "2026-02-16"),
            laparotomy("2026-03-23"),
        ),
    ),
)
