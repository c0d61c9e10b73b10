"""The administration dates a medication order implies: its timing events, else its repeat schedule.

Catalog revision 2, "Doses of a course": explicit `timing.event`s; else the repeat schedule (start, then every
`period` `periodUnit`, up to `count` administrations, the `boundsPeriod` end or the `boundsDuration`); else the
start. A schedule is read no further than a horizon (a year past today, and at most `MAX_DOSES` dates), so a
nonsensical repeat (period 0, a negative count, ten thousand cycles) is bounded and never hangs a hook call.
`repeat.duration` is how long each administration lasts (FHIR R4 Timing), not how long the course runs.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping
from datetime import date, timedelta, tzinfo
from typing import Any

from fhir_mappings.dates import parse_fhir_date

HORIZON = timedelta(days=365)
"""How far past today a schedule is expanded: the rules look at surgeries planned within weeks."""
MAX_DOSES = 400
"""No course is read beyond this many administrations, whatever its repeat says."""

_DAYS_PER_UNIT = {"d": 1, "wk": 7}
_MONTHS_PER_UNIT = {"mo": 1, "a": 12}


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it has no such day)."""
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month0 + 1, min(start.day, monthrange(year, month0 + 1)[1]))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _step(start: date, period: float, unit: str, n: int) -> date | None:
    """The n-th administration date after `start` (n = 0 is the start), or None for a unit no course uses."""
    if unit in _DAYS_PER_UNIT:
        return start + timedelta(days=round(n * period * _DAYS_PER_UNIT[unit]))
    if unit in _MONTHS_PER_UNIT and float(period).is_integer():
        return add_months(start, n * int(period) * _MONTHS_PER_UNIT[unit])
    return None


def _bound(repeat: Mapping[str, Any], start: date, tz: tzinfo) -> date | None:
    """The last day the course may run: the bounds period end, or the start plus the bounds duration."""
    period = repeat.get("boundsPeriod")
    end = parse_fhir_date(period.get("end"), tz) if isinstance(period, dict) else None
    bounds = repeat.get("boundsDuration")
    if isinstance(bounds, dict):
        value, unit = _number(bounds.get("value")), bounds.get("code") or bounds.get("unit")
        if value is not None and value > 0 and isinstance(unit, str):
            last = _step(start, value, unit, 1)
            if last is not None:
                last -= timedelta(days=1)
                end = min(end, last) if end else last
    return end


def repeat_doses(repeat: Mapping[str, Any], start: date, today: date, tz: tzinfo) -> tuple[date, ...]:
    """The dates of a repeating schedule from `start`: every period, up to its count or bounds, within the
    horizon. A repeat without a usable period or unit gives the start alone."""
    period, unit = _number(repeat.get("period")), repeat.get("periodUnit")
    if period is None or period <= 0 or not isinstance(unit, str) or _step(start, period, unit, 1) is None:
        return (start,)
    count = _number(repeat.get("count"))
    limit = MAX_DOSES if count is None else max(1, min(int(count), MAX_DOSES))
    end = min(filter(None, (_bound(repeat, start, tz), today + HORIZON)))
    out: list[date] = []
    for n in range(limit):
        when = _step(start, period, unit, n)
        if when is None or when > end:
            break
        out.append(when)
    return tuple(out) or (start,)


def course_doses(
    dosages: Iterable[Mapping[str, Any]], start: date | None, today: date, tz: tzinfo
) -> tuple[date, ...]:
    """Every administration date the dosage instructions imply, sorted: explicit events where any are given,
    else each instruction's repeat schedule from `start`, else `start` (or today when the order states none)."""
    events: set[date] = set()
    for dosage in dosages:
        timing = dosage.get("timing")
        for value in (
            timing.get("event", [])
            if isinstance(timing, dict) and isinstance(timing.get("event"), list)
            else []
        ):
            when = parse_fhir_date(value, tz)
            if when is not None:
                events.add(when)
    if events:
        return tuple(sorted(events))
    first = start or today
    doses: set[date] = set()
    for dosage in dosages:
        timing = dosage.get("timing")
        repeat = timing.get("repeat") if isinstance(timing, dict) else None
        if isinstance(repeat, dict):
            doses.update(repeat_doses(repeat, first, today, tz))
    return tuple(sorted(doses)) or (first,)
