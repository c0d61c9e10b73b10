"""The perioperative bevacizumab rules as pure functions: (facts, context) -> finding, at their boundaries."""

from __future__ import annotations

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
from hooks.rules.bevacizumab_perioperative import (
    active_bevacizumab_near_planned_surgery,
    bevacizumab_order_near_planned_surgery,
    bevacizumab_order_soon_after_major_surgery,
    first_allowed_start,
    surgery_order_soon_after_bevacizumab,
    vegf_agent_near_planned_surgery,
)
from hooks.statements.bevacizumab import BEVACIZUMAB_SURGICAL_HOLD, VEGF_INHIBITOR_COMPLICATIONS
from tests.facts import SELECT, TODAY, VIEW, medication_order


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
    picture = ClinicalPicture(
        medication_orders=(course(days(-60)),), planned_surgeries=(surgery(days(90), under_review=True),)
    )
    finding = surgery_order_soon_after_bevacizumab.evaluate(picture, SELECT)
    assert finding is not None and finding.suggestions == ()
    assert "still scheduled" in finding.summary


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
    assert finding is not None and "dose 2026-03-23 is 13 days before" in finding.summary


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
