"""Dose checks (the guideline catalog's DOSE rules): the guideline dose from the latest measurements against the
ordered dose.

Both doses are compared in the order's own unit when it is the guideline's (mg/m², mg/kg, AUC); otherwise both
are expressed in mg, from body surface area, weight or renal function. A dose further off than the catalog's
tolerance gets a warning with an update to the guideline dose; a dose that cannot be checked (no readable dose, a
missing or implausible measurement) gets an info card saying what is missing, and no dose is ever suggested from
it. The doses themselves are the cervical regimens' statements, read here and by the cervical pathway cards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from cds_service.engine.statements import Statement
from cds_service.engine.types import (
    ORDER_HOOKS,
    Finding,
    HookContext,
    Indicator,
    SetMedicationDose,
    SuggestionSpec,
    rule,
)
from fhir_mappings.dates import age_on
from fhir_mappings.facts import Cancer, ClinicalPicture, DoseUnit, Drug, Fact, Measure, MedicationOrder
from hooks.rules.dosing import (
    CALVERT_GFR_OFFSET_ML_MIN,
    COCKCROFT_GAULT_CAP_ML_MIN,
    DOSE_TOLERANCE,
    calvert_dose_mg,
    cockcroft_gault_ml_min,
    mosteller_bsa_m2,
    rounded_dose_mg,
    usable,
)
from hooks.rules.wording import day
from hooks.statements.cervical import (
    BEVACIZUMAB_DOSE,
    CARBOPLATIN_AUC,
    CISPLATIN_DOSE,
    PACLITAXEL_WITH_CARBOPLATIN,
    PACLITAXEL_WITH_CISPLATIN,
)
from hooks.statements.pathways import OVARIAN_CARBOPLATIN_PACLITAXEL

VERSION = "1.0.0"
"""The version of this module's rules (major, minor, patch), kept as numbers: digits in a rule module's strings
are reserved to statements (tests/hooks/test_statements.py)."""

PLAUSIBLE: dict[Measure, tuple[float, float]] = {
    Measure.WEIGHT: (20.0, 350.0),
    Measure.HEIGHT: (100.0, 250.0),
    Measure.SERUM_CREATININE: (0.1, 20.0),
    Measure.CREATININE_CLEARANCE: (1.0, 300.0),
}
"""Data-quality bounds for adults, not guidance: a value outside them is shown, and no dose is computed from it."""
PLAUSIBLE_AGE = (18, 120)
LONG_INFUSION_HOURS, SHORT_INFUSION_HOURS = 20.0, 4.0
"""Infusion durations read as the long (with cisplatin) and the short (with carboplatin) paclitaxel schedule: the
service's reading of an order, between and around the two durations the source gives."""

REQUIRES = (Fact.DRAFT_ORDERS, Fact.DEMOGRAPHICS, Fact.BODY_MEASUREMENTS, Fact.PRIMARY_CANCER)
NAMES = {
    Measure.WEIGHT: "weight",
    Measure.HEIGHT: "height",
    Measure.SERUM_CREATININE: "serum creatinine",
    Measure.CREATININE_CLEARANCE: "measured creatinine clearance",
}


class Unknown(Exception):
    """An input the computation needs is missing or unusable; the message says which, with value and date."""


@dataclass
class Inputs:
    """The patient's measurements as a computation reads them, recording every value it used."""

    picture: ClinicalPicture
    today: date
    used: list[str] = field(default_factory=list)

    def measure(self, measure: Measure) -> float:
        m = self.picture.measurement(measure)
        if m is None:
            raise Unknown(f"no {NAMES[measure]} on record")
        when = day(m.on) if m.on else "undated"
        low, high = PLAUSIBLE[measure]
        if m.value is None:
            raise Unknown(f"{NAMES[measure]} {m.text} ({when}) is in a unit that cannot be converted")
        if not (usable(m.value) and low <= m.value <= high):
            raise Unknown(f"{NAMES[measure]} {m.text} ({when}) is implausible")
        recorded = f"{_num(m.value, 4, 'g')} {measure.value}"
        if not m.text.endswith(f" {measure.value}"):
            recorded = f"{m.text} = {recorded}"
        line = f"{NAMES[measure]} {recorded} ({when})"
        if line not in self.used:
            self.used.append(line)
        return m.value

    def bsa(self) -> float:
        bsa = mosteller_bsa_m2(self.measure(Measure.HEIGHT), self.measure(Measure.WEIGHT))
        self._note(f"body surface area {_num(bsa, 2)} m² (Mosteller)")
        return bsa

    def gfr(self) -> float:
        """Measured creatinine clearance if on record, else Cockcroft-Gault within the service's cap."""
        if self.picture.measurement(Measure.CREATININE_CLEARANCE) is not None:
            return self.measure(Measure.CREATININE_CLEARANCE)
        people = self.picture.demographics
        if people is None or people.birth_date is None:
            raise Unknown("no birth date on record (age is needed for Cockcroft-Gault)")
        if people.sex not in ("female", "male"):
            raise Unknown("no sex on record (needed for Cockcroft-Gault)")
        age = age_on(people.birth_date, self.today)
        if not PLAUSIBLE_AGE[0] <= age <= PLAUSIBLE_AGE[1]:
            raise Unknown(f"age {age} is outside the adult range the formula is used in")
        weight, creatinine = self.measure(Measure.WEIGHT), self.measure(Measure.SERUM_CREATININE)
        estimate = cockcroft_gault_ml_min(age, weight, creatinine, people.sex == "female")
        capped = min(estimate, COCKCROFT_GAULT_CAP_ML_MIN)
        self._note(f"age {age}, {people.sex}")
        self._note(
            f"creatinine clearance {_num(estimate, 0)} mL/min (Cockcroft-Gault"
            + (
                f"; capped at {COCKCROFT_GAULT_CAP_ML_MIN:g} mL/min, the service's practice for Calvert dosing)"
                if capped < estimate
                else ")"
            )
        )
        return capped

    def _note(self, line: str) -> None:
        if line not in self.used:
            self.used.append(line)


def _num(value: float, places: int, kind: str = "f") -> str:
    """`value` with `places` decimals (kind "f", "%") or significant digits (kind "g")."""
    return f"{value:.{places}{kind}}"


@dataclass(frozen=True)
class Guideline:
    """The guideline dose as the source states it: an amount per unit (mg/m², mg/kg or AUC), and the card's
    wording of where it comes from."""

    amount: float
    unit: DoseUnit
    wording: str


def in_mg(amount: float, unit: DoseUnit, inputs: Inputs) -> float:
    if unit is DoseUnit.MG:
        return amount
    if unit is DoseUnit.MG_PER_M2:
        return amount * inputs.bsa()
    if unit is DoseUnit.MG_PER_KG:
        return amount * inputs.measure(Measure.WEIGHT)
    return calvert_dose_mg(amount, inputs.gfr())


def _fmt(amount: float, unit: DoseUnit) -> str:
    return f"AUC {amount:g}" if unit is DoseUnit.AUC else f"{amount:g} {unit.value}"


@dataclass(frozen=True)
class _Outcome:
    order: MedicationOrder
    summary: str
    lines: tuple[str, ...]
    flagged: bool
    fix: SetMedicationDose | None = None


def _assess(order: MedicationOrder, guideline: Guideline, inputs: Inputs, drug: str) -> _Outcome:
    """Compare in the order's own unit when it is the guideline's (no measurement needed); else in mg."""
    dose = order.dose
    if dose is None:
        return _Outcome(
            order,
            f"{drug.capitalize()} order has no readable dose: not checked",
            ("the order states no dose in mg, g, µg, mg/m², mg/kg or as an AUC",),
            False,
        )
    wanted = _fmt(guideline.amount, guideline.unit)
    try:
        if dose.unit is guideline.unit:
            ordered, target, unit = dose.amount, guideline.amount, dose.unit
            fix = SetMedicationDose(order.ref, guideline.amount, None, f"Set the {drug} dose to {wanted}")
        else:
            ordered = in_mg(dose.amount, dose.unit, inputs)
            target = in_mg(guideline.amount, guideline.unit, inputs)
            unit = DoseUnit.MG
            mg = rounded_dose_mg(target)
            fix = SetMedicationDose(order.ref, mg, DoseUnit.MG, f"Set the {drug} dose to {mg} mg ({wanted})")
    except Unknown as missing:
        return _Outcome(
            order,
            f"{drug.capitalize()} dose not checked: {missing}",
            (f"ordered {dose.text}; guideline {wanted}", str(missing)),
            False,
        )
    over = f" over {dose.infusion_hours:g} h" if dose.infusion_hours is not None else ""
    lines = (
        f"ordered {dose.text}{over}" + (f" = {_num(ordered, 0)} mg" if dose.unit is not unit else ""),
        f"guideline {wanted}" + (f" = {_num(target, 1)} mg" if guideline.unit is not unit else ""),
        *(f"from {line}" for line in inputs.used),
    )
    if abs(ordered - target) <= DOSE_TOLERANCE * target + 1e-9:
        return _Outcome(order, "", lines, False)
    off = (ordered - target) / target
    shown = _fmt(target, unit) if unit is not DoseUnit.MG else f"{_num(target, 0)} mg"
    direction = "above" if off > 0 else "below"
    # one decimal where a whole percent would read as the tolerance itself (10.2 % shown as "10%")
    places = 1 if _num(abs(off), 0, "%") == _num(DOSE_TOLERANCE, 0, "%") else 0
    summary = (
        f"{drug.capitalize()} {dose.text} is {_num(abs(off), places, '%')} {direction} the regimen's {shown}"
    )
    if unit is not guideline.unit:
        summary += f" ({wanted})"
    return _Outcome(order, summary, lines, True, fix)


def _order_name(order: MedicationOrder) -> str:
    """How a card names one order among several: its dose and its start, as the clinician wrote them."""
    dose = f" of {order.dose.text}" if order.dose else ""
    start = f", starting {day(order.start)}" if order.start else ""
    return f"order{dose}{start}"


def dose_check(
    picture: ClinicalPicture,
    context: HookContext,
    drug: Drug,
    guideline_for: Callable[[MedicationOrder], Guideline | None],
) -> Finding | None:
    """One card for every order of `drug` under review: a warning if any dose is off, else an info card if
    any could not be checked, else nothing."""
    outcomes: list[_Outcome] = []
    wording: list[str] = []
    for order in picture.orders_under_review(drug):
        guideline = guideline_for(order)
        if guideline is None:
            continue
        outcome = _assess(order, guideline, Inputs(picture, context.today), drug.value)
        if outcome.summary:
            outcomes.append(outcome)
            if guideline.wording not in wording:
                wording.append(guideline.wording)
    if not outcomes:
        return None
    flagged = [o for o in outcomes if o.flagged]
    lead = (flagged or outcomes)[0]
    detail = [
        line
        for o in outcomes
        for line in (
            f"- **{drug.value.capitalize()} order**"
            + (f", starting {day(o.order.start)}" if o.order.start else "")
            + ":",
            *(f"  - {x}" for x in o.lines),
        )
    ]
    suggestions = tuple(
        SuggestionSpec(
            o.fix.description + (f" ({_order_name(o.order)})" if len(flagged) > 1 else ""), (o.fix,)
        )
        for o in flagged
        if o.fix is not None
    )
    indicator = Indicator.WARNING if flagged else Indicator.INFO
    if flagged:
        wording.append(
            f"A dose more than {_num(DOSE_TOLERANCE, 0, '%')} from the guideline dose is flagged: the guideline "
            "catalog's tolerance, not the sources'."
        )
    if any(o.fix is not None and o.fix.unit is DoseUnit.MG for o in flagged):
        wording.append("Doses suggested in mg are rounded to the nearest mg.")
    return Finding(indicator, lead.summary, "\n".join([*detail, "", *wording]), suggestions)


def _cervical(picture: ClinicalPicture) -> bool:
    return Cancer.CERVICAL in picture.primary_cancers


def _target(statement: Statement, unit: DoseUnit) -> Guideline:
    """The dose a statement gives, with the statement as the card says it."""
    amount = statement["auc"] if unit is DoseUnit.AUC else statement["dose"]
    return Guideline(amount, unit, "Guideline: " + statement.said())


@rule(
    id="DOSE-CARBO-CALVERT",
    title="Carboplatin dose against the Calvert formula",
    hooks=ORDER_HOOKS,
    requires=REQUIRES,
    statements=(CARBOPLATIN_AUC, OVARIAN_CARBOPLATIN_PACLITAXEL),
    version=VERSION,
)
def carboplatin_calvert(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Carboplatin in the cervical regimen targets its AUC (the card's primary source), in mg by the Calvert
    formula, which the overview only names: the card states the formula as its definition, and the GFR estimate
    (Cockcroft-Gault within the service's cap) as this service's practice, not the sources'. Outside cervical
    cancer the sources give no target AUC: no check."""
    wording = "\n".join(
        (
            "Guideline: " + CARBOPLATIN_AUC.said(),
            f"From “{OVARIAN_CARBOPLATIN_PACLITAXEL.document.title}”: {OVARIAN_CARBOPLATIN_PACLITAXEL.said()}",
            f"Calvert formula: dose = AUC × (GFR + {CALVERT_GFR_OFFSET_ML_MIN:g}), the formula's definition (the "
            "sources name the formula but do not state it). Without a measured creatinine clearance, the GFR is "
            f"estimated by Cockcroft-Gault and capped at {COCKCROFT_GAULT_CAP_ML_MIN:g} mL/min: this service's "
            "practice, not the sources'.",
        )
    )
    target = Guideline(CARBOPLATIN_AUC["auc"], DoseUnit.AUC, wording)
    return dose_check(picture, context, Drug.CARBOPLATIN, lambda _: target if _cervical(picture) else None)


@rule(
    id="DOSE-CISPLATIN",
    title="Cisplatin dose by body surface area (cervical regimen)",
    hooks=ORDER_HOOKS,
    requires=REQUIRES,
    statements=(CISPLATIN_DOSE,),
    version=VERSION,
)
def cisplatin_per_bsa(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Cisplatin per body surface area, as in the cervical regimen."""
    target = _target(CISPLATIN_DOSE, DoseUnit.MG_PER_M2)
    return dose_check(picture, context, Drug.CISPLATIN, lambda _: target if _cervical(picture) else None)


@rule(
    id="DOSE-PACLITAXEL",
    title="Paclitaxel dose by body surface area and schedule (cervical regimen)",
    hooks=ORDER_HOOKS,
    requires=(*REQUIRES, Fact.MEDICATION_HISTORY),
    statements=(PACLITAXEL_WITH_CISPLATIN, PACLITAXEL_WITH_CARBOPLATIN),
    version=VERSION,
)
def paclitaxel_per_bsa(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Paclitaxel per body surface area in the long schedule with cisplatin, or the short one with carboplatin;
    the schedule is read from the order's infusion duration, else from the platinum ordered with it. Unknown: no
    check."""
    partners = {
        o.drug
        for o in picture.medication_orders
        if o.drug in (Drug.CISPLATIN, Drug.CARBOPLATIN) and (o.is_draft or o.status == "active")
    }

    def read_as(statement: Statement, partner: Drug, hours: float | None) -> Guideline:
        """The schedule's dose, saying what the schedule was read from when the partner is not ordered."""
        target = _target(statement, DoseUnit.MG_PER_M2)
        if partner in partners:
            return target
        why = f"Schedule read from the order's {hours:g}-hour infusion; no {partner.value} order on record."
        return Guideline(target.amount, target.unit, f"{target.wording}\n{why}")

    def guideline(order: MedicationOrder) -> Guideline | None:
        if not _cervical(picture):
            return None
        hours = order.dose.infusion_hours if order.dose else None
        if (hours is not None and hours >= LONG_INFUSION_HOURS) or (
            hours is None and partners == {Drug.CISPLATIN}
        ):
            return read_as(PACLITAXEL_WITH_CISPLATIN, Drug.CISPLATIN, hours)
        if (hours is not None and hours <= SHORT_INFUSION_HOURS) or (
            hours is None and partners == {Drug.CARBOPLATIN}
        ):
            return read_as(PACLITAXEL_WITH_CARBOPLATIN, Drug.CARBOPLATIN, hours)
        return None

    return dose_check(picture, context, Drug.PACLITAXEL, guideline)


@rule(
    id="DOSE-BEV",
    title="Bevacizumab dose by weight (cervical regimen)",
    hooks=ORDER_HOOKS,
    requires=REQUIRES,
    statements=(BEVACIZUMAB_DOSE,),
    version=VERSION,
)
def bevacizumab_per_weight(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Bevacizumab per kilogram of body weight, as in both cervical regimens."""
    target = _target(BEVACIZUMAB_DOSE, DoseUnit.MG_PER_KG)
    return dose_check(picture, context, Drug.BEVACIZUMAB, lambda _: target if _cervical(picture) else None)
