"""Dose checks (catalog §4): the guideline dose from the latest measurements against the ordered dose.

Both doses are compared in the order's own unit when it is the guideline's (mg/m², mg/kg, AUC); otherwise both
are expressed in mg, from body surface area, weight or renal function. A dose more than 10 % off gets a
warning with an update to the guideline dose; a dose that cannot be checked (no readable dose, a missing or
implausible measurement) gets an info card saying what is missing, and no dose is ever suggested from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from cds_service.engine.types import (
    ORDER_HOOKS,
    Citation,
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
    COCKCROFT_GAULT_CAP_ML_MIN,
    calvert_dose_mg,
    cockcroft_gault_ml_min,
    mosteller_bsa_m2,
    rounded_dose_mg,
    usable,
)
from hooks.rules.wording import day

DOSE_TOLERANCE = 0.10
"""Catalog §4: a dose that differs from the guideline dose by more than 10 % is flagged; exactly 10 % is not."""
CERVICAL_CARBOPLATIN_AUC = 5.0
"""CERVICAL-OMENTAL l.35: carboplatin AUC 5 on day 1 (carboplatin-paclitaxel-bevacizumab)."""
CISPLATIN_MG_PER_M2 = 50.0
"""CERVICAL-OMENTAL l.28: cisplatin 50 mg/m² on day 2 (paclitaxel-cisplatin-bevacizumab)."""
PACLITAXEL_WITH_CISPLATIN = (135.0, 24.0)
"""CERVICAL-OMENTAL l.29: paclitaxel 135 mg/m² over 24 hours with cisplatin."""
PACLITAXEL_WITH_CARBOPLATIN = (175.0, 3.0)
"""CERVICAL-OMENTAL l.36: paclitaxel 175 mg/m² over 3 hours with carboplatin."""
BEVACIZUMAB_MG_PER_KG = 15.0
"""CERVICAL-OMENTAL l.30 and l.37: bevacizumab 15 mg/kg every 3 weeks."""

PLAUSIBLE: dict[Measure, tuple[float, float]] = {
    Measure.WEIGHT: (20.0, 350.0),
    Measure.HEIGHT: (100.0, 250.0),
    Measure.SERUM_CREATININE: (0.1, 20.0),
    Measure.CREATININE_CLEARANCE: (1.0, 300.0),
}
"""Data-quality bounds for adults, not guidance: a value outside them is shown, and no dose is computed from it."""
PLAUSIBLE_AGE = (18, 120)
LONG_INFUSION_HOURS, SHORT_INFUSION_HOURS = 20.0, 4.0
"""Infusion durations read as the 24-hour (with cisplatin) and 3-hour (with carboplatin) paclitaxel schedules."""

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
        recorded = f"{m.value:.4g} {measure.value}"
        if not m.text.endswith(f" {measure.value}"):
            recorded = f"{m.text} = {recorded}"
        line = f"{NAMES[measure]} {recorded} ({when})"
        if line not in self.used:
            self.used.append(line)
        return m.value

    def bsa(self) -> float:
        bsa = mosteller_bsa_m2(self.measure(Measure.HEIGHT), self.measure(Measure.WEIGHT))
        self._note(f"body surface area {bsa:.2f} m² (Mosteller)")
        return bsa

    def gfr(self) -> float:
        """Measured creatinine clearance if on record, else Cockcroft-Gault capped at 125 mL/min."""
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
            f"creatinine clearance {estimate:.0f} mL/min (Cockcroft-Gault"
            + (
                f"; capped at {COCKCROFT_GAULT_CAP_ML_MIN:.0f} mL/min, the service's practice for Calvert dosing)"
                if capped < estimate
                else ")"
            )
        )
        return capped

    def _note(self, line: str) -> None:
        if line not in self.used:
            self.used.append(line)


@dataclass(frozen=True)
class Guideline:
    """The guideline dose as the source states it: an amount per unit (mg/m², mg/kg or AUC)."""

    amount: float
    unit: DoseUnit
    statement: str


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
        f"ordered {dose.text}{over}" + (f" = {ordered:.0f} mg" if dose.unit is not unit else ""),
        f"guideline {wanted}" + (f" = {target:.1f} mg" if guideline.unit is not unit else ""),
        *(f"from {line}" for line in inputs.used),
    )
    if abs(ordered - target) <= DOSE_TOLERANCE * target + 1e-9:
        return _Outcome(order, "", lines, False)
    off = (ordered - target) / target
    shown = _fmt(target, unit) if unit is not DoseUnit.MG else f"{target:.0f} mg"
    direction = "above" if off > 0 else "below"
    summary = f"{drug.capitalize()} {dose.text} is {abs(off):.0%} {direction} the guideline {shown}"
    if unit is not guideline.unit:
        summary += f" ({wanted})"
    return _Outcome(order, summary, lines, True, fix)


def dose_check(
    picture: ClinicalPicture,
    context: HookContext,
    drug: Drug,
    guideline_for: Callable[[MedicationOrder], Guideline | None],
) -> Finding | None:
    """One card for every order of `drug` under review: a warning if any dose is off, else an info card if
    any could not be checked, else nothing."""
    outcomes: list[_Outcome] = []
    statements: list[str] = []
    for order in picture.orders_under_review(drug):
        guideline = guideline_for(order)
        if guideline is None:
            continue
        outcome = _assess(order, guideline, Inputs(picture, context.today), drug.value)
        if outcome.summary:
            outcomes.append(outcome)
            if guideline.statement not in statements:
                statements.append(guideline.statement)
    if not outcomes:
        return None
    flagged = [o for o in outcomes if o.flagged]
    lead = (flagged or outcomes)[0]
    detail = [
        line
        for o in outcomes
        for line in (
            f"- **{drug.value.capitalize()} order** ({o.order.ref}):",
            *(f"  - {x}" for x in o.lines),
        )
    ]
    suggestions = tuple(
        SuggestionSpec(o.fix.description + (f" ({o.order.ref})" if len(flagged) > 1 else ""), (o.fix,))
        for o in flagged
        if o.fix is not None
    )
    indicator = Indicator.WARNING if flagged else Indicator.INFO
    if any(o.fix is not None and o.fix.unit is DoseUnit.MG for o in flagged):
        statements.append("Doses suggested in mg are rounded to the nearest mg.")
    return Finding(indicator, lead.summary, "\n".join([*detail, "", *statements]), suggestions)


def _cervical(picture: ClinicalPicture) -> bool:
    return Cancer.CERVICAL in picture.primary_cancers


@rule(
    id="DOSE-CARBO-CALVERT",
    title="Carboplatin dose against the Calvert formula",
    hooks=ORDER_HOOKS,
    requires=REQUIRES,
    cites=(Citation("CERVICAL-OMENTAL", 35, 35), Citation("CARCINOMATOSIS-OVERVIEW", 33, 33)),
    version="1.0.0",
)
def carboplatin_calvert(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Carboplatin in the cervical regimen targets AUC 5 (CERVICAL-OMENTAL l.35, the card's primary source), in
    mg by the Calvert formula, which CARCINOMATOSIS-OVERVIEW l.33 only names: the card states the formula as
    its definition, and the GFR estimate (Cockcroft-Gault, capped at 125 mL/min) as this service's practice,
    not the sources'. Outside cervical cancer the sources give no target AUC: no check."""
    statement = (
        "Guideline: the cervical regimen uses carboplatin AUC 5 (CERVICAL-OMENTAL l.35), carboplatin being "
        "dosed by the Calvert formula (CARCINOMATOSIS-OVERVIEW l.33): dose = AUC × (GFR + 25), the formula's "
        "definition (the sources name the formula but do not state it). Without a measured creatinine "
        "clearance, the GFR is estimated by Cockcroft-Gault and capped at 125 mL/min: this service's "
        "practice, not the sources'."
    )
    target = Guideline(CERVICAL_CARBOPLATIN_AUC, DoseUnit.AUC, statement)
    return dose_check(picture, context, Drug.CARBOPLATIN, lambda _: target if _cervical(picture) else None)


@rule(
    id="DOSE-CISPLATIN",
    title="Cisplatin dose by body surface area (cervical regimen)",
    hooks=ORDER_HOOKS,
    requires=REQUIRES,
    cites=(Citation("CERVICAL-OMENTAL", 28, 28),),
    version="1.0.0",
)
def cisplatin_per_bsa(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Cisplatin 50 mg/m² in the cervical regimen."""
    statement = "Guideline: in the cervical regimen cisplatin is 50 mg/m² (CERVICAL-OMENTAL l.28)."
    target = Guideline(CISPLATIN_MG_PER_M2, DoseUnit.MG_PER_M2, statement)
    return dose_check(picture, context, Drug.CISPLATIN, lambda _: target if _cervical(picture) else None)


@rule(
    id="DOSE-PACLITAXEL",
    title="Paclitaxel dose by body surface area and schedule (cervical regimen)",
    hooks=ORDER_HOOKS,
    requires=(*REQUIRES, Fact.MEDICATION_HISTORY),
    cites=(Citation("CERVICAL-OMENTAL", 29, 29), Citation("CERVICAL-OMENTAL", 36, 36)),
    version="1.0.0",
)
def paclitaxel_per_bsa(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Paclitaxel 135 mg/m² over 24 h with cisplatin, 175 mg/m² over 3 h with carboplatin; the schedule is read
    from the order's infusion duration, else from the platinum ordered with it. Unknown: no check."""
    partners = {
        o.drug
        for o in picture.medication_orders
        if o.drug in (Drug.CISPLATIN, Drug.CARBOPLATIN) and (o.is_draft or o.status == "active")
    }

    def guideline(order: MedicationOrder) -> Guideline | None:
        if not _cervical(picture):
            return None
        hours = order.dose.infusion_hours if order.dose else None
        if (hours is not None and hours >= LONG_INFUSION_HOURS) or (
            hours is None and partners == {Drug.CISPLATIN}
        ):
            amount, over = PACLITAXEL_WITH_CISPLATIN
            partner = "cisplatin"
        elif (hours is not None and hours <= SHORT_INFUSION_HOURS) or (
            hours is None and partners == {Drug.CARBOPLATIN}
        ):
            amount, over = PACLITAXEL_WITH_CARBOPLATIN
            partner = "carboplatin"
        else:
            return None
        line = 29 if partner == "cisplatin" else 36
        statement = (
            f"Guideline: with {partner}, paclitaxel is {amount:g} mg/m² over {over:g} hours "
            f"(CERVICAL-OMENTAL l.{line})."
        )
        return Guideline(amount, DoseUnit.MG_PER_M2, statement)

    return dose_check(picture, context, Drug.PACLITAXEL, guideline)


@rule(
    id="DOSE-BEV",
    title="Bevacizumab dose by weight (cervical regimen)",
    hooks=ORDER_HOOKS,
    requires=REQUIRES,
    cites=(Citation("CERVICAL-OMENTAL", 30, 30), Citation("CERVICAL-OMENTAL", 37, 37)),
    version="1.0.0",
)
def bevacizumab_per_weight(picture: ClinicalPicture, context: HookContext) -> Finding | None:
    """Bevacizumab 15 mg/kg every 3 weeks in the cervical regimens."""
    statement = (
        "Guideline: in the cervical regimens bevacizumab is 15 mg/kg every 3 weeks "
        "(CERVICAL-OMENTAL l.30, l.37)."
    )
    target = Guideline(BEVACIZUMAB_MG_PER_KG, DoseUnit.MG_PER_KG, statement)
    return dose_check(picture, context, Drug.BEVACIZUMAB, lambda _: target if _cervical(picture) else None)
