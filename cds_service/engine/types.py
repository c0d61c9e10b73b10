"""What a rule is and what it may say. Rules are pure: (facts, context) -> a finding or nothing; the context
carries the call's site-local date, read from the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cds_service.engine.statements import Citation as Citation
from cds_service.engine.statements import SourceDocument, Statement
from cds_service.protocol.models import SUMMARY_MAX
from fhir_mappings.facts import ClinicalPicture, DoseUnit, Fact, Orderable

ORDER_HOOKS = ("order-select", "order-sign")
"""The hooks whose context carries draft orders."""
VIEW_HOOKS = ("patient-view",)
BOOKING_HOOKS = ("appointment-book",)
"""The hooks whose context carries the appointments being booked."""
ALL_HOOKS = (*VIEW_HOOKS, *ORDER_HOOKS, *BOOKING_HOOKS)


class Indicator(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Sort key: critical first, then warning, then info."""
        return {"critical": 0, "warning": 1, "info": 2}[self.value]


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
class MoveAppointment:
    """Move an Appointment being booked (start and end, same time of day and duration) to `new_date`."""

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
    DeleteDraft
    | MoveMedicationStart
    | MoveServiceRequestDate
    | MoveAppointment
    | SetMedicationDose
    | CreateServiceRequest
)


@dataclass(frozen=True, slots=True)
class SuggestionSpec:
    label: str
    actions: tuple[ActionSpec, ...]
    is_recommended: bool = False
    """The card's `isRecommended`: said on every suggestion (some clients' models require it), true for the one
    the card recommends."""


@dataclass(frozen=True, slots=True)
class Finding:
    """Everything one rule has to say in this call: it becomes exactly one card. A summary longer than the
    spec allows (record text can be long) is cut at a word, never refused."""

    indicator: Indicator
    summary: str
    detail: str
    suggestions: tuple[SuggestionSpec, ...] = ()

    def __post_init__(self) -> None:
        if len(self.summary) > SUMMARY_MAX:
            object.__setattr__(self, "summary", self.summary[: SUMMARY_MAX - 1].rstrip() + "…")


RuleFn = Callable[[ClinicalPicture, HookContext], Finding | None]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    hooks: frozenset[str]
    requires: frozenset[Fact]
    statements: tuple[Statement, ...]
    version: str
    evaluate: RuleFn
    yields_to: frozenset[str] = frozenset()
    """Rule ids whose cards make this one redundant: it is dropped when any of them fires."""

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The lines of the source documents the rule stands on: those of its statements."""
        return tuple(dict.fromkeys(s.citation for s in self.statements))

    @property
    def document(self) -> SourceDocument:
        """The document the rule's card names as its source: that of its first statement."""
        return self.statements[0].document


def rule(
    *,
    id: str,
    title: str,
    hooks: tuple[str, ...],
    requires: tuple[Fact, ...],
    statements: tuple[Statement, ...],
    version: str,
    yields_to: tuple[str, ...] = (),
) -> Callable[[RuleFn], Rule]:
    """Declare a guideline rule: its catalog id, triggers, required facts and the statements it relies on.
    Rule modules under hooks/rules are discovered: declaring the rule is registering it."""

    def wrap(fn: RuleFn) -> Rule:
        if not statements:
            raise ValueError(f"{id}: a rule relies on at least one statement")
        return Rule(
            id=id,
            title=title,
            hooks=frozenset(hooks),
            requires=frozenset(requires),
            statements=statements,
            version=version,
            evaluate=fn,
            yields_to=frozenset(yields_to),
        )

    return wrap
