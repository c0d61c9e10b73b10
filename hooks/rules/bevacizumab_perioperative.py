"""Perioperative bevacizumab: the 28-day hold before elective and after major surgery.

Source: CERVICAL-OMENTAL l.61 (withhold at least 28 days before elective surgery and 28 days following major
surgery); CRC-PM-REVIEW l.436-441 (perioperative VEGF inhibitors may add postoperative complications).
Days are whole calendar days in the site's time zone; exactly 28 days apart is allowed, 27 is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cds_service.engine.types import (
    Citation,
    DeleteDraft,
    Finding,
    HookContext,
    Indicator,
    MoveMedicationStart,
    MoveServiceRequestDate,
    SuggestionSpec,
    rule,
)
from fhir_mappings.facts import ClinicalPicture, Drug, Fact, MedicationOrder, Surgery
from hooks.rules.wording import day, md, plural_days, short

BEV_SURGICAL_HOLD_DAYS = 28
"""CERVICAL-OMENTAL l.61: withhold bevacizumab ≥ 28 days before elective surgery and 28 days after major surgery."""

HOLD_CITATION = Citation("CERVICAL-OMENTAL", 61, 61)
VEGF_COMPLICATIONS_CITATION = Citation("CRC-PM-REVIEW", 436, 441)
ORDER_HOOKS = ("order-select", "order-sign")
COURSE_STATUSES = frozenset({"active", "on-hold", "completed", "draft"})

HOLD_STATEMENT = (
    "Guideline: bevacizumab is withheld for at least 28 days before elective surgery and for 28 days after "
    "major surgery (CERVICAL-OMENTAL l.61)."
)
VEGF_STATEMENT = (
    "Adding VEGF inhibitors to perioperative systemic therapy may increase postoperative complications "
    "(CRC-PM-REVIEW l.436-441)."
)


def too_close(dose: date, surgery: date) -> bool:
    """A dose and a surgery less than the hold apart, on either side."""
    return abs((surgery - dose).days) < BEV_SURGICAL_HOLD_DAYS


def first_allowed_start(start: date, planned: Iterable[Surgery], completed: Iterable[Surgery]) -> date:
    """The first date on or after `start` at least the hold away from every planned surgery (either side) and
    at least the hold after every major surgery done."""
    planned, completed = list(planned), [s for s in completed if s.major]
    candidate = start
    moved = True
    while moved:
        moved = False
        for surgery in planned:
            if too_close(candidate, surgery.on):
                candidate, moved = surgery.on + timedelta(days=BEV_SURGICAL_HOLD_DAYS), True
        for surgery in completed:
            if 0 <= (candidate - surgery.on).days < BEV_SURGICAL_HOLD_DAYS:
                candidate, moved = surgery.on + timedelta(days=BEV_SURGICAL_HOLD_DAYS), True
    return candidate


def upcoming(picture: ClinicalPicture, today: date) -> list[Surgery]:
    """Planned surgeries dated today or later (an older plan either happened, and is a Procedure, or lapsed)."""
    return [s for s in picture.planned_surgeries if s.on >= today]


def _relation(dose: date, surgery: Surgery) -> str:
    gap = (surgery.on - dose).days
    if gap >= 0:
        return f"{plural_days(gap)} before {short(surgery.name)} on {day(surgery.on)}"
    return f"{plural_days(-gap)} after planned {short(surgery.name)} on {day(surgery.on)}"


def _start_line(order: MedicationOrder, start: date) -> str:
    if order.start is None:
        return f"no start date on the order, so today ({day(start)}) was used"
    return f"intended start {day(start)}"


@dataclass(frozen=True)
class _Conflict:
    order: MedicationOrder
    start: date
    surgeries: tuple[Surgery, ...]

    @property
    def nearest(self) -> Surgery:
        return min(self.surgeries, key=lambda s: (abs((s.on - self.start).days), s.on))


def _conflicts(
    orders: Sequence[MedicationOrder], surgeries: Sequence[Surgery], today: date
) -> list[_Conflict]:
    found = []
    for order in orders:
        start = order.start or today
        near = tuple(s for s in surgeries if too_close(start, s.on) and s.ref != order.ref)
        if near:
            found.append(_Conflict(order, start, near))
    return found


@rule(
    id="BEV-SURG-BEFORE",
    title="Bevacizumab ordered within 28 days of a planned surgery",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PLANNED_SURGERY, Fact.COMPLETED_SURGERY),
    cites=(HOLD_CITATION, VEGF_COMPLICATIONS_CITATION),
    version="1.0.0",
)
def bevacizumab_order_near_planned_surgery(
    picture: ClinicalPicture, context: HookContext, now: datetime
) -> Finding | None:
    """Critical: a bevacizumab draft whose administration falls less than 28 days from a planned surgery."""
    planned = upcoming(picture, context.today)
    conflicts = _conflicts(picture.orders_under_review(Drug.BEVACIZUMAB), planned, context.today)
    if not conflicts:
        return None
    worst = min(conflicts, key=lambda c: abs((c.nearest.on - c.start).days))
    surgery = worst.nearest
    summary = (
        f"Withhold bevacizumab: start {day(worst.start)} is {_relation(worst.start, surgery)} (hold ≥28 days)"
    )
    lines, suggestions = [], []
    for conflict in conflicts:
        allowed = first_allowed_start(conflict.start, planned, picture.completed_surgeries)
        lines.append(
            f"- **Bevacizumab order** ({conflict.order.ref}): {_start_line(conflict.order, conflict.start)}."
        )
        lines += [
            f"  - Planned surgery: {md(s.name)} on {day(s.on)} ({s.ref}), "
            f"{plural_days(abs((s.on - conflict.start).days))} "
            f"{'after' if s.on >= conflict.start else 'before'} the administration."
            for s in conflict.surgeries
        ]
        lines.append(f"  - First date at least 28 days clear of every surgery on record: {day(allowed)}.")
        suffix = f" ({conflict.order.ref})" if len(conflicts) > 1 else ""
        suggestions += [
            SuggestionSpec(
                label=f"Remove the bevacizumab order{suffix}",
                actions=(DeleteDraft(conflict.order.ref, "Remove the draft bevacizumab order"),),
            ),
            SuggestionSpec(
                label=f"Start bevacizumab on {day(allowed)}{suffix}",
                actions=(
                    MoveMedicationStart(
                        conflict.order.ref,
                        conflict.start,
                        allowed,
                        f"Move the bevacizumab start to {day(allowed)}, 28 days clear of surgery",
                    ),
                ),
            ),
        ]
    detail = "\n".join([*lines, "", HOLD_STATEMENT, VEGF_STATEMENT])
    return Finding(Indicator.CRITICAL, summary, detail, tuple(suggestions))


@rule(
    id="BEV-SURG-AFTER",
    title="Bevacizumab ordered within 28 days after major surgery",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.COMPLETED_SURGERY, Fact.PLANNED_SURGERY),
    cites=(HOLD_CITATION,),
    version="1.0.0",
)
def bevacizumab_order_soon_after_major_surgery(
    picture: ClinicalPicture, context: HookContext, now: datetime
) -> Finding | None:
    """Critical: a bevacizumab draft less than 28 days after a major surgery that was done."""
    planned = upcoming(picture, context.today)
    hits: list[tuple[MedicationOrder, date, Surgery]] = []
    for order in picture.orders_under_review(Drug.BEVACIZUMAB):
        start = order.start or context.today
        recent = [
            s
            for s in picture.completed_surgeries
            if s.major and 0 <= (start - s.on).days < BEV_SURGICAL_HOLD_DAYS
        ]
        if recent:
            hits.append((order, start, max(recent, key=lambda s: s.on)))
    if not hits:
        return None
    order, start, surgery = min(hits, key=lambda h: (h[1] - h[2].on).days)
    restart = first_allowed_start(start, planned, picture.completed_surgeries)
    summary = (
        f"Withhold bevacizumab: {day(start)} is {plural_days((start - surgery.on).days)} after "
        f"{short(surgery.name)} on {day(surgery.on)}; earliest {day(restart)}"
    )
    lines, suggestions = [], []
    for order, start, surgery in hits:
        allowed = first_allowed_start(start, planned, picture.completed_surgeries)
        lines += [
            f"- **Bevacizumab order** ({order.ref}): {_start_line(order, start)}.",
            f"  - Major surgery done: {md(surgery.name)} on {day(surgery.on)} ({surgery.ref}), "
            f"{plural_days((start - surgery.on).days)} before the administration.",
            f"  - Earliest restart: {day(allowed)}.",
        ]
        suffix = f" ({order.ref})" if len(hits) > 1 else ""
        suggestions.append(
            SuggestionSpec(
                label=f"Start bevacizumab on {day(allowed)}{suffix}",
                actions=(
                    MoveMedicationStart(
                        order.ref,
                        start,
                        allowed,
                        f"Move the bevacizumab start to {day(allowed)}, 28 days after surgery",
                    ),
                ),
            )
        )
    detail = "\n".join([*lines, "", HOLD_STATEMENT])
    return Finding(Indicator.CRITICAL, summary, detail, tuple(suggestions))


@dataclass(frozen=True)
class _Exposure:
    """Bevacizumab given or scheduled: a dose date or a course window (`last` None: no end date)."""

    ref: str
    first: date
    last: date | None
    label: str


def exposures(picture: ClinicalPicture, include_drafts: bool) -> list[_Exposure]:
    out = [
        _Exposure(a.ref, a.given_on, a.given_on, f"dose given {day(a.given_on)}")
        for a in picture.administrations
        if a.drug is Drug.BEVACIZUMAB
    ]
    for order in picture.medication_orders:
        if order.drug is not Drug.BEVACIZUMAB or order.status not in COURSE_STATUSES or order.under_review:
            continue
        if order.is_draft and not include_drafts:
            continue
        first = order.start or order.authored
        if first is None:
            continue
        if order.end is None and order.status == "completed":
            continue  # finished at an unknown date: nothing to count from
        label = (
            f"course {day(first)} to {day(order.end)}"
            if order.end
            else f"course since {day(first)}, no end date"
        )
        out.append(_Exposure(order.ref, first, order.end, label))
    return out


def _exposure_conflicts(exposure: _Exposure, surgery: date) -> bool:
    if surgery < exposure.first:
        return (exposure.first - surgery).days < BEV_SURGICAL_HOLD_DAYS
    return exposure.last is None or (surgery - exposure.last).days < BEV_SURGICAL_HOLD_DAYS


@rule(
    id="BEV-SURG-SCHEDULE",
    title="Surgery ordered within 28 days of bevacizumab",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.MEDICATION_HISTORY),
    cites=(HOLD_CITATION,),
    version="1.0.0",
)
def surgery_order_soon_after_bevacizumab(
    picture: ClinicalPicture, context: HookContext, now: datetime
) -> Finding | None:
    """Warning: a surgery order whose date is less than 28 days after the last bevacizumab exposure."""
    given = exposures(picture, include_drafts=True)
    hits = [
        (surgery, [e for e in given if _exposure_conflicts(e, surgery.on)])
        for surgery in picture.surgery_orders_under_review()
    ]
    hits = [(s, found) for s, found in hits if found]
    if not hits:
        return None
    lines, suggestions = [], []
    summary = ""
    for surgery, found in hits:
        open_ended = [e for e in found if e.last is None]
        last_dose = max(e.last or e.first for e in found)
        safe = last_dose + timedelta(days=BEV_SURGICAL_HOLD_DAYS)
        if not summary:
            summary = f"{short(surgery.name, 30)} on {day(surgery.on)}: bevacizumab " + (
                "course has no end date; hold it ≥28 days first"
                if open_ended
                else f"until {day(last_dose)}; earliest surgery {day(safe)}"
            )
        lines.append(
            f"- **Surgery order** ({surgery.ref}): {md(surgery.name)} requested for {day(surgery.on)}."
        )
        lines += [f"  - Bevacizumab {e.label} ({e.ref})." for e in found]
        if open_ended:
            lines.append(
                "  - An active course has no end date: bevacizumab must be paused at least 28 days "
                "before the operation; no safe date can be computed."
            )
            continue
        lines.append(f"  - Earliest date 28 days after the last bevacizumab: {day(safe)}.")
        suffix = f" ({surgery.ref})" if len(hits) > 1 else ""
        suggestions.append(
            SuggestionSpec(
                label=f"Request the surgery for {day(safe)}{suffix}",
                actions=(
                    MoveServiceRequestDate(
                        surgery.ref, surgery.on, safe, f"Move the requested surgery date to {day(safe)}"
                    ),
                ),
            )
        )
    detail = "\n".join([*lines, "", HOLD_STATEMENT])
    return Finding(Indicator.WARNING, summary, detail, tuple(suggestions))


@rule(
    id="BEV-SURG-VIEW",
    title="Active bevacizumab course within 28 days of a planned surgery",
    hooks=("patient-view",),
    requires=(Fact.MEDICATION_HISTORY, Fact.PLANNED_SURGERY),
    cites=(HOLD_CITATION,),
    version="1.0.0",
)
def active_bevacizumab_near_planned_surgery(
    picture: ClinicalPicture, context: HookContext, now: datetime
) -> Finding | None:
    """Warning on chart open: an active bevacizumab course and a planned surgery within 28 days, either side."""
    active = [
        e
        for e in exposures(picture, include_drafts=False)
        if e.last is None or e.last >= context.today or (context.today - e.last).days < BEV_SURGICAL_HOLD_DAYS
    ]
    pairs = [(s, e) for s in upcoming(picture, context.today) for e in active if _exposure_conflicts(e, s.on)]
    if not pairs:
        return None
    surgery, exposure = pairs[0]
    summary = (
        f"{short(surgery.name, 30)} on {day(surgery.on)} is within 28 days of bevacizumab ({exposure.label})"
    )
    lines = [
        f"- Planned surgery: {md(s.name)} on {day(s.on)} ({s.ref}); bevacizumab {e.label} ({e.ref})."
        for s, e in pairs
    ]
    detail = "\n".join([*lines, "", HOLD_STATEMENT])
    return Finding(Indicator.WARNING, summary, detail)


VEGF_CLASS_AGENTS = (Drug.RAMUCIRUMAB, Drug.ZIV_AFLIBERCEPT)


def _drug_name(order: MedicationOrder) -> str:
    return order.drug.value if order.drug is not None else "VEGF inhibitor"


@rule(
    id="BEV-VEGF-CLASS",
    title="Other VEGF-pathway agent ordered near a planned surgery",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PLANNED_SURGERY),
    cites=(VEGF_COMPLICATIONS_CITATION,),
    version="1.0.0",
)
def vegf_agent_near_planned_surgery(
    picture: ClinicalPicture, context: HookContext, now: datetime
) -> Finding | None:
    """Info: a non-bevacizumab VEGF-pathway agent within 28 days of a planned surgery (no 28-day rule of its
    own in the sources, so guidance only)."""
    conflicts = _conflicts(
        picture.orders_under_review(*VEGF_CLASS_AGENTS), upcoming(picture, context.today), context.today
    )
    if not conflicts:
        return None
    worst = min(conflicts, key=lambda c: abs((c.nearest.on - c.start).days))
    summary = f"{_drug_name(worst.order).capitalize()} on {day(worst.start)} is {_relation(worst.start, worst.nearest)}"
    lines = [
        f"- **{_drug_name(c.order)} order** ({c.order.ref}): {_start_line(c.order, c.start)}; "
        + "; ".join(f"{md(s.name)} on {day(s.on)} ({s.ref})" for s in c.surgeries)
        + "."
        for c in conflicts
    ]
    detail = "\n".join([*lines, "", VEGF_STATEMENT])
    return Finding(Indicator.INFO, summary, detail)
