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
    BOOKING_HOOKS,
    ORDER_HOOKS,
    ActionSpec,
    DeleteDraft,
    Finding,
    HookContext,
    Indicator,
    MoveAppointment,
    MoveMedicationStart,
    MoveServiceRequestDate,
    SuggestionSpec,
    rule,
)
from fhir_mappings.dates import days_between
from fhir_mappings.facts import (
    FUTURE_DOSE_STATUSES,
    ClinicalPicture,
    Drug,
    Fact,
    MedicationOrder,
    Surgery,
)
from fhir_mappings.schedule import RepeatSchedule
from hooks.rules.wording import day, md, plural_days, short
from hooks.statements.bevacizumab import BEVACIZUMAB_SURGICAL_HOLD as HOLD
from hooks.statements.bevacizumab import VEGF_INHIBITOR_COMPLICATIONS as VEGF

HOLD_DAYS = HOLD.param("days")
"""The hold as a card says it: its number of days with the unit."""
HOLD_SPAN = timedelta(days=HOLD["days"])

VERSION = "2.0.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""
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


def unstated_rhythm(order: MedicationOrder) -> bool:
    """An order with neither dose dates nor a readable repeat: its course is its start (catalog revision 2,
    "Doses of a course"), and a stated end only says the course runs to then, cycle dates unknown."""
    return not order.doses and order.schedule is None


def spans(order: MedicationOrder, surgery: Surgery) -> bool:
    """A course of unstated rhythm whose stated bounds run across the surgery date (a course with dose dates
    or a repeat is judged by those dates)."""
    return (
        unstated_rhythm(order)
        and order.start is not None
        and order.end is not None
        and order.start <= surgery.on <= order.end
    )


def the_dose(course: Sequence[date], dose: date) -> str:
    """`dose_label` inside a sentence: "the dose on …" for a single dose, "cycle 2 on …" for a cycle."""
    label = dose_label(course, dose)
    return label if len(course) > 1 else f"the dose of {day(dose)}"


def dose_label(course: Sequence[date], dose: date) -> str:
    """How a card names one dose of a course: its cycle (its position in the course) and date."""
    if len(course) > 1:
        return f"cycle {course.index(dose) + 1} on {day(dose)}"
    return f"dose {day(dose)}"


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
        return f"{plural_days(gap)} before {short(surgery.name, 30)} on {day(surgery.on)}"
    return f"{plural_days(-gap)} after planned {short(surgery.name, 30)} on {day(surgery.on)}"


FEW_DOSES = 6
"""Up to this many explicit dose dates a card lists one by one."""
_UNIT_WORDS = {"d": "day", "wk": "week", "mo": "month", "a": "year"}


def _every(schedule: RepeatSchedule) -> str:
    word = _UNIT_WORDS.get(schedule.unit, schedule.unit)
    return f"every {word}" if schedule.period == 1 else f"every {schedule.period:g} {word}s"


def _schedule_line(order: MedicationOrder, doses: Sequence[date]) -> str:
    """The course as the card reads it: its dose dates, or its repeat with the cycles it gives."""
    if order.doses:
        if len(order.doses) <= FEW_DOSES:
            return "doses on " + ", ".join(day(d) for d in order.doses)
        return f"{len(order.doses)} doses from {day(order.doses[0])} to {day(order.doses[-1])}"
    if order.schedule is not None:
        start = (
            f"from {day(order.start)}"
            if order.start
            else f"from today ({day(doses[0])}: no start date on the order)"
        )
        cycles = (
            f"one cycle, on {day(doses[0])}"
            if len(doses) == 1
            else f"{len(doses)} cycles, the last on {day(doses[-1])}"
        )
        open_ended = (
            ", no end stated (cycles read one year ahead)"
            if order.schedule.count is None and order.schedule.last_day(doses[0]) is None
            else ""
        )
        return f"{_every(order.schedule)} {start}: {cycles}{open_ended}"
    if order.start is None:
        return f"no start date on the order, so today ({day(doses[0])}) was used"
    course = f" to {day(order.end)}" if order.end else ""
    return f"intended start {day(order.start)}{course}"


@dataclass(frozen=True)
class _OrderConflict:
    order: MedicationOrder
    doses: tuple[date, ...]
    """Every dose of the order's course (catalog revision 2, "Doses of a course")."""
    surgeries: tuple[Surgery, ...]

    @property
    def nearest(self) -> tuple[date, Surgery]:
        """The conflicting dose and surgery closest together (ties: the earlier surgery); a course that only
        runs across a surgery: its dose nearest to it."""
        pairs = [(d, s) for d in self.doses for s in self.surgeries if conflicts(d, s)]
        return min(
            pairs or [(d, s) for d in self.doses for s in self.surgeries],
            key=lambda pair: (
                days_between(pair[0], pair[1].on) < 0,  # a dose before the surgery first: the elective hold
                abs(days_between(pair[0], pair[1].on)),
                pair[1].on,
            ),
        )

    @property
    def gap(self) -> int:
        dose, surgery = self.nearest
        return abs(days_between(dose, surgery.on))

    def within_hold(self, surgery: Surgery) -> list[date]:
        """The doses of the course within the hold of `surgery`, in date order."""
        return [d for d in self.doses if conflicts(d, surgery)]


def _order_conflicts(
    orders: Sequence[MedicationOrder], planned: Sequence[Surgery], today: date
) -> list[_OrderConflict]:
    found = []
    for order in orders:
        doses = order.course(today)
        if not doses:
            continue  # a cancelled or mistaken order asks for no dose
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
    """Critical: a bevacizumab draft any cycle of whose course falls less than the hold before a planned
    surgery (or after a planned major one), or whose stated course of unstated rhythm runs across it. The card
    names the cycle and date in conflict; the suggested move shifts the whole course, clearing every cycle."""
    planned = upcoming(picture, context.today)
    found = _order_conflicts(picture.orders_under_review(Drug.BEVACIZUMAB), planned, context.today)
    if not found:
        return None
    worst = min(found, key=lambda c: c.gap)
    dose, surgery = worst.nearest
    if conflicts(dose, surgery):
        summary = (
            f"Withhold bevacizumab: {dose_label(worst.doses, dose)} is {_relation(dose, surgery)} "
            f"(hold ≥{HOLD_DAYS})"
        )
    else:
        summary = f"Withhold bevacizumab: its course runs across {short(surgery.name)} on {day(surgery.on)}"
    lines, moves = [], []
    for conflict in found:
        course_end = conflict.order.end if unstated_rhythm(conflict.order) else None
        allowed = first_allowed_start(conflict.doses, planned, picture.completed_surgeries, course_end)
        moves.append((conflict.order, conflict.doses[0], allowed))
        lines.append(f"- **Bevacizumab order**: {_schedule_line(conflict.order, conflict.doses)}.")
        for s in conflict.surgeries:
            held = conflict.within_hold(s)
            said = [(the_dose(conflict.doses, d), _relation(d, s).split(" on ")[0]) for d in held]
            if len(said) == 1:
                where = f"{said[0][0]} is {said[0][1]}"
            elif said:
                more = len(said) - FEW_DOSES
                where = "within the hold: " + "; ".join(f"{label}, {rel}" for label, rel in said[:FEW_DOSES])
                where += f"; and {more} more" if more > 0 else ""
            else:
                where = "the course runs across it"
            lines.append(f"  - Planned surgery: {md(s.name)} on {day(s.on)}; {where}.")
        every = ", every cycle with it" if len(conflict.doses) > 1 else ""
        lines.append(
            f"  - Moving the whole schedule{every}, the first dose clear of every surgery on record is "
            f"{day(allowed)}."
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
    """Critical: a bevacizumab draft any cycle of whose course falls less than the hold after a major surgery
    that was done. The earliest restart moves the whole schedule clear of every surgery; when a planned surgery
    pushes it beyond the hold after the completed ones, summary and detail name that planned surgery and its
    date."""
    planned = upcoming(picture, context.today)
    completed = picture.completed_surgeries
    hits: list[tuple[MedicationOrder, tuple[date, ...], date, Surgery]] = []
    for order in picture.orders_under_review(Drug.BEVACIZUMAB):
        doses = order.course(context.today)
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
    _, lead_doses, dose, surgery = hits[lead]
    earliest = min(new for _, _, new in moves)
    pushed_by = next((b for _, allowed, b in restarts if allowed == earliest and b), ())
    summary = (
        f"Withhold bevacizumab: {dose_label(lead_doses, dose)} is "
        f"{plural_days(days_between(surgery.on, dose))} after {short(surgery.name, 30)} on {day(surgery.on)}; "
        f"earliest {day(earliest)}"
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
            f"{plural_days(days_between(surgery.on, dose))} before {the_dose(doses, dose)}.",
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
    """Bevacizumab given or scheduled: an administration, or the doses of an order's course (a course of
    unstated rhythm still running: `runs_to`, its stated end)."""

    ref: str
    doses: tuple[date, ...]
    given: bool
    """An administration on record (else the doses an order's course implies)."""
    runs_to: date | None = None

    def label(self, dose: date) -> str:
        if self.given:
            return f"dose given {day(dose)}"
        if self.runs_to is not None:
            return f"course {day(self.doses[0])} to {day(self.runs_to)}"
        return f"course, {dose_label(self.doses, dose)}"


def exposures(picture: ClinicalPicture, today: date, include_drafts: bool) -> list[_Exposure]:
    """Systemic bevacizumab on record (ocular use is not extracted): every administration, and every dose of
    each order's course (an on-hold, completed or stopped course has no future doses; a cancelled one none)."""
    out = [
        _Exposure(a.ref, (a.given_on,), given=True)
        for a in picture.administrations
        if a.drug is Drug.BEVACIZUMAB
    ]
    for order in picture.medication_orders:
        if order.drug is not Drug.BEVACIZUMAB or order.under_review:
            continue
        if order.is_draft and not include_drafts:
            continue
        doses = order.course(today)
        if not doses:
            continue
        runs = (
            order.end
            if unstated_rhythm(order)
            and order.end is not None
            and (order.is_draft or order.status in FUTURE_DOSE_STATUSES)
            else None
        )
        out.append(_Exposure(order.ref, doses, given=False, runs_to=runs))
    return out


def _before(exposure: _Exposure, surgery: date) -> date | None:
    """The exposure's last dose on or before the surgery; a course of unstated rhythm may have one on any day
    up to its stated end."""
    found = [d for d in exposure.doses if d <= surgery]
    if exposure.runs_to is not None and exposure.doses[0] <= surgery:
        found.append(min(surgery, exposure.runs_to))
    return max(found, default=None)


def _after(exposure: _Exposure, surgery: date) -> date | None:
    """The exposure's first dose after the surgery; a course of unstated rhythm may have one on any day up to
    its stated end."""
    found = [d for d in exposure.doses if d > surgery]
    if exposure.runs_to is not None and exposure.runs_to > surgery:
        found.append(max(surgery + timedelta(days=1), exposure.doses[0]))
    return min(found, default=None)


def _gap_phrase(dose: date, on: date, what: str) -> str:
    """How long before `what` (on `on`) the dose is: "on <what>" the same day."""
    gap = days_between(dose, on)
    return f"on {what}" if gap == 0 else f"{plural_days(gap)} before {what}"


@rule(
    id="BEV-SURG-SCHEDULE",
    title=f"Surgery ordered or booked within {HOLD_DAYS} of bevacizumab",
    hooks=(*ORDER_HOOKS, *BOOKING_HOOKS),
    requires=(Fact.DRAFT_ORDERS, Fact.MEDICATION_HISTORY, Fact.PLANNED_SURGERY),
    statements=(HOLD,),
    version=VERSION,
)
def surgery_order_soon_after_bevacizumab(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: a surgery order, or a surgery appointment being booked (appointment-book), dated less than the
    hold after the patient's last bevacizumab administration, or after a dose of a course (an active course's
    future cycles included; an on-hold one's not). A course still scheduled after the requested date must be
    paused: no surgery date alone is suggested then. A booking gets the move of the whole Appointment to the
    earliest safe day, or keeping it as booked (at most one)."""
    given = exposures(picture, context.today, include_drafts=True)
    lines, suggestions = [], []
    summary = ""
    for surgery in picture.surgery_orders_under_review():
        recent = [
            (e, last)
            for e in given
            if (last := _before(e, surgery.on)) is not None and days_between(last, surgery.on) < HOLD["days"]
        ]
        if not recent:
            continue
        exposure, last_dose = max(recent, key=lambda r: (r[1], not r[0].given))
        next_doses = [n for e, _ in recent if (n := _after(e, surgery.on)) is not None]
        booking = surgery.ref.startswith("Appointment/")
        what = "Surgery appointment being booked" if booking else "Surgery order"
        when = "the booked date" if booking else "the requested date"
        lines.append(
            f"- **{what}**: {md(surgery.name)} {'on' if booking else 'requested for'} {day(surgery.on)}."
        )
        lines += [
            f"  - Bevacizumab {e.label(last)}: {_gap_phrase(last, surgery.on, when)}." for e, last in recent
        ]
        if next_doses:
            summary = summary or (
                f"{short(surgery.name, 30)} on {day(surgery.on)}: bevacizumab still scheduled "
                f"({exposure.label(last_dose)}); pause it ≥{HOLD_DAYS} before"
            )
            lines.append(
                f"  - Bevacizumab is still scheduled after the requested date (next on {day(min(next_doses))}): "
                f"it must be paused at least {HOLD_DAYS} before the operation, so no surgery date alone can be "
                "suggested."
            )
            continue
        safe = last_dose + HOLD_SPAN
        summary = summary or (
            f"{short(surgery.name, 30)} on {day(surgery.on)}: bevacizumab "
            f"{'last dose' if last_dose <= context.today else 'dose scheduled'} {day(last_dose)}; "
            f"earliest surgery {day(safe)}"
        )
        lines.append(f"  - Earliest date {HOLD_DAYS} after the last bevacizumab dose: {day(safe)}.")
        if booking:
            move: ActionSpec = MoveAppointment(
                surgery.ref, surgery.on, safe, f"Move the appointment to {day(safe)}, same time and duration"
            )
            suggestions.append(SuggestionSpec(f"Book the surgery on {day(safe)}", (move,)))
        else:
            move = MoveServiceRequestDate(
                surgery.ref, surgery.on, safe, f"Move the requested surgery date to {day(safe)}"
            )
            suggestions.append(SuggestionSpec(f"Request the surgery for {day(safe)}", (move,)))
    if not lines:
        return None
    if context.hook in BOOKING_HOOKS and suggestions:
        moves = (
            SuggestionSpec(
                "Move the appointments clear of bevacizumab", tuple(a for s in suggestions for a in s.actions)
            ),
        )
        keep = SuggestionSpec("Keep the appointment as booked", ())
        chosen = (moves if len(suggestions) > 1 else tuple(suggestions)) + (keep,)
        return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", HOLD.said()]), chosen)
    detail = "\n".join([*lines, "", HOLD.said()])
    moves = (
        SuggestionSpec(
            "Move the surgery orders clear of bevacizumab", tuple(a for s in suggestions for a in s.actions)
        ),
    )
    return Finding(Indicator.WARNING, summary, detail, moves if len(suggestions) > 1 else tuple(suggestions))


def _view_gap(exposure: _Exposure, surgery: Surgery) -> tuple[int, date] | None:
    """The exposure's dose within the hold of the surgery, with the days between: its last dose before the
    surgery when that is within the hold (the elective hold), else its first dose after a major surgery; None
    when neither is."""
    before = _before(exposure, surgery.on)
    if before is not None and days_between(before, surgery.on) < HOLD["days"]:
        return days_between(before, surgery.on), before
    after = _after(exposure, surgery.on)
    if after is not None and surgery.major and days_between(surgery.on, after) < HOLD["days"]:
        return days_between(surgery.on, after), after
    return None


@rule(
    id="BEV-SURG-VIEW",
    title=f"Active bevacizumab course within {HOLD_DAYS} of a planned surgery",
    hooks=("patient-view",),
    requires=(Fact.MEDICATION_HISTORY, Fact.PLANNED_SURGERY),
    statements=(HOLD,),
    version=VERSION,
)
def active_bevacizumab_near_planned_surgery(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning on chart open: a bevacizumab dose given, or one of a course on record (an on-hold course has no
    future doses), within the hold of a planned surgery: before it, or after it when it is major."""
    found = []
    for surgery in upcoming(picture, context.today):
        for exposure in exposures(picture, context.today, include_drafts=False):
            near = _view_gap(exposure, surgery)
            if near is not None:
                found.append((surgery, exposure, near[1]))
    if not found:
        return None
    surgery = min((s for s, _, _ in found), key=lambda s: (s.on, s.ref))
    _, exposure, dose = min(
        ((s, e, d) for s, e, d in found if s == surgery),
        key=lambda f: (f[2] > surgery.on, abs(days_between(f[2], surgery.on))),
    )
    summary = (
        f"{short(surgery.name, 30)} on {day(surgery.on)} is within {HOLD_DAYS} of bevacizumab "
        f"({exposure.label(dose)})"
    )
    lines = [
        f"- Planned surgery: {md(s.name)} on {day(s.on)}; bevacizumab {e.label(d)}, "
        + (
            f"{_gap_phrase(d, s.on, 'the surgery date')}."
            if d <= s.on
            else f"{plural_days(days_between(s.on, d))} after it."
        )
        for s, e, d in found
    ]
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
    summary = (
        f"{worst.order.drug.value.capitalize()} {dose_label(worst.doses, dose)} is {_relation(dose, surgery)}"
    )
    lines = [
        f"- **{c.order.drug.value} order**: {_schedule_line(c.order, c.doses)}; "
        + "; ".join(f"{md(s.name)} on {day(s.on)}" for s in c.surgeries)
        + "."
        for c in found
    ]
    return Finding(Indicator.INFO, summary, "\n".join([*lines, "", VEGF.said(), VEGF_WINDOW_NOTE]))
