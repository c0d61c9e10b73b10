"""Perioperative bevacizumab: the hold before elective and after major surgery, and the complications the
sources expect when VEGF inhibitors are given around surgery.

Days are whole calendar days in the site's time zone; a dose exactly the hold away from the surgery is allowed,
one day less is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cds_service.engine.types import (
    ORDER_HOOKS,
    DeleteDraft,
    Finding,
    HookContext,
    Indicator,
    MoveMedicationStart,
    MoveServiceRequestDate,
    SuggestionSpec,
    rule,
)
from fhir_mappings.dates import days_between
from fhir_mappings.facts import ClinicalPicture, Drug, Fact, MedicationOrder, Surgery
from hooks.rules.wording import day, md, plural_days, short
from hooks.statements.bevacizumab import BEVACIZUMAB_SURGICAL_HOLD as HOLD
from hooks.statements.bevacizumab import VEGF_INHIBITOR_COMPLICATIONS as VEGF

HOLD_DAYS = HOLD.param("days")
"""The hold as a card says it: its number of days with the unit."""
HOLD_SPAN = timedelta(days=HOLD["days"])

VERSION = "1.1.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""
COURSE_STATUSES = frozenset({"active", "on-hold", "completed", "draft"})
VEGF_CLASS_AGENTS = (Drug.RAMUCIRUMAB, Drug.ZIV_AFLIBERCEPT)

VEGF_WINDOW_NOTE = (
    f"The sources give no interval for VEGF inhibitors other than bevacizumab; the {HOLD_DAYS} used to raise "
    "this card are bevacizumab's."
)


def conflicts(dose: date, surgery: Surgery) -> bool:
    """A dose less than the hold before an elective surgery, or less than the hold after a major one."""
    gap = days_between(dose, surgery.on)
    if gap >= 0:
        return gap < HOLD["days"]
    return surgery.major and -gap < HOLD["days"]


def recently_after(dose: date, surgery: Surgery) -> bool:
    """A dose less than the hold after a major surgery that was done."""
    return surgery.major and 0 <= days_between(surgery.on, dose) < HOLD["days"]


def doses_of(order: MedicationOrder, today: date) -> tuple[date, ...]:
    """The administrations an order asks for: its explicit dose dates, else its start, else today."""
    return order.doses or (order.start or today,)


def spans(order: MedicationOrder, surgery: Surgery) -> bool:
    """A course with stated bounds that runs across the surgery date."""
    return order.start is not None and order.end is not None and order.start <= surgery.on <= order.end


def first_allowed_start(
    doses: Sequence[date], planned: Iterable[Surgery], completed: Iterable[Surgery], end: date | None = None
) -> date:
    """Where the first dose lands once the whole schedule (and a course ending on `end`) is moved, by as few
    days as possible, clear of the hold around every planned surgery and after every major surgery done."""
    return allowed_start_and_planned_blockers(doses, planned, completed, end)[0]


def allowed_start_and_planned_blockers(
    doses: Sequence[date], planned: Iterable[Surgery], completed: Iterable[Surgery], end: date | None = None
) -> tuple[date, tuple[Surgery, ...]]:
    """`first_allowed_start`, with the planned surgeries that moved the schedule on the way (in date order):
    the ones a card must name when they push the date beyond the hold after a surgery done."""
    planned, completed = list(planned), list(completed)
    shift = timedelta(0)
    blockers: dict[str, Surgery] = {}
    while True:
        needed = timedelta(0)
        if end is not None:
            for surgery in planned:
                if doses[0] + shift <= surgery.on <= end + shift:
                    needed = max(needed, surgery.on + HOLD_SPAN - (doses[0] + shift))
                    blockers[surgery.ref] = surgery
        for dose in doses:
            moved = dose + shift
            for surgery in planned:
                if conflicts(moved, surgery):
                    needed = max(needed, surgery.on + HOLD_SPAN - moved)
                    blockers[surgery.ref] = surgery
            for surgery in completed:
                if recently_after(moved, surgery):
                    needed = max(needed, surgery.on + HOLD_SPAN - moved)
        if not needed:
            return doses[0] + shift, tuple(sorted(blockers.values(), key=lambda b: (b.on, b.ref)))
        shift += needed


def upcoming(picture: ClinicalPicture, today: date) -> list[Surgery]:
    """Planned surgeries dated today or later (an older plan either happened, and is a Procedure, or lapsed)."""
    return [s for s in picture.planned_surgeries if s.on >= today]


def _relation(dose: date, surgery: Surgery) -> str:
    gap = days_between(dose, surgery.on)
    if gap >= 0:
        return f"{plural_days(gap)} before {short(surgery.name)} on {day(surgery.on)}"
    return f"{plural_days(-gap)} after planned {short(surgery.name)} on {day(surgery.on)}"


def _schedule_line(order: MedicationOrder, doses: Sequence[date]) -> str:
    if order.doses:
        return "doses on " + ", ".join(day(d) for d in order.doses)
    if order.start is None:
        return f"no start date on the order, so today ({day(doses[0])}) was used"
    course = f" to {day(order.end)}" if order.end else ""
    return f"intended start {day(order.start)}{course}"


@dataclass(frozen=True)
class _OrderConflict:
    order: MedicationOrder
    doses: tuple[date, ...]
    surgeries: tuple[Surgery, ...]

    @property
    def nearest(self) -> tuple[date, Surgery]:
        """The dose and surgery closest together (ties: the earlier surgery)."""
        return min(
            ((dose, s) for dose in self.doses for s in self.surgeries),
            key=lambda pair: (abs(days_between(pair[0], pair[1].on)), pair[1].on),
        )

    @property
    def gap(self) -> int:
        dose, surgery = self.nearest
        return abs(days_between(dose, surgery.on))


def _order_conflicts(
    orders: Sequence[MedicationOrder], planned: Sequence[Surgery], today: date
) -> list[_OrderConflict]:
    found = []
    for order in orders:
        doses = doses_of(order, today)
        near = tuple(s for s in planned if spans(order, s) or any(conflicts(d, s) for d in doses))
        if near:
            found.append(_OrderConflict(order, doses, near))
    return found


def _move_suggestions(
    moves: Sequence[tuple[MedicationOrder, date, date]], drug: str, why: str
) -> tuple[SuggestionSpec, ...]:
    """One suggestion that removes every conflicting draft and one that moves every one of them: with
    `at-most-one`, a clinician can fix all of them from a single card."""
    several = len(moves) > 1
    noun = f"{len(moves)} {drug} orders" if several else f"the {drug} order"
    deletes = tuple(
        DeleteDraft(order.ref, f"Remove the draft {drug} order ({order.ref})") for order, _, _ in moves
    )
    updates = tuple(
        MoveMedicationStart(
            order.ref, current, new, f"Move the {drug} start ({order.ref}) to {day(new)}, {why}"
        )
        for order, current, new in moves
    )
    move_label = f"Move {noun} clear of surgery" if several else f"Start {drug} on {day(moves[0][2])}"
    return (SuggestionSpec(f"Remove {noun}", deletes), SuggestionSpec(move_label, updates))


@rule(
    id="BEV-SURG-BEFORE",
    title=f"Bevacizumab ordered within {HOLD_DAYS} of a planned surgery",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PLANNED_SURGERY, Fact.COMPLETED_SURGERY),
    statements=(HOLD, VEGF),
    version=VERSION,
)
def bevacizumab_order_near_planned_surgery(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Critical: a bevacizumab draft with a dose less than the hold before a planned surgery (or after a
    planned major one), or whose stated course runs across it."""
    planned = upcoming(picture, context.today)
    found = _order_conflicts(picture.orders_under_review(Drug.BEVACIZUMAB), planned, context.today)
    if not found:
        return None
    worst = min(found, key=lambda c: c.gap)
    dose, surgery = worst.nearest
    if conflicts(dose, surgery):
        summary = f"Withhold bevacizumab: dose {day(dose)} is {_relation(dose, surgery)} (hold ≥{HOLD_DAYS})"
    else:
        summary = f"Withhold bevacizumab: its course runs across {short(surgery.name)} on {day(surgery.on)}"
    lines, moves = [], []
    for conflict in found:
        course_end = None if conflict.order.doses else conflict.order.end
        allowed = first_allowed_start(conflict.doses, planned, picture.completed_surgeries, course_end)
        moves.append((conflict.order, conflict.doses[0], allowed))
        lines.append(f"- **Bevacizumab order**: {_schedule_line(conflict.order, conflict.doses)}.")
        for s in conflict.surgeries:
            nearest = min(conflict.doses, key=lambda d: abs(days_between(d, s.on)))
            if conflicts(nearest, s):
                where = f"the dose of {day(nearest)} is {_relation(nearest, s).split(' on ')[0]}"
            else:
                where = "the course runs across it"
            lines.append(f"  - Planned surgery: {md(s.name)} on {day(s.on)}; {where}.")
        lines.append(
            f"  - Moving the whole schedule, the first dose clear of every surgery on record is {day(allowed)}."
        )
    detail = "\n".join([*lines, "", HOLD.said(), VEGF.said()])
    suggestions = _move_suggestions(moves, "bevacizumab", f"{HOLD_DAYS} clear of surgery")
    return Finding(Indicator.CRITICAL, summary, detail, suggestions)


@rule(
    id="BEV-SURG-AFTER",
    title=f"Bevacizumab ordered within {HOLD_DAYS} after major surgery",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.COMPLETED_SURGERY, Fact.PLANNED_SURGERY),
    statements=(HOLD,),
    version=VERSION,
)
def bevacizumab_order_soon_after_major_surgery(
    picture: ClinicalPicture, context: HookContext
) -> Finding | None:
    """Critical: a bevacizumab draft with a dose less than the hold after a major surgery that was done. The
    earliest restart moves the whole schedule clear of every surgery; when a planned surgery pushes it beyond
    the hold after the completed ones, summary and detail name that planned surgery and its date."""
    planned = upcoming(picture, context.today)
    completed = picture.completed_surgeries
    hits: list[tuple[MedicationOrder, tuple[date, ...], date, Surgery]] = []
    for order in picture.orders_under_review(Drug.BEVACIZUMAB):
        doses = doses_of(order, context.today)
        pairs = [(d, s) for d in doses for s in completed if recently_after(d, s)]
        if pairs:
            dose, surgery = min(pairs, key=lambda p: days_between(p[1].on, p[0]))
            hits.append((order, doses, dose, surgery))
    if not hits:
        return None
    restarts = []
    for _, doses, _, _ in hits:
        after_done = first_allowed_start(doses, [], completed)
        allowed, blockers = allowed_start_and_planned_blockers(doses, planned, completed)
        restarts.append((after_done, allowed, blockers if allowed > after_done else ()))
    moves = [(o, doses[0], allowed) for (o, doses, _, _), (_, allowed, _) in zip(hits, restarts, strict=True)]
    lead = min(range(len(hits)), key=lambda i: days_between(hits[i][3].on, hits[i][2]))
    _, _, dose, surgery = hits[lead]
    earliest = min(new for _, _, new in moves)
    pushed_by = next((b for _, allowed, b in restarts if allowed == earliest and b), ())
    summary = (
        f"Withhold bevacizumab: dose {day(dose)} is {plural_days(days_between(surgery.on, dose))} after "
        f"{short(surgery.name)} on {day(surgery.on)}; earliest {day(earliest)}"
    )
    if pushed_by:
        summary = (
            f"Withhold bevacizumab: {plural_days(days_between(surgery.on, dose))} after "
            f"{short(surgery.name, 16)} ({day(surgery.on)}); earliest {day(earliest)}, clear of planned "
            f"{short(pushed_by[-1].name, 16)} ({day(pushed_by[-1].on)})"
        )
    lines = []
    for (order, doses, dose, surgery), (after_done, allowed, blockers) in zip(hits, restarts, strict=True):
        lines += [
            f"- **Bevacizumab order**: {_schedule_line(order, doses)}.",
            f"  - Major surgery done: {md(surgery.name)} on {day(surgery.on)}, "
            f"{plural_days(days_between(surgery.on, dose))} before the dose of {day(dose)}.",
        ]
        if blockers:
            lines += [
                f"  - Earliest restart after the surgery done, moving the whole schedule: {day(after_done)}.",
                f"  - That schedule would fall within {HOLD_DAYS} of "
                + "; ".join(f"planned {md(b.name)} on {day(b.on)}" for b in blockers)
                + f": the earliest restart clear of it is {day(allowed)}.",
            ]
        else:
            lines.append(f"  - Earliest restart, moving the whole schedule: {day(allowed)}.")
    detail = "\n".join([*lines, "", HOLD.said()])
    suggestions = _move_suggestions(moves, "bevacizumab", f"{HOLD_DAYS} after surgery")[1:]
    return Finding(Indicator.CRITICAL, summary, detail, suggestions)


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
        last = order.doses[-1] if order.doses else order.end
        if first is None or (last is None and order.status == "completed"):
            continue  # no date to count from, or finished at an unknown date
        label = f"course {day(first)} to {day(last)}" if last else f"order since {day(first)}, no end date"
        out.append(_Exposure(order.ref, first, last, label))
    return out


def _last_dose_before(exposure: _Exposure, surgery: date) -> tuple[date, bool] | None:
    """The exposure's last dose on or before the surgery, and whether it is still running then (no end date,
    or an end after the surgery: its last dose before surgery is then the surgery date itself). None when
    the surgery comes before it all."""
    if surgery < exposure.first:
        return None
    if exposure.last is None or exposure.last > surgery:
        return surgery, True
    return exposure.last, False


@rule(
    id="BEV-SURG-SCHEDULE",
    title=f"Surgery ordered within {HOLD_DAYS} of bevacizumab",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.MEDICATION_HISTORY),
    statements=(HOLD,),
    version=VERSION,
)
def surgery_order_soon_after_bevacizumab(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: a surgery order dated less than the hold after the last bevacizumab dose before it."""
    given = exposures(picture, include_drafts=True)
    lines, suggestions = [], []
    summary = ""
    for surgery in picture.surgery_orders_under_review():
        recent = [
            (e, *found)
            for e in given
            if (found := _last_dose_before(e, surgery.on)) is not None
            and days_between(found[0], surgery.on) < HOLD["days"]
        ]
        if not recent:
            continue
        running = any(still_running for _, _, still_running in recent)
        last_dose = max(last for _, last, _ in recent)
        safe = last_dose + HOLD_SPAN
        summary = summary or (
            f"{short(surgery.name, 30)} on {day(surgery.on)}: bevacizumab "
            + (
                f"still scheduled then; pause it ≥{HOLD_DAYS} before"
                if running
                else f"last dose {day(last_dose)}; earliest surgery {day(safe)}"
            )
        )
        lines.append(f"- **Surgery order**: {md(surgery.name)} requested for {day(surgery.on)}.")
        lines += [f"  - Bevacizumab {e.label}." for e, _, _ in recent]
        if running:
            lines.append(
                "  - Bevacizumab is still scheduled on the requested date: it must be paused at least "
                f"{HOLD_DAYS} before the operation, so no surgery date alone can be suggested."
            )
            continue
        lines.append(f"  - Earliest date {HOLD_DAYS} after the last bevacizumab dose: {day(safe)}.")
        suggestions.append(
            SuggestionSpec(
                label=f"Request the surgery for {day(safe)}",
                actions=(
                    MoveServiceRequestDate(
                        surgery.ref, surgery.on, safe, f"Move the requested surgery date to {day(safe)}"
                    ),
                ),
            )
        )
    if not lines:
        return None
    detail = "\n".join([*lines, "", HOLD.said()])
    moves = (
        SuggestionSpec(
            "Move the surgery orders clear of bevacizumab", tuple(a for s in suggestions for a in s.actions)
        ),
    )
    return Finding(Indicator.WARNING, summary, detail, moves if len(suggestions) > 1 else tuple(suggestions))


@rule(
    id="BEV-SURG-VIEW",
    title=f"Active bevacizumab course within {HOLD_DAYS} of a planned surgery",
    hooks=("patient-view",),
    requires=(Fact.MEDICATION_HISTORY, Fact.PLANNED_SURGERY),
    statements=(HOLD,),
    version=VERSION,
)
def active_bevacizumab_near_planned_surgery(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning on chart open: bevacizumab given or scheduled within the hold of a planned surgery, either side."""

    def gap(exposure: _Exposure, surgery: Surgery) -> int | float:
        """Days between the surgery and the nearest bevacizumab on the side the source holds it (the hold
        itself when bevacizumab only follows a minor surgery: no hold applies then)."""
        before = _last_dose_before(exposure, surgery.on)
        if before is not None:
            return days_between(before[0], surgery.on)
        return days_between(surgery.on, exposure.first) if surgery.major else HOLD["days"]

    given = exposures(picture, include_drafts=False)
    pairs = [(s, e) for s in upcoming(picture, context.today) for e in given if gap(e, s) < HOLD["days"]]
    if not pairs:
        return None
    surgery = min((s for s, _ in pairs), key=lambda s: (s.on, s.ref))
    exposure = min((e for s, e in pairs if s == surgery), key=lambda e: gap(e, surgery))
    summary = f"{short(surgery.name, 30)} on {day(surgery.on)} is within {HOLD_DAYS} of bevacizumab ({exposure.label})"
    lines = [f"- Planned surgery: {md(s.name)} on {day(s.on)}; bevacizumab {e.label}." for s, e in pairs]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", HOLD.said()]))


@rule(
    id="BEV-VEGF-CLASS",
    title="Other VEGF-pathway agent ordered near a planned surgery",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.PLANNED_SURGERY),
    statements=(VEGF, HOLD),
    version=VERSION,
)
def vegf_agent_near_planned_surgery(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Info: a VEGF-pathway agent other than bevacizumab near a planned surgery: guidance only, since the
    sources give these agents no hold of their own."""
    found = _order_conflicts(
        picture.orders_under_review(*VEGF_CLASS_AGENTS), upcoming(picture, context.today), context.today
    )
    if not found:
        return None
    worst = min(found, key=lambda c: c.gap)
    dose, surgery = worst.nearest
    summary = f"{worst.order.drug.value.capitalize()} dose {day(dose)} is {_relation(dose, surgery)}"
    lines = [
        f"- **{c.order.drug.value} order**: {_schedule_line(c.order, c.doses)}; "
        + "; ".join(f"{md(s.name)} on {day(s.on)}" for s in c.surgeries)
        + "."
        for c in found
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", VEGF.said(), VEGF_WINDOW_NOTE]))
