"""Bevacizumab-specific adverse events to monitor: hypertension, venous thromboembolism, fistula.

Source: CERVICAL-OMENTAL l.57-60 (monitor for bevacizumab-specific adverse events: hypertension 25% vs 1.8%
grade 2; venous thromboembolic events 8.2% vs 1.8% grade 3; fistula formation 8.6% vs 1% grade 2). The source
gives incidences, not a blood-pressure threshold: the hypertension range is the catalog's definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from cds_service.engine.types import (
    ALL_HOOKS,
    ORDER_HOOKS,
    Citation,
    Finding,
    HookContext,
    Indicator,
    Rule,
    rule,
)
from fhir_mappings.facts import (
    BloodPressure,
    ClinicalPicture,
    ComorbidCondition,
    Comorbidity,
    Drug,
    Fact,
    MedicationOrder,
)
from hooks.rules.wording import day, md, short

HYPERTENSION_SYSTOLIC_MMHG = 140.0
"""Systolic pressure (mm Hg) from which a reading is in the hypertension range. This is the catalog's
definition of the hypertension range (guideline-catalog BEV-TOX-HTN): CERVICAL-OMENTAL l.57-58 names
hypertension as a bevacizumab adverse event to monitor (25% vs 1.8% grade 2) but gives no threshold."""
HYPERTENSION_DIASTOLIC_MMHG = 90.0
"""Diastolic pressure (mm Hg) from which a reading is in the hypertension range: the catalog's definition, as
for HYPERTENSION_SYSTOLIC_MMHG (the source, CERVICAL-OMENTAL l.57-58, gives no threshold)."""
BEVACIZUMAB_CYCLE_DAYS = 21
"""CERVICAL-OMENTAL l.30, l.37: bevacizumab 15 mg/kg every 3 weeks. A dose given within the last cycle means
the patient is on bevacizumab now (patient-view), even without an active order on record."""

MONITOR_HYPERTENSION = Citation("CERVICAL-OMENTAL", 57, 58)
MONITOR_VTE_FISTULA = Citation("CERVICAL-OMENTAL", 57, 60)
CYCLE = Citation("CERVICAL-OMENTAL", 30, 30)
ON_TREATMENT_STATUSES = frozenset({"active", "on-hold"})

HYPERTENSION_STATEMENT = (
    "Guideline: monitor for bevacizumab-specific adverse events, among them hypertension "
    "(grade 2: 25% vs 1.8%) (CERVICAL-OMENTAL l.57-58)."
)
THRESHOLD_NOTE = (
    f"The source gives no blood-pressure threshold: systolic ≥ {HYPERTENSION_SYSTOLIC_MMHG:g} mm Hg or "
    f"diastolic ≥ {HYPERTENSION_DIASTOLIC_MMHG:g} mm Hg is this service's definition of the hypertension range."
)
EVENT_RATES: dict[Comorbidity, str] = {
    Comorbidity.VTE: "venous thromboembolic events (grade 3: 8.2% vs 1.8%)",
    Comorbidity.FISTULA: "fistula formation (grade 2: 8.6% vs 1%)",
}
"""CERVICAL-OMENTAL l.59-60: the incidences with and without bevacizumab, by grade."""
EVENT_LABELS: dict[Comorbidity, str] = {Comorbidity.VTE: "VTE", Comorbidity.FISTULA: "fistula"}


def _mmhg(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def reading_text(bp: BloodPressure) -> str:
    return f"{_mmhg(bp.systolic)}/{_mmhg(bp.diastolic)} mm Hg"


def in_hypertension_range(bp: BloodPressure) -> bool:
    """Either pressure at or above its threshold; a missing component does not count against the other."""
    return (bp.systolic is not None and bp.systolic >= HYPERTENSION_SYSTOLIC_MMHG) or (
        bp.diastolic is not None and bp.diastolic >= HYPERTENSION_DIASTOLIC_MMHG
    )


def bevacizumab_exposure(picture: ClinicalPicture, today: date) -> list[str]:
    """Card lines that show the patient is on bevacizumab now: an active (or on-hold) bevacizumab order whose
    course has not ended, or a dose given within the last 3-week cycle. Empty: not on bevacizumab."""
    lines = [
        f"- On bevacizumab: order {o.status}"
        + (f" since {day(o.start)}" if o.start else "")
        + (f" to {day(o.end)}" if o.end else "")
        + f" ({o.ref})."
        for o in picture.medication_orders
        if o.drug is Drug.BEVACIZUMAB
        and not o.is_draft
        and o.status in ON_TREATMENT_STATUSES
        and (o.end is None or o.end >= today)
    ]
    recent = [
        a
        for a in picture.administrations
        if a.drug is Drug.BEVACIZUMAB
        and timedelta(0) <= today - a.given_on < timedelta(days=BEVACIZUMAB_CYCLE_DAYS)
    ]
    if recent:
        last = max(recent, key=lambda a: (a.given_on, a.ref))
        lines.append(f"- Last bevacizumab dose given {day(last.given_on)} ({last.ref}).")
    return lines


def _order_lines(orders: Sequence[MedicationOrder]) -> list[str]:
    return [
        f"- **Bevacizumab order** under review ({o.ref})"
        + (f", intended start {day(o.start)}" if o.start else "")
        + "."
        for o in orders
    ]


@rule(
    id="BEV-TOX-HTN",
    title="Blood pressure in the hypertension range with bevacizumab",
    hooks=ALL_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.MEDICATION_HISTORY, Fact.BLOOD_PRESSURE),
    cites=(MONITOR_HYPERTENSION, CYCLE),
    version="1.0.0",
)
def bevacizumab_with_hypertension(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: bevacizumab under review (order hooks) or being given (patient-view) while the latest blood
    pressure is ≥ 140 systolic or ≥ 90 diastolic. No blood pressure on record: no card (the source asks for
    monitoring, not for a reading before each order; a card on every bevacizumab order without a reading
    would be noise)."""
    bp = picture.blood_pressure
    if bp is None or not in_hypertension_range(bp):
        return None
    if context.hook == "patient-view":
        exposure = bevacizumab_exposure(picture, context.today)
        if not exposure:
            return None
        summary = f"BP {reading_text(bp)} on {day(bp.on)} on bevacizumab: monitor hypertension, a known adverse event"
    else:
        orders = picture.orders_under_review(Drug.BEVACIZUMAB)
        if not orders:
            return None
        exposure = _order_lines(orders)
        summary = (
            f"Bevacizumab ordered with BP {reading_text(bp)} on {day(bp.on)}: "
            "hypertension is a known adverse event"
        )
    lines = [
        f"- Latest blood pressure: {reading_text(bp)} on {day(bp.on)} ({bp.ref}), in the hypertension range "
        f"(systolic ≥ {HYPERTENSION_SYSTOLIC_MMHG:g} or diastolic ≥ {HYPERTENSION_DIASTOLIC_MMHG:g} mm Hg).",
        *exposure,
    ]
    return Finding(
        Indicator.WARNING, summary, "\n".join([*lines, "", HYPERTENSION_STATEMENT, THRESHOLD_NOTE])
    )


def _condition_line(c: ComorbidCondition) -> str:
    # The extractor takes the condition's onsetDateTime, else its recordedDate: the date may be either.
    since = f", onset or recorded {day(c.recorded)}" if c.recorded else ", no date on record"
    return f"- Active {c.kind.value}: {md(c.name)}{since} ({c.ref})."


@rule(
    id="BEV-TOX-VTE-FISTULA",
    title="Bevacizumab ordered with an active venous thromboembolism or fistula",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.COMORBIDITIES),
    cites=(MONITOR_VTE_FISTULA,),
    version="1.0.0",
)
def bevacizumab_with_vte_or_fistula(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: a bevacizumab order under review while an active venous thromboembolism or fistula is on
    record. None on record: no card (absence is all a problem list can show)."""
    orders = picture.orders_under_review(Drug.BEVACIZUMAB)
    found = [c for c in picture.comorbidities if c.kind in EVENT_RATES]
    if not orders or not found:
        return None
    kinds = [k for k in EVENT_RATES if any(c.kind is k for c in found)]
    first = [next(c for c in found if c.kind is k) for k in kinds]
    if len(first) == 1:
        when = f" (onset or recorded {day(first[0].recorded)})" if first[0].recorded else ""
        summary = (
            f"Bevacizumab ordered with active {short(first[0].name, 25)}{when}: "
            f"{EVENT_LABELS[kinds[0]]} is a bevacizumab-specific adverse event"
        )
    else:
        summary = (
            f"Bevacizumab ordered with active {short(first[0].name, 25)} and {short(first[1].name, 25)}: "
            "VTE and fistula are bevacizumab adverse events"
        )
    rates = "; ".join(EVENT_RATES[k] for k in kinds)
    statement = (
        "Guideline: monitor for bevacizumab-specific adverse events, among them "
        f"{rates} (CERVICAL-OMENTAL l.57-60)."
    )
    lines = [*_order_lines(orders), *(_condition_line(c) for c in found)]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", statement]))


RULES: tuple[Rule, ...] = (bevacizumab_with_hypertension, bevacizumab_with_vte_or_fistula)
