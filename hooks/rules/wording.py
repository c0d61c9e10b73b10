"""Small text helpers for card wording: dates, markdown-safe record text, length limits."""

from __future__ import annotations

import re
from datetime import date

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def day(value: date) -> str:
    return value.isoformat()


def dated(on: date | None) -> str:
    """' on <day>' after a recorded value, or ' (undated)' so that a missing date is said, not hidden."""
    return f" on {day(on)}" if on else " (undated)"


def md(text: str) -> str:
    """Record text (a procedure name from the EHR) made inert inside markdown."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def short(text: str, limit: int = 40) -> str:
    """Record text for a one-line summary: single-spaced and at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def plural_days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
