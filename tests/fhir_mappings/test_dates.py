"""FHIR dates to site-local calendar days: the unit every guideline interval is counted in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from fhir_mappings.dates import age_on, days_between, local_today, parse_fhir_date

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2026-03-30", UTC_ZONE, date(2026, 3, 30)),
        ("2026-03-30T01:30:00+09:00", UTC_ZONE, date(2026, 3, 29)),
        ("2026-03-30T23:30:00-05:00", UTC_ZONE, date(2026, 3, 31)),
        ("2026-03-02T03:00:00Z", NEW_YORK, date(2026, 3, 1)),
        ("2026-03-02T03:00:00.123+00:00", UTC_ZONE, date(2026, 3, 2)),
        ("2026-03-02T10:00:00", NEW_YORK, date(2026, 3, 2)),  # no offset: read as site-local
    ],
)
def test_dates_and_instants_become_site_local_days(value: str, tz: ZoneInfo, expected: date) -> None:
    assert parse_fhir_date(value, tz) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2026",
        "2026-03",
        "",
        "yesterday",
        "2026-02-30",
        20260302,
        None,
        ["2026-03-02"],
        "20260302",  # basic ISO 8601, which fromisoformat would read
        "2026-03-02 10:00",
        "2026-03-02Z",
        "2026-03-02T10Z",
        "2026-03-02T25:00:00Z",
        "2026-03-02T10:00:00+25:00",
    ],
)
def test_partial_invalid_or_non_string_dates_are_unknown(value: object) -> None:
    assert parse_fhir_date(value, UTC_ZONE) is None


def test_today_is_the_site_local_date_of_now() -> None:
    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert local_today(now, UTC_ZONE) == date(2026, 3, 2)
    assert local_today(now, NEW_YORK) == date(2026, 3, 1)


def test_days_between_is_signed() -> None:
    assert days_between(date(2026, 3, 2), date(2026, 3, 30)) == 28
    assert days_between(date(2026, 3, 30), date(2026, 3, 2)) == -28


def test_age_counts_whole_years_and_turns_on_the_birthday() -> None:
    assert age_on(date(1961, 6, 1), date(2026, 3, 2)) == 64
    assert age_on(date(1961, 3, 2), date(2026, 3, 2)) == 65
    assert age_on(date(1961, 3, 3), date(2026, 3, 2)) == 64
