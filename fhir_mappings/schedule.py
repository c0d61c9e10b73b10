"""The administration dates a medication order implies (catalog revision 2, "Doses of a course").

Explicit `timing.event`s are read by the extractor; a repeat schedule is read here into a `RepeatSchedule` (every
`period` `periodUnit`, up to `count` administrations or the last day its `boundsPeriod` end or `boundsDuration`
allows), and expanded against the call's date: no further than a year past today and never beyond `MAX_DOSES`
dates, so a nonsensical repeat (period 0, a negative count, ten thousand cycles) is bounded and never hangs a
hook call. `repeat.duration` is how long each administration lasts (FHIR R4 Timing), not how long a course runs.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from fhir_mappings.dates import parse_fhir_date

HORIZON = timedelta(days=365)
"""How far past today a schedule is expanded: the rules look at surgeries planned within weeks."""
MAX_DOSES = 400
"""No course is read beyond this many administrations, whatever its repeat says."""

_DAYS_PER_UNIT = {"d": 1, "wk": 7}
_MONTHS_PER_UNIT = {"mo": 1, "a": 12}


@dataclass(frozen=True, slots=True)
class RepeatSchedule:
    """A course's repeat: an administration every `period` `unit` (d, wk, mo or a) from the order's start."""

    period: float
    unit: str
    count: int | None = None
    """At most this many administrations (at least one)."""
    bounds_end: date | None = None
    """The last day an administration may fall on (boundsPeriod end)."""
    bounds: tuple[float, str] | None = None
    """How long the course runs from its start (boundsDuration value and unit)."""

    def dose(self, start: date, n: int) -> date:
        """The n-th administration (n = 0 is the start)."""
        return _step(start, self.period, self.unit, n)

    def last_day(self, start: date) -> date | None:
        ends = [self.bounds_end] if self.bounds_end else []
        if self.bounds is not None:
            ends.append(_step(start, self.bounds[0], self.bounds[1], 1) - timedelta(days=1))
        return min(ends) if ends else None


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it has no such day)."""
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month0 + 1, min(start.day, monthrange(year, month0 + 1)[1]))


def _usable(period: float, unit: str) -> bool:
    return unit in _DAYS_PER_UNIT or (unit in _MONTHS_PER_UNIT and float(period).is_integer())


def _step(start: date, period: float, unit: str, n: int) -> date:
    if unit in _DAYS_PER_UNIT:
        return start + timedelta(days=round(n * period * _DAYS_PER_UNIT[unit]))
    return add_months(start, n * int(period) * _MONTHS_PER_UNIT[unit])


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def read_repeat(dosages: Iterable[object], tz: tzinfo) -> RepeatSchedule | None:
    """The first usable repeat of the dosage instructions: a positive period in days, weeks, months or years
    (whole months and years). A repeat without one is no schedule: the order's start is its dose. Anything
    that is not a dosage object is passed over."""
    for dosage in dosages:
        timing = dosage.get("timing") if isinstance(dosage, dict) else None
        repeat = timing.get("repeat") if isinstance(timing, dict) else None
        if not isinstance(repeat, dict):
            continue
        period, unit = _number(repeat.get("period")), repeat.get("periodUnit")
        if period is None or period <= 0 or not isinstance(unit, str) or not _usable(period, unit):
            continue
        count = _number(repeat.get("count"))
        bounds_period = repeat.get("boundsPeriod")
        duration = repeat.get("boundsDuration")
        bounds = None
        if isinstance(duration, dict):
            value, duration_unit = (
                _number(duration.get("value")),
                duration.get("code") or duration.get("unit"),
            )
            if (
                value is not None
                and value > 0
                and isinstance(duration_unit, str)
                and _usable(value, duration_unit)
            ):
                bounds = (value, duration_unit)
        return RepeatSchedule(
            period,
            unit,
            None if count is None else max(1, min(int(count), MAX_DOSES)),
            parse_fhir_date(bounds_period.get("end"), tz) if isinstance(bounds_period, dict) else None,
            bounds,
        )
    return None


def expand(schedule: RepeatSchedule, start: date, today: date) -> tuple[date, ...]:
    """Every administration of the schedule from `start`, up to its count and bounds, within the horizon."""
    limit = schedule.count or MAX_DOSES
    last = min(filter(None, (schedule.last_day(start), today + HORIZON)))
    out: list[date] = []
    for n in range(limit):
        when = schedule.dose(start, n)
        if when > last:
            break
        out.append(when)
    return tuple(out) or (start,)
