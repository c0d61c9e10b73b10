"""Bevacizumab-specific adverse events to monitor: hypertension, venous thromboembolism, fistula.

The source gives incidences, not a blood-pressure threshold: the hypertension range is the catalog's definition,
kept with the hypertension statement and said as such on the card.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from cds_service.engine.statements import Statement
from cds_service.engine.types import (
    ORDER_HOOKS,
    VIEW_HOOKS,
    Finding,
    HookContext,
    Indicator,
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
from hooks.statements.bevacizumab import (
    BEVACIZUMAB_FISTULA,
    BEVACIZUMAB_HYPERTENSION,
    BEVACIZUMAB_VTE,
)
from hooks.statements.cervical import BEVACIZUMAB_DOSE

HTN = BEVACIZUMAB_HYPERTENSION
CYCLE = timedelta(weeks=BEVACIZUMAB_DOSE["interval"])
"""A dose given within the last cycle means the patient is on bevacizumab now (patient-view), even without an
active order on record."""
VERSION = "1.1.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""
ON_TREATMENT_STATUSES = frozenset({"active", "on-hold"})

THRESHOLD_NOTE = (
    f"The source gives no blood-pressure threshold: systolic ≥ {HTN.param('systolic')} or "
    f"diastolic ≥ {HTN.param('diastolic')} is this service's definition of the hypertension range."
)
EVENT_STATEMENTS: dict[Comorbidity, Statement] = {
    Comorbidity.VTE: BEVACIZUMAB_VTE,
    Comorbidity.FISTULA: BEVACIZUMAB_FISTULA,
}
"""The adverse event each active condition is, with its incidences with and without bevacizumab."""
EVENT_LABELS: dict[Comorbidity, str] = {Comorbidity.VTE: "VTE", Comorbidity.FISTULA: "fistula"}
PRE_EXISTING_NOTE = (
    "The source lists these among the bevacizumab-specific adverse events to monitor, with the incidences "
    "above, and says nothing specific of a patient who already has one: an active one on record is a reason to "
    "monitor it and weigh the risk before giving bevacizumab, not a contraindication the source states."
)
"""What the card may conclude from the source (CERVICAL-OMENTAL, "Toxicity management"): the source asks for
monitoring and gives incidences; a condition already present is a reason to monitor and weigh the risk, no more."""


def _mmhg(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def reading_text(bp: BloodPressure) -> str:
    return f"{_mmhg(bp.systolic)}/{_mmhg(bp.diastolic)} mm Hg"


def in_hypertension_range(bp: BloodPressure) -> bool:
    """Either pressure at or above its threshold; a missing component does not count against the other."""
    return (bp.systolic is not None and bp.systolic >= HTN["systolic"]) or (
        bp.diastolic is not None and bp.diastolic >= HTN["diastolic"]
    )


def bevacizumab_exposure(picture: ClinicalPicture, today: date) -> list[str]:
    """Card lines that show the patient is on bevacizumab now: an active (or on-hold) bevacizumab order whose
    course has not ended, or a dose given within the last cycle. Empty: not on bevacizumab."""
    lines = [
        f"- On bevacizumab: order {o.status}"
        + (f" since {day(o.start)}" if o.start else "")
        + (f" to {day(o.end)}" if o.end else "")
        + "."
        for o in picture.medication_orders
        if o.drug is Drug.BEVACIZUMAB
        and not o.is_draft
        and o.status in ON_TREATMENT_STATUSES
        and (o.end is None or o.end >= today)
    ]
    recent = [
        a
        for a in picture.administrations
        if a.drug is Drug.BEVACIZUMAB and timedelta(0) <= today - a.given_on < CYCLE
    ]
    if recent:
        last = max(recent, key=lambda a: (a.given_on, a.ref))
        lines.append(f"- Last bevacizumab dose given {day(last.given_on)}.")
    return lines


def _order_lines(orders: Sequence[MedicationOrder]) -> list[str]:
    return [
        "- **Bevacizumab order** under review" + (f", intended start {day(o.start)}" if o.start else "") + "."
        for o in orders
    ]


@rule(
    id="BEV-TOX-HTN",
    title="Blood pressure in the hypertension range with bevacizumab",
    hooks=(*VIEW_HOOKS, *ORDER_HOOKS),
    requires=(Fact.DRAFT_ORDERS, Fact.MEDICATION_HISTORY, Fact.BLOOD_PRESSURE),
    statements=(HTN, BEVACIZUMAB_DOSE),
    version=VERSION,
)
def bevacizumab_with_hypertension(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: bevacizumab under review (order hooks) or being given (patient-view) while the latest blood
    pressure is in the hypertension range. No blood pressure on record: no card (the source asks for
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
        f"- Latest blood pressure: {reading_text(bp)} on {day(bp.on)}, in the hypertension range "
        f"(systolic ≥ {HTN['systolic']:g} or diastolic ≥ {HTN['diastolic']:g} mm Hg).",
        *exposure,
    ]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", HTN.said(), THRESHOLD_NOTE]))


def _condition_line(c: ComorbidCondition) -> str:
    # The extractor takes the condition's onsetDateTime, else its recordedDate: the date may be either.
    since = f", onset or recorded {day(c.recorded)}" if c.recorded else ", no date on record"
    return f"- Active {c.kind.value}: {md(c.name)}{since}."


@rule(
    id="BEV-TOX-VTE-FISTULA",
    title="Bevacizumab ordered with an active venous thromboembolism or fistula",
    hooks=ORDER_HOOKS,
    requires=(Fact.DRAFT_ORDERS, Fact.COMORBIDITIES),
    statements=(BEVACIZUMAB_VTE, BEVACIZUMAB_FISTULA),
    version=VERSION,
)
def bevacizumab_with_vte_or_fistula(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Warning: a bevacizumab order under review while an active venous thromboembolism or fistula is on
    record: the source lists both among the bevacizumab-specific adverse events to monitor, with their
    incidences; a condition already present is a reason to monitor it and weigh the risk, which is all the card
    says. None on record: no card (absence is all a problem list can show)."""
    orders = picture.orders_under_review(Drug.BEVACIZUMAB)
    found = [c for c in picture.comorbidities if c.kind in EVENT_STATEMENTS]
    if not orders or not found:
        return None
    kinds = [k for k in EVENT_STATEMENTS if any(c.kind is k for c in found)]
    first = [next(c for c in found if c.kind is k) for k in kinds]
    if len(first) == 1:
        when = f" (onset or recorded {day(first[0].recorded)})" if first[0].recorded else ""
        summary = (
            f"Bevacizumab ordered with active {short(first[0].name, 30)}{when}: "
            f"monitor and weigh the {EVENT_LABELS[kinds[0]]} risk"
        )
    else:
        summary = (
            f"Bevacizumab ordered with active {short(first[0].name, 25)} and {short(first[1].name, 25)}: "
            "monitor and weigh the VTE and fistula risks"
        )
    lines = [*_order_lines(orders), *(_condition_line(c) for c in found)]
    statements = [EVENT_STATEMENTS[k].said() for k in kinds]
    return Finding(Indicator.WARNING, summary, "\n".join([*lines, "", *statements, PRE_EXISTING_NOTE]))
