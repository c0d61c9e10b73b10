"""What a rule is and what it may say. Rules are pure: (facts, context, now) -> a finding or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from fhir_mappings.facts import ClinicalPicture, DoseUnit, Fact, Orderable


class Indicator(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Sort key: critical first, then warning, then info."""
        return {"critical": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Citation:
    """Lines of one source document (1-based, inclusive) that a rule stands on."""

    source: str
    first_line: int
    last_line: int

    def __str__(self) -> str:
        lines = (
            f"l.{self.first_line}"
            if self.first_line == self.last_line
            else (f"l.{self.first_line}-{self.last_line}")
        )
        return f"{self.source} {lines}"


@dataclass(frozen=True, slots=True)
class HookContext:
    hook: str
    today: date
    """The site-local calendar date of `now`."""


@dataclass(frozen=True, slots=True)
class DeleteDraft:
    ref: str
    description: str


@dataclass(frozen=True, slots=True)
class MoveMedicationStart:
    ref: str
    current_start: date
    new_start: date
    description: str


@dataclass(frozen=True, slots=True)
class MoveServiceRequestDate:
    ref: str
    current_date: date
    new_date: date
    description: str


@dataclass(frozen=True, slots=True)
class SetMedicationDose:
    """Set the first dose of a draft MedicationRequest to `amount`, in `unit` (None: the order's own unit)."""

    ref: str
    amount: float
    unit: DoseUnit | None
    description: str


@dataclass(frozen=True, slots=True)
class CreateServiceRequest:
    """Propose a new order for the patient (a draft ServiceRequest) for a test the card recommends."""

    order: Orderable
    description: str


ActionSpec = (
    DeleteDraft | MoveMedicationStart | MoveServiceRequestDate | SetMedicationDose | CreateServiceRequest
)


@dataclass(frozen=True, slots=True)
class SuggestionSpec:
    label: str
    actions: tuple[ActionSpec, ...]
    is_recommended: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """Everything one rule has to say in this call: it becomes exactly one card."""

    indicator: Indicator
    summary: str
    detail: str
    suggestions: tuple[SuggestionSpec, ...] = ()


RuleFn = Callable[[ClinicalPicture, HookContext, datetime], Finding | None]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    hooks: frozenset[str]
    requires: frozenset[Fact]
    citations: tuple[Citation, ...]
    version: str
    evaluate: RuleFn
    yields_to: frozenset[str] = frozenset()
    """Rule ids whose cards make this one redundant: it is dropped when any of them fires."""


def rule(
    *,
    id: str,
    title: str,
    hooks: tuple[str, ...],
    requires: tuple[Fact, ...],
    cites: tuple[Citation, ...],
    version: str,
    yields_to: tuple[str, ...] = (),
) -> Callable[[RuleFn], Rule]:
    """Declare a guideline rule: its catalog id, triggers, required facts and citations."""

    def wrap(fn: RuleFn) -> Rule:
        return Rule(
            id=id,
            title=title,
            hooks=frozenset(hooks),
            requires=frozenset(requires),
            citations=cites,
            version=version,
            evaluate=fn,
            yields_to=frozenset(yields_to),
        )

    return wrap
