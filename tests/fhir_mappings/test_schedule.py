"""Every dose of a course (catalog revision 2, "Doses of a course"), bounded however odd the repeat."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fhir_mappings.facts import Drug, MedicationOrder
from fhir_mappings.schedule import HORIZON, MAX_DOSES, expand, read_repeat

UTC = ZoneInfo("UTC")
TODAY = date(2026, 3, 2)


def every(period: object, unit: object, **bounds: Any) -> list[dict[str, Any]]:
    return [{"timing": {"repeat": {"frequency": 1, "period": period, "periodUnit": unit, **bounds}}}]


def doses(dosages: list[dict[str, Any]], start: date = TODAY) -> tuple[date, ...]:
    schedule = read_repeat(dosages, UTC)
    return (start,) if schedule is None else expand(schedule, start, TODAY)


def test_a_three_weekly_course_has_a_dose_every_21_days() -> None:
    got = doses(every(3, "wk", count=4))
    assert got == (date(2026, 3, 2), date(2026, 3, 23), date(2026, 4, 13), date(2026, 5, 4))


def test_the_bounds_period_end_is_the_last_day_a_dose_may_fall_on() -> None:
    assert doses(every(3, "wk", boundsPeriod={"start": "2026-03-02", "end": "2026-04-13"}))[-1] == date(
        2026, 4, 13
    )
    assert doses(every(3, "wk", boundsPeriod={"start": "2026-03-02", "end": "2026-04-12"}))[-1] == date(
        2026, 3, 23
    )


def test_a_bounds_duration_of_six_weeks_holds_two_three_weekly_doses() -> None:
    got = doses(every(3, "wk", boundsDuration={"value": 6, "unit": "wk", "code": "wk"}))
    assert got == (date(2026, 3, 2), date(2026, 3, 23))


def test_an_open_ended_course_is_read_up_to_a_year_ahead() -> None:
    got = doses(every(3, "wk"))
    assert got[-1] <= TODAY + HORIZON < got[-1] + timedelta(weeks=3)


def test_monthly_doses_keep_their_day_or_the_month_end() -> None:
    assert doses(every(1, "mo", count=3), date(2026, 1, 31)) == (
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    )


@pytest.mark.parametrize(
    ("period", "unit"),
    [(0, "wk"), (-3, "wk"), (3, "fortnight"), ("3", "wk"), (1.5, "mo"), (1, "h"), (3, None)],
)
def test_a_repeat_without_a_usable_period_is_no_schedule(period: object, unit: object) -> None:
    assert read_repeat(every(period, unit), UTC) is None


def test_a_negative_count_gives_one_dose_and_ten_thousand_cycles_stop_at_the_horizon() -> None:
    assert doses(every(3, "wk", count=-2)) == (TODAY,)
    daily = doses(every(1, "d", count=10_000))
    assert len(daily) <= MAX_DOSES and max(daily) <= TODAY + HORIZON


def order(status: str, *, draft: bool = False, events: tuple[date, ...] = ()) -> MedicationOrder:
    start = date(2026, 2, 2)
    schedule = read_repeat(every(3, "wk", count=4), UTC)
    return MedicationOrder(
        "MedicationRequest/bev",
        Drug.BEVACIZUMAB,
        status,
        start,
        events,
        None,
        None,
        draft,
        draft,
        schedule=schedule,
    )


def test_an_active_course_has_every_cycle_and_explicit_events_outrank_the_repeat() -> None:
    assert order("active").course(TODAY) == (
        date(2026, 2, 2),
        date(2026, 2, 23),
        date(2026, 3, 16),
        date(2026, 4, 6),
    )
    assert order("active", events=(date(2026, 3, 5),)).course(TODAY) == (date(2026, 3, 5),)


def test_a_course_on_hold_or_stopped_has_no_future_dose_and_a_cancelled_one_none() -> None:
    past = (date(2026, 2, 2), date(2026, 2, 23))
    assert order("on-hold").course(TODAY) == past
    assert order("stopped").course(TODAY) == past
    assert order("cancelled").course(TODAY) == ()
    assert order("draft", draft=True).course(TODAY)[-1] == date(2026, 4, 6)


def test_an_order_without_timing_is_dosed_on_its_start_or_today() -> None:
    undated = MedicationOrder(
        "MedicationRequest/x", Drug.BEVACIZUMAB, "draft", None, (), None, None, True, True
    )
    assert undated.course(TODAY) == (TODAY,)
