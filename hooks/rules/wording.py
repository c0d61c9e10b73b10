"""Small text helpers for card wording: dates, markdown-safe record text, length limits."""

from __future__ import annotations

import re
from datetime import date
from itertools import groupby

from cds_service.engine.statements import Statement

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def day(value: date) -> str:
    return value.isoformat()


def dated(on: date | None) -> str:
    """' on <day>' after a recorded value, or ' (undated)' so that a missing date is said, not hidden."""
    return f" on {day(on)}" if on else " (undated)"


def md(text: str) -> str:
    """Record text (a procedure name from the EHR) made inert inside markdown."""
    return _MD_SPECIAL.sub(_escaped, " ".join(text.split()))


def _escaped(special: re.Match[str]) -> str:
    return "\\" + special.group()


def short(text: str, limit: int = 40) -> str:
    """Record text for a one-line summary: single-spaced and at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def plural_days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def guideline(*statements: Statement) -> str:
    """The statements a card rests on, in our words: consecutive ones of the same section are said together, that
    section named once after them, then the source's own caveats about them."""
    parts: list[str] = []
    for _, run in groupby(statements, key=lambda s: (s.document.short_name, s.section)):
        *first, last = run
        parts += [*(s.text() for s in first), last.said(), *(c for s in (*first, last) for c in s.caveats)]
    return "Guideline: " + " ".join(parts)
