"""The perioperative bevacizumab rules as pure functions: (facts, context) -> finding, at their boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cds_service.engine.types import (
    DeleteDraft,
    Finding,
    HookContext,
    Indicator,
    MoveMedicationStart,
    MoveServiceRequestDate,
)
from fhir_mappings.facts import Administration, ClinicalPicture, Drug, MedicationOrder, Surgery
from fhir_mappings.schedule import RepeatSchedule
from hooks.rules.bevacizumab_perioperative import (
    active_bevacizumab_near_planned_surgery,
    bevacizumab_order_near_planned_surgery,
    bevacizumab_order_soon_after_major_surgery,
    first_allowed_start,
    surgery_order_soon_after_bevacizumab,
    vegf_agent_near_planned_surgery,
)
from hooks.statements.bevacizumab import BEVACIZUMAB_SURGICAL_HOLD, VEGF_INHIBITOR_COMPLICATIONS
from tests.facts import SELECT, TODAY, VIEW, extracted, medication_order


def med(
    ref: str = "MedicationRequest/d1",
    drug: Drug = Drug.BEVACIZUMAB,
    start: date | None = TODAY,
    doses: tuple[date, ...] = (),
    end: date | None = None,
    status: str = "draft",
    under_review: bool = True,
) -> MedicationOrder:
    return medication_order(
        drug,
        ref=ref,
        status=status,
        under_review=under_review,
        start=start,
        end=end,
        doses=doses,
        authored=start or TODAY,
    )


def three_weekly(
    start: date | None = TODAY,
    count: int | None = None,
    status: str = "draft",
    under_review: bool = True,
    ref: str = "MedicationRequest/d1",
) -> MedicationOrder:
    """A bevacizumab course every 3 weeks from `start` (today when None), up to `count` cycles."""
    base = med(ref=ref, start=start, status=status, under_review=under_review)
    return replace(base, schedule=RepeatSchedule(3, "wk", count))


def order(drug: Drug, under_review: bool) -> MedicationOrder:
    return med(drug=drug, under_review=under_review)


def draft(
    start: date | None = TODAY, drug: Drug = Drug.BEVACIZUMAB, ref: str = "MedicationRequest/d1"
) -> MedicationOrder:
    return med(ref=ref, drug=drug, start=start)


def course(start: date, end: date | None = None, status: str = "active") -> MedicationOrder:
    return med(ref="MedicationRequest/c1", start=start, end=end, status=status, under_review=False)


def surgery(
    on: date, ref: str = "ServiceRequest/s1", major: bool = True, under_review: bool = False
) -> Surgery:
    return Surgery(ref=ref, name="Laparotomy", on=on, major=major, under_review=under_review)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_hold_is_the_28_days_of_the_source() -> None:
    assert BEVACIZUMAB_SURGICAL_HOLD["days"] == 28
    assert str(bevacizumab_order_near_planned_surgery.citations[0]) == "CERVICAL-OMENTAL l.61"


def test_hold_card_says_the_hold_by_its_section_and_names_no_fhir_reference() -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), planned_surgeries=(surgery(days(14)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None
    assert (
        "Withhold bevacizumab for at least 28 days before elective surgery and for 28 days after major "
        "surgery. (Toxicity management)"
    ) in finding.detail
    assert (
        "- Planned surgery: Laparotomy on 2026-03-16; the dose of 2026-03-02 is 14 days before Laparotomy."
        in (finding.detail)
    )
    assert "/" not in finding.summary + finding.detail


def test_bevacizumab_order_14_days_before_surgery_is_critical_with_delete_and_move() -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), planned_surgeries=(surgery(days(14)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and finding.indicator is Indicator.CRITICAL
    assert "14 days before Laparotomy on 2026-03-16" in finding.summary
    actions = [a for s in finding.suggestions for a in s.actions]
    assert actions[0] == DeleteDraft(
        "MedicationRequest/d1", "Remove the draft bevacizumab order (MedicationRequest/d1)"
    )
    assert isinstance(actions[1], MoveMedicationStart) and actions[1].new_start == days(14 + 28)


@pytest.mark.parametrize(("gap", "flagged"), [(27, True), (28, False), (0, True), (-27, True), (-28, False)])
def test_bevacizumab_order_boundary_is_28_days_either_side(gap: int, flagged: bool) -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), planned_surgeries=(surgery(days(gap)),))
    context = HookContext("order-sign", days(min(gap, 0)))  # the surgery is never in the past here
    assert (bevacizumab_order_near_planned_surgery.evaluate(picture, context) is not None) is flagged


def test_bevacizumab_order_without_dates_is_taken_to_start_today() -> None:
    picture = ClinicalPicture(medication_orders=(draft(start=None),), planned_surgeries=(surgery(days(20)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and "no start date on the order" in finding.detail


def test_planned_surgery_in_the_past_is_ignored() -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), planned_surgeries=(surgery(days(-1)),))
    assert bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT) is None


def test_bevacizumab_orders_not_under_review_get_no_card() -> None:
    context_only = order(Drug.BEVACIZUMAB, under_review=False)
    picture = ClinicalPicture(medication_orders=(context_only,), planned_surgeries=(surgery(days(5)),))
    assert bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT) is None


def test_first_allowed_start_clears_every_planned_and_recent_major_surgery() -> None:
    planned = [surgery(days(8)), surgery(days(23), ref="ServiceRequest/s2")]
    assert first_allowed_start([TODAY], planned, []) == days(23 + 28)
    done = [surgery(days(-10), ref="Procedure/p1")]
    assert first_allowed_start([TODAY], [], done) == days(18)
    minor = [surgery(days(-10), ref="Procedure/p2", major=False)]
    assert first_allowed_start([TODAY], [], minor) == TODAY


def test_first_allowed_start_moves_a_whole_dose_schedule_clear_of_every_surgery() -> None:
    doses = [TODAY, days(21), days(42)]
    planned = [surgery(days(50))]
    moved = first_allowed_start(doses, planned, [])
    shift = moved - TODAY
    assert all(abs(((d + shift) - days(50)).days) >= 28 or (d + shift) > days(50) for d in doses)
    assert moved == days(50 + 28)  # the first dose itself must clear the surgery: the schedule moves after it


@pytest.mark.parametrize(("days_since", "flagged"), [(27, True), (28, False), (0, True)])
def test_bevacizumab_after_major_surgery_boundary(days_since: int, flagged: bool) -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), completed_surgeries=(surgery(days(-days_since)),))
    finding = bevacizumab_order_soon_after_major_surgery.evaluate(picture, SELECT)
    assert (finding is not None) is flagged
    if finding is not None:
        assert finding.indicator is Indicator.CRITICAL
        move = finding.suggestions[0].actions[0]
        assert isinstance(move, MoveMedicationStart) and move.new_start == days(28 - days_since)


def ten_days_after_laparotomy_with_planned(ref: str, in_days: int) -> Finding | None:
    """A bevacizumab draft today, 10 days after a laparotomy, with a cholecystectomy planned `in_days` on."""
    planned = Surgery(ref, "Cholecystectomy", days(in_days), major=True, under_review=False)
    picture = ClinicalPicture(
        medication_orders=(draft(),),
        completed_surgeries=(surgery(days(-10), ref="Procedure/lap"),),
        planned_surgeries=(planned,),
    )
    return bevacizumab_order_soon_after_major_surgery.evaluate(picture, SELECT)


def test_restart_pushed_past_the_hold_by_a_planned_surgery_names_that_surgery_and_date() -> None:
    finding = ten_days_after_laparotomy_with_planned("ServiceRequest/chole", 30)
    assert finding is not None and finding.indicator is Indicator.CRITICAL
    assert finding.summary == (
        "Withhold bevacizumab: 10 days after Laparotomy (2026-02-20); earliest 2026-04-29, clear of planned "
        "Cholecystectomy (2026-04-01)"
    )
    assert "Earliest restart after the surgery done, moving the whole schedule: 2026-03-20." in finding.detail
    assert "within 28 days of planned Cholecystectomy on 2026-04-01: the earliest restart" in finding.detail
    assert "ServiceRequest/chole" not in finding.detail
    move = finding.suggestions[0].actions[0]
    assert isinstance(move, MoveMedicationStart) and move.new_start == days(30 + 28)


def test_restart_not_pushed_by_a_distant_planned_surgery_names_no_planned_surgery() -> None:
    finding = ten_days_after_laparotomy_with_planned("ServiceRequest/far", 90)
    assert finding is not None
    assert finding.summary.endswith("earliest 2026-03-20") and "planned" not in finding.summary
    assert "Cholecystectomy" not in finding.detail


def test_vegf_statement_cites_only_the_complication_lines_without_the_consensus_clause() -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), planned_surgeries=(surgery(days(14)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None
    assert VEGF_INHIBITOR_COMPLICATIONS.said() in finding.detail
    assert "especially when VEGF inhibitors are added. (Neoadjuvant chemotherapy" in finding.detail
    assert "consensus" not in finding.detail
    assert "CRC-PM-REVIEW" not in finding.detail
    assert [str(c) for c in bevacizumab_order_near_planned_surgery.citations][-1] == "CRC-PM-REVIEW l.438-440"


def test_minor_surgery_does_not_trigger_the_after_surgery_hold() -> None:
    picture = ClinicalPicture(
        medication_orders=(draft(),), completed_surgeries=(surgery(days(-3), major=False),)
    )
    assert bevacizumab_order_soon_after_major_surgery.evaluate(picture, SELECT) is None


@pytest.mark.parametrize(("days_after_dose", "flagged"), [(27, True), (28, False), (1, True)])
def test_surgery_order_after_last_bevacizumab_dose_boundary(days_after_dose: int, flagged: bool) -> None:
    dose = Administration(ref="MedicationAdministration/a1", drug=Drug.BEVACIZUMAB, given_on=days(-5))
    order = surgery(days(-5 + days_after_dose), ref="ServiceRequest/new", under_review=True)
    picture = ClinicalPicture(administrations=(dose,), planned_surgeries=(order,))
    finding = surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT)
    assert (finding is not None) is flagged
    if finding is not None:
        assert finding.indicator is Indicator.WARNING
        move = finding.suggestions[0].actions[0]
        assert isinstance(move, MoveServiceRequestDate) and move.new_date == days(-5 + 28)


def test_surgery_order_during_open_ended_course_warns_without_a_date() -> None:
    """An active 3-weekly course from 63 days ago: cycle 8 lands 16 days before the requested date, and the
    course goes on after it: the course must be paused, no surgery date alone is suggested."""
    active = three_weekly(days(-63), status="active", under_review=False, ref="MedicationRequest/c1")
    picture = ClinicalPicture(
        medication_orders=(active,), planned_surgeries=(surgery(days(100), under_review=True),)
    )
    finding = surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT)
    assert finding is not None and finding.suggestions == ()
    assert "still scheduled (course, cycle 8 on 2026-05-25)" in finding.summary
    assert "next on 2026-06-15" in finding.detail


def test_an_on_hold_course_has_no_future_cycle_for_a_surgery_order() -> None:
    """The same course on hold: its cycles up to yesterday count, none after: cycle 3 (21 days ago) is the
    last, 41 days before the requested date. Active, its cycle 4 today is 20 days before it."""
    held = three_weekly(days(-63), status="on-hold", under_review=False, ref="MedicationRequest/c1")
    picture = ClinicalPicture(
        medication_orders=(held,), planned_surgeries=(surgery(days(20), under_review=True),)
    )
    assert surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT) is None
    active = replace(held, status="active")
    finding = surgery_order_soon_after_bevacizumab.evaluate(
        replace(picture, medication_orders=(active,)), SELECT
    )
    assert finding is not None and "cycle 4 on 2026-03-02" in finding.summary


@pytest.mark.parametrize(("last_cycle_days_before", "flagged"), [(27, True), (28, False)])
def test_surgery_order_after_the_last_cycle_of_a_finished_course_boundary(
    last_cycle_days_before: int, flagged: bool
) -> None:
    """A completed 3-cycle course, its last cycle 21 days ago: that cycle sets the earliest surgery date."""
    done = three_weekly(
        days(-63), count=3, status="completed", under_review=False, ref="MedicationRequest/c1"
    )
    on = days(-21 + last_cycle_days_before)
    picture = ClinicalPicture(medication_orders=(done,), planned_surgeries=(surgery(on, under_review=True),))
    finding = surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT)
    assert (finding is not None) is flagged
    if finding is not None:
        move = finding.suggestions[0].actions[0]
        assert isinstance(move, MoveServiceRequestDate) and move.new_date == days(7)
        assert "last dose 2026-02-09; earliest surgery 2026-03-09" in finding.summary


def test_completed_course_without_end_date_is_not_counted() -> None:
    picture = ClinicalPicture(
        medication_orders=(course(days(-60), status="completed"),),
        planned_surgeries=(surgery(days(10), under_review=True),),
    )
    assert surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT) is None


@pytest.mark.parametrize(("gap_after_end", "flagged"), [(27, True), (28, False)])
def test_chart_view_course_end_to_surgery_boundary(gap_after_end: int, flagged: bool) -> None:
    end = days(-3)
    picture = ClinicalPicture(
        medication_orders=(course(days(-60), end=end),),
        planned_surgeries=(surgery(end + timedelta(days=gap_after_end)),),
    )
    finding = active_bevacizumab_near_planned_surgery.evaluate(picture, VIEW)
    assert (finding is not None) is flagged
    if finding is not None:
        assert finding.indicator is Indicator.WARNING and finding.suggestions == ()


def test_chart_view_without_bevacizumab_is_silent() -> None:
    picture = ClinicalPicture(planned_surgeries=(surgery(days(5)),))
    assert active_bevacizumab_near_planned_surgery.evaluate(picture, VIEW) is None


@pytest.mark.parametrize("drug", [Drug.RAMUCIRUMAB, Drug.ZIV_AFLIBERCEPT])
def test_other_vegf_agent_near_surgery_is_info_only(drug: Drug) -> None:
    picture = ClinicalPicture(medication_orders=(draft(drug=drug),), planned_surgeries=(surgery(days(14)),))
    finding = vegf_agent_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and finding.indicator is Indicator.INFO and finding.suggestions == ()
    assert bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT) is None


def test_bevacizumab_never_gets_the_class_card() -> None:
    picture = ClinicalPicture(medication_orders=(draft(),), planned_surgeries=(surgery(days(14)),))
    assert vegf_agent_near_planned_surgery.evaluate(picture, SELECT) is None


def test_an_order_for_a_drug_outside_the_vegf_pathway_gets_no_card() -> None:
    other = order(Drug.CARBOPLATIN, under_review=True)
    picture = ClinicalPicture(medication_orders=(other,), planned_surgeries=(surgery(days(5)),))
    assert bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT) is None
    assert vegf_agent_near_planned_surgery.evaluate(picture, SELECT) is None


def test_a_later_dose_near_surgery_is_caught_not_only_the_first() -> None:
    order = med(doses=(TODAY, days(21)))
    picture = ClinicalPicture(medication_orders=(order,), planned_surgeries=(surgery(days(34)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and "cycle 2 on 2026-03-23 is 13 days before" in finding.summary


def test_a_course_running_across_the_surgery_is_caught() -> None:
    order = med(start=TODAY, end=days(180))
    picture = ClinicalPicture(medication_orders=(order,), planned_surgeries=(surgery(days(60)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and "runs across it" in finding.detail


@pytest.mark.parametrize(
    ("days_after", "major", "flagged"), [(27, True, True), (28, True, False), (10, False, False)]
)
def test_a_dose_after_a_planned_surgery_is_held_only_after_major_surgery(
    days_after: int, major: bool, flagged: bool
) -> None:
    picture = ClinicalPicture(
        medication_orders=(med(start=days(days_after)),), planned_surgeries=(surgery(TODAY, major=major),)
    )
    assert (bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT) is not None) is flagged


def test_several_conflicting_orders_get_one_card_whose_suggestions_fix_all_of_them() -> None:
    picture = ClinicalPicture(
        medication_orders=(med(ref="MedicationRequest/a"), med(ref="MedicationRequest/b", start=days(3))),
        planned_surgeries=(surgery(days(10)),),
    )
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None
    remove, move = finding.suggestions
    assert [a.ref for a in remove.actions if isinstance(a, DeleteDraft)] == [
        "MedicationRequest/a",
        "MedicationRequest/b",
    ]
    assert [(a.ref, a.new_start) for a in move.actions if isinstance(a, MoveMedicationStart)] == [
        ("MedicationRequest/a", days(38)),
        ("MedicationRequest/b", days(38)),
    ]


def test_surgery_before_a_future_course_is_not_a_schedule_conflict() -> None:
    picture = ClinicalPicture(
        medication_orders=(course(days(49), end=days(150)),),
        planned_surgeries=(surgery(days(39), under_review=True),),
    )
    assert surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT) is None


def test_chart_view_names_the_bevacizumab_closest_to_the_surgery() -> None:
    old = Administration(ref="MedicationAdministration/old", drug=Drug.BEVACIZUMAB, given_on=days(-20))
    recent = Administration(ref="MedicationAdministration/new", drug=Drug.BEVACIZUMAB, given_on=days(-2))
    picture = ClinicalPicture(administrations=(old, recent), planned_surgeries=(surgery(days(5)),))
    finding = active_bevacizumab_near_planned_surgery.evaluate(picture, VIEW)
    assert finding is not None and "dose given 2026-02-28" in finding.summary


@pytest.mark.parametrize(("surgery_day", "flagged"), [(49, False), (48, True)])
def test_a_repeating_course_is_checked_at_every_cycle_at_the_boundary(
    surgery_day: int, flagged: bool
) -> None:
    """A 3-weekly course from today: cycle 2 on day 21; a surgery on day 49 is 28 days after it (allowed),
    on day 48, 27 days (flagged). Cycle 3 (day 42) lies after the planned surgery only when minor."""
    picture = ClinicalPicture(
        medication_orders=(three_weekly(count=2),), planned_surgeries=(surgery(days(surgery_day)),)
    )
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert (finding is not None) is flagged
    if finding is not None:
        assert finding.summary.startswith("Withhold bevacizumab: cycle 2 on 2026-03-23 is 27 days before")


def test_cycle_two_of_a_three_weekly_course_14_days_before_a_laparotomy_is_named_and_the_move_clears_all() -> (
    None
):
    """The issue's chart: a 3-weekly course starting today, laparotomy on day 35; revision 1 checked cycle 1
    only (35 days before: allowed). The move shifts the whole course so that no cycle falls within the hold."""
    course_order = three_weekly()
    lap = surgery(days(35))
    picture = ClinicalPicture(medication_orders=(course_order,), planned_surgeries=(lap,))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and finding.indicator is Indicator.CRITICAL
    assert finding.summary == (
        "Withhold bevacizumab: cycle 2 on 2026-03-23 is 14 days before Laparotomy on 2026-04-06 (hold ≥28 days)"
    )
    assert (
        "  - Planned surgery: Laparotomy on 2026-04-06; within the hold: cycle 2 on 2026-03-23, 14 days before "
        "Laparotomy; cycle 3 on 2026-04-13, 7 days after planned Laparotomy."
    ) in finding.detail
    move = finding.suggestions[1].actions[0]
    assert isinstance(move, MoveMedicationStart) and move.current_start == TODAY
    shift = move.new_start - move.current_start
    moved = [d + shift for d in course_order.course(TODAY)]
    assert not any(0 <= (lap.on - d).days < 28 or 0 < (d - lap.on).days < 28 for d in moved), (
        "a cycle of the moved course still falls within the hold"
    )
    assert move.new_start == days(35 + 28)


def test_a_nonsensical_repeat_is_bounded_and_still_carded() -> None:
    """Daily for 10,000 cycles (bounded by the facts to a year): answered with a card, the move computed."""
    daily = replace(med(), schedule=RepeatSchedule(1, "d", 400))
    picture = ClinicalPicture(medication_orders=(daily,), planned_surgeries=(surgery(days(30)),))
    finding = bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT)
    assert finding is not None and "cycle 31 on 2026-04-01 is 0 days before" in finding.summary
    move = finding.suggestions[1].actions[0]
    assert isinstance(move, MoveMedicationStart) and move.new_start == days(30 + 28)


@pytest.mark.parametrize("status", ["cancelled", "entered-in-error"])
def test_a_cancelled_draft_asks_for_no_dose_and_gets_no_card(status: str) -> None:
    picture = ClinicalPicture(medication_orders=(med(status=status),), planned_surgeries=(surgery(days(10)),))
    assert bevacizumab_order_near_planned_surgery.evaluate(picture, SELECT) is None


def test_a_later_cycle_soon_after_a_major_surgery_done_is_caught() -> None:
    """A 3-weekly course whose first cycle is 40 days after a right hemicolectomy is clear; a course starting
    12 days after it is not, and the card names its cycle and the earliest restart."""
    done = surgery(days(-12), ref="Procedure/hemi", major=True)
    picture = ClinicalPicture(medication_orders=(three_weekly(),), completed_surgeries=(done,))
    finding = bevacizumab_order_soon_after_major_surgery.evaluate(picture, SELECT)
    assert finding is not None and finding.indicator is Indicator.CRITICAL
    assert finding.summary.startswith(
        "Withhold bevacizumab: cycle 1 on 2026-03-02 is 12 days after Laparotomy"
    )
    assert finding.summary.endswith("earliest 2026-03-18")
    later = ClinicalPicture(medication_orders=(three_weekly(days(28)),), completed_surgeries=(done,))
    assert bevacizumab_order_soon_after_major_surgery.evaluate(later, SELECT) is None


def test_chart_view_on_hold_course_last_dose_50_days_ago_is_not_still_scheduled() -> None:
    """An on-hold course whose cycles so far end 50 days ago, with cycles to come: the cycles to come are not
    doses while it is on hold, so a surgery in 20 days is 70 days after its last dose: no card. Active, cycle 4
    (13 days ahead) would be 7 days before the surgery."""
    events = (days(-92), days(-71), days(-50), days(13), days(34))
    held = med(
        ref="MedicationRequest/c1", start=days(-92), doses=events, status="on-hold", under_review=False
    )
    picture = ClinicalPicture(medication_orders=(held,), planned_surgeries=(surgery(days(20)),))
    assert active_bevacizumab_near_planned_surgery.evaluate(picture, VIEW) is None
    active = replace(held, status="active")
    finding = active_bevacizumab_near_planned_surgery.evaluate(
        replace(picture, medication_orders=(active,)), VIEW
    )
    assert finding is not None and "(course, cycle 4 on 2026-03-15)" in finding.summary


@pytest.mark.parametrize("status", ["completed", "stopped"])
def test_chart_view_finished_course_has_no_future_cycle(status: str) -> None:
    events = (days(-30), days(-9), days(12))
    ended = med(ref="MedicationRequest/c1", start=days(-30), doses=events, status=status, under_review=False)
    picture = ClinicalPicture(medication_orders=(ended,), planned_surgeries=(surgery(days(18)),))
    finding = active_bevacizumab_near_planned_surgery.evaluate(picture, VIEW)
    assert finding is not None and "(course, cycle 2 on 2026-02-21)" in finding.summary
    later = replace(picture, planned_surgeries=(surgery(days(19)),))
    assert active_bevacizumab_near_planned_surgery.evaluate(later, VIEW) is None


def _fhir_bevacizumab(dosage: dict[str, object]) -> dict[str, object]:
    return {
        "resourceType": "MedicationRequest",
        "id": "bev-draft",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "253337"}]
        },
        "dosageInstruction": [dosage],
    }


def _planned(code: str, display: str, on: str) -> dict[str, object]:
    """A surgery order with no category: its SNOMED CT code alone makes it a surgery."""
    return {
        "resourceType": "ServiceRequest",
        "id": "surgery-1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}]},
        "occurrenceDateTime": on,
    }


def test_ten_thousand_daily_cycles_read_from_fhir_still_get_the_card() -> None:
    """The repeat as an EHR might send it: the facts bound it to a year ahead (tests/fhir_mappings/test_schedule.py
    checks the bound) and the cycles inside the 28-day hold still make the card."""
    repeat = {"boundsPeriod": {"start": "2026-03-02"}, "count": 10000, "period": 1, "periodUnit": "d"}
    draft_order = _fhir_bevacizumab({"timing": {"repeat": repeat}})
    chart = extracted(
        _planned("116142003", "Radical hysterectomy", "2026-03-20"),
        drafts=(draft_order,),
        review=["MedicationRequest/bev-draft"],
    )
    finding = bevacizumab_order_near_planned_surgery.evaluate(chart, SELECT)
    assert finding is not None and finding.indicator is Indicator.CRITICAL
    assert "Radical hysterectomy on 2026-03-20" in finding.summary


def test_intravitreal_bevacizumab_read_from_fhir_gets_no_hold_card() -> None:
    """1.25 mg intravitreal bevacizumab 14 days before a hip replacement: ocular use is not extracted, so no
    BEV-SURG card; the same order given intravenously is carded."""
    route = {"coding": [{"system": "http://snomed.info/sct", "code": "418401004"}]}
    timing = {"repeat": {"boundsPeriod": {"start": "2026-03-02"}}}
    hip = _planned("52734007", "Total replacement of hip (procedure)", "2026-03-16")
    eye = extracted(
        hip,
        drafts=(_fhir_bevacizumab({"timing": timing, "route": route}),),
        review=["MedicationRequest/bev-draft"],
    )
    assert bevacizumab_order_near_planned_surgery.evaluate(eye, SELECT) is None
    systemic = extracted(
        hip, drafts=(_fhir_bevacizumab({"timing": timing}),), review=["MedicationRequest/bev-draft"]
    )
    assert bevacizumab_order_near_planned_surgery.evaluate(systemic, SELECT) is not None
