"""Every dose of a course (catalog revision 2, "Doses of a course"), bounded however odd the repeat."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fhir_mappings.schedule import HORIZON, MAX_DOSES, course_doses

UTC = ZoneInfo("UTC")
TODAY = date(2026, 3, 2)


def every(period: float, unit: str, **bounds: Any) -> list[dict[str, Any]]:
    return [{"timing": {"repeat": {"frequency": 1, "period": period, "periodUnit": unit, **bounds}}}]


def doses(dosages: list[dict[str, Any]], start: date | None = TODAY) -> tuple[date, ...]:
    return course_doses(dosages, start, TODAY, UTC)


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
    got = course_doses(every(1, "mo", count=3), date(2026, 1, 31), TODAY, UTC)
    assert got == (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31))


def test_explicit_events_outrank_the_repeat() -> None:
    dosages = every(3, "wk")
    dosages[0]["timing"]["event"] = ["2026-03-05", "2026-03-01T22:30:00Z"]
    assert doses(dosages) == (date(2026, 3, 1), date(2026, 3, 5))


def test_without_timing_the_start_or_today_is_the_dose() -> None:
    assert doses([{"text": "15 mg/kg"}], date(2026, 3, 9)) == (date(2026, 3, 9),)
    assert doses([], None) == (TODAY,)


@pytest.mark.parametrize(
    "repeat",
    [
        {"period": 0, "periodUnit": "wk"},
        {"period": -3, "periodUnit": "wk"},
        {"period": 3, "periodUnit": "fortnight"},
        {"period": "3", "periodUnit": "wk"},
        {"period": 1.5, "periodUnit": "mo"},
    ],
)
def test_a_repeat_without_a_usable_period_gives_the_start_alone(repeat: dict[str, Any]) -> None:
    assert doses([{"timing": {"repeat": repeat}}]) == (TODAY,)


def test_a_negative_count_gives_one_dose_and_ten_thousand_cycles_stop_at_the_horizon() -> None:
    assert doses(every(3, "wk", count=-2)) == (TODAY,)
    daily = doses(every(1, "d", count=10_000))
    assert len(daily) <= MAX_DOSES and max(daily) <= TODAY + HORIZON
    assert doses(every(1, "h", count=10_000)) == (TODAY,)  # hourly is no course unit: the start alone
