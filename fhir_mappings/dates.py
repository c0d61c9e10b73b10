"""FHIR date / dateTime → calendar dates in the site's time zone.

Guideline intervals ("28 days before surgery") are counted in calendar days as the clinic lives them, so every
instant is turned into a local date once, here, and rules only ever subtract dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

_DATE_OR_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
"""A full date, optionally with a time (group 1): one match per value, as every resource has a few dates."""


def parse_fhir_date(value: object, tz: tzinfo) -> date | None:
    """Return the local calendar date of a FHIR date or dateTime, or None.

    Partial dates (`2026`, `2026-12`) are too imprecise for day counting and give None. A dateTime without an
    offset (invalid FHIR, but sent by some EHRs) is read as site-local time.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    found = _DATE_OR_DATETIME.match(text)
    if found is None:
        return None
    try:
        if found.group(1) is None:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return moment.date()
        return moment.astimezone(tz).date()
    except ValueError:
        return None


def local_today(now: datetime, tz: tzinfo) -> date:
    """The site-local calendar date of an aware instant."""
    return now.astimezone(tz).date()


def days_between(earlier: date, later: date) -> int:
    """Whole calendar days from `earlier` to `later` (negative when `later` comes first)."""
    return (later - earlier).days


def age_on(birth: date, today: date) -> int:
    """Age in whole years on `today` (a birthday counts from its day)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
