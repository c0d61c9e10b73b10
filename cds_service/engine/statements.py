"""Guideline statements: each sentence of a source document the service relies on, stated once.

A `Statement` holds where the sentence is (its document, section and lines), its named parameters with units
(28 days, 15 mg/kg, AUC 5), our plain-language paraphrase, the source's evidence grade and its own caveats. Rule
logic reads thresholds from statements, card text and the source pages are rendered from them, and `@rule`
names the statements a rule relies on (compare CPIC's recommendation rows and the opioid CDS PlanDefinitions,
where each action cites the recommendation it implements).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Citation:
    """Lines of one source document (1-based, inclusive) that a statement stands on."""

    source: str
    first_line: int
    last_line: int

    def __str__(self) -> str:
        lines = (
            f"l.{self.first_line}"
            if self.first_line == self.last_line
            else f"l.{self.first_line}-{self.last_line}"
        )
        return f"{self.source} {lines}"


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One source document (shared/guidelines), as far as the document itself states these facts."""

    short_name: str
    file: str
    title: str
    publisher: str | None
    """None when the document does not name one."""
    date: str | None
    """ISO date when the document states one, else None."""
    covers: str
    line_count: int
    unreviewed: bool = False
    """The document calls itself pending human review: every card resting on it says so."""

    @property
    def label(self) -> str:
        """How a card names the document: its title and, when stated, its date."""
        return f"{self.title} ({self.date})" if self.date else self.title


@dataclass(frozen=True, slots=True)
class Param:
    """A named number of a guideline sentence, with its unit (none for a count or a score)."""

    value: int | float
    unit: str = ""

    def __str__(self) -> str:
        number = str(self.value)  # as the source states it: 13.0 months stays 13.0
        if not self.unit:
            return number
        return f"{number}{self.unit}" if self.unit in ("%", "×") else f"{number} {self.unit}"


@dataclass(frozen=True)
class Statement:
    """One guideline sentence. `paraphrase` is our wording, with `{name}` where a parameter is said."""

    document: SourceDocument
    section: str
    """The part of the document it comes from, named as a clinician would look for it."""
    lines: tuple[int, int]
    paraphrase: str
    params: Mapping[str, Param] = field(default_factory=dict)
    grade: str | None = None
    """The evidence grade where the source gives one (e.g. "category 1")."""
    caveats: tuple[str, ...] = ()
    """The source's own reservations about the sentence, in our words."""

    def __post_init__(self) -> None:
        named = {name for _, name, _, _ in string.Formatter().parse(self.paraphrase) if name}
        missing = named - set(self.params)
        if missing:
            raise ValueError(f"{self.document.short_name} {self.lines}: no parameter {sorted(missing)}")
        first, last = self.lines
        if not 1 <= first <= last <= self.document.line_count:
            raise ValueError(f"{self.document.short_name}: lines {self.lines} outside the document")

    def __getitem__(self, name: str) -> int | float:
        """The value of a parameter: what rule logic compares with."""
        return self.params[name].value

    def param(self, name: str) -> Param:
        return self.params[name]

    @property
    def citation(self) -> Citation:
        return Citation(self.document.short_name, *self.lines)

    def text(self) -> str:
        """The paraphrase with its parameters said (value and unit)."""
        return self.paraphrase.format_map({name: str(p) for name, p in self.params.items()})

    def said(self) -> str:
        """The paraphrase followed by the section it rests on, as a card's detail cites it."""
        return f"{self.text()} ({self.section})"
