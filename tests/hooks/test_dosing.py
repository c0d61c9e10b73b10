"""Dose formulas: reference values computed by hand, and properties over any finite input."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.engine.types import HookContext, Indicator, SetMedicationDose
from fhir_mappings.facts import (
    Cancer,
    CancerCondition,
    ClinicalPicture,
    Demographics,
    DoseUnit,
    Drug,
    Measure,
    Measurement,
    OrderedDose,
)
from hooks.rules.dose_checks import (
    bevacizumab_per_weight,
    carboplatin_calvert,
    cisplatin_per_bsa,
    paclitaxel_per_bsa,
)
from hooks.rules.dosing import (
    COCKCROFT_GAULT_CAP_ML_MIN,
    DOSE_TOLERANCE,
    calvert_dose_mg,
    cockcroft_gault_ml_min,
    mosteller_bsa_m2,
    rounded_dose_mg,
    usable,
)
from hooks.statements.cervical import (
    BEVACIZUMAB_DOSE,
    CARBOPLATIN_AUC,
    CISPLATIN_DOSE,
    PACLITAXEL_WITH_CARBOPLATIN,
    PACLITAXEL_WITH_CISPLATIN,
)
from hooks.statements.pathways import OVARIAN_CARBOPLATIN_PACLITAXEL
from tests.facts import TODAY, medication_order

EXAMPLES = 500
FINITE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)


def test_calvert_reference_values() -> None:
    assert calvert_dose_mg(5, 75) == 500  # 5 × (75 + 25)
    assert calvert_dose_mg(6, 100) == 750


def test_cockcroft_gault_reference_value_for_the_issue_patient() -> None:
    # (140 − 64) × 70 / (72 × 0.9) × 0.85 = 5320 / 64.8 × 0.85 = 69.78 mL/min
    assert cockcroft_gault_ml_min(64, 70, 0.9, female=True) == pytest.approx(69.784, abs=1e-3)
    assert cockcroft_gault_ml_min(64, 70, 0.9, female=False) == pytest.approx(82.099, abs=1e-3)
    assert calvert_dose_mg(5, cockcroft_gault_ml_min(64, 70, 0.9, True)) == pytest.approx(473.92, abs=0.01)


def test_mosteller_reference_value() -> None:
    # √(165 × 70 / 3600) = √3.2083 = 1.7912 m²; × 50 mg/m² = 89.6 mg
    assert mosteller_bsa_m2(165, 70) == pytest.approx(1.7912, abs=1e-4)
    assert 50 * mosteller_bsa_m2(165, 70) == pytest.approx(89.56, abs=0.01)


@pytest.mark.parametrize(("dose", "rounded"), [(473.92, 474), (89.5, 90), (89.49, 89), (1049.8, 1050)])
def test_rounding_is_to_the_nearest_mg_half_up(dose: float, rounded: int) -> None:
    assert rounded_dose_mg(dose) == rounded


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(auc=st.floats(0.5, 10), low=st.floats(1, 300), extra=st.floats(0.001, 100))
def test_calvert_rises_with_gfr(auc: float, low: float, extra: float) -> None:
    assert calvert_dose_mg(auc, low + extra) > calvert_dose_mg(auc, low)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(
    age=st.floats(18, 100),
    weight=st.floats(20, 300),
    creatinine=st.floats(0.1, 20),
    factor=st.floats(1.01, 5),
)
def test_cockcroft_gault_falls_with_creatinine_and_age_and_women_get_085(
    age: float, weight: float, creatinine: float, factor: float
) -> None:
    base = cockcroft_gault_ml_min(age, weight, creatinine, False)
    assert cockcroft_gault_ml_min(age, weight, creatinine * factor, False) < base
    assert cockcroft_gault_ml_min(min(age * factor, 139), weight, creatinine, False) <= base
    assert cockcroft_gault_ml_min(age, weight, creatinine, True) == pytest.approx(base * 0.85)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(height=st.floats(100, 250), weight=st.floats(20, 300), factor=st.floats(1.01, 3))
def test_bsa_rises_with_height_and_weight(height: float, weight: float, factor: float) -> None:
    assert mosteller_bsa_m2(height * factor, weight) > mosteller_bsa_m2(height, weight)
    assert mosteller_bsa_m2(height, weight * factor) > mosteller_bsa_m2(height, weight)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(values=st.lists(ANY_FLOAT, min_size=1, max_size=4))
def test_only_finite_positive_inputs_are_usable(values: list[float]) -> None:
    assert usable(*values) == all(math.isfinite(v) and v > 0 for v in values)


def _picture(
    weight: float, height: float, creatinine: float, dose: OrderedDose, drug: Drug
) -> ClinicalPicture:
    def m(measure: Measure, value: float) -> Measurement:
        return Measurement(measure, value, f"{value} {measure.value}", TODAY, f"Observation/{measure.name}")

    order = medication_order(drug, ref="MedicationRequest/d", start=TODAY, dose=dose)
    return ClinicalPicture(
        medication_orders=(order,),
        demographics=Demographics(date(1961, 6, 1), "female"),
        latest=(
            m(Measure.WEIGHT, weight),
            m(Measure.HEIGHT, height),
            m(Measure.SERUM_CREATININE, creatinine),
        ),
        cancer_conditions=(CancerCondition("Condition/cervix", Cancer.CERVICAL, "cervical cancer", False),),
    )


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(weight=ANY_FLOAT, height=ANY_FLOAT, creatinine=ANY_FLOAT, ordered=FINITE)
def test_no_dose_is_ever_suggested_from_an_unusable_input(
    weight: float, height: float, creatinine: float, ordered: float
) -> None:
    """The decision checked: any finite or non-finite measurement never raises, and a suggestion in mg exists
    only when every measurement it needs is a plausible positive number."""
    context = HookContext("order-select", TODAY)
    for rule, drug, needs in (
        (carboplatin_calvert, Drug.CARBOPLATIN, (weight, creatinine)),
        (cisplatin_per_bsa, Drug.CISPLATIN, (weight, height)),
    ):
        picture = _picture(
            weight, height, creatinine, OrderedDose(ordered, DoseUnit.MG, f"{ordered} mg"), drug
        )
        finding = rule.evaluate(picture, context)
        fixes = [a for s in (finding.suggestions if finding else ()) for a in s.actions]
        if fixes:
            assert usable(*needs)
            assert all(isinstance(a, SetMedicationDose) and a.amount > 0 for a in fixes)
        if not usable(*needs):
            assert finding is None or finding.indicator is Indicator.INFO


def test_the_estimate_is_capped_at_the_catalogs_125_ml_min() -> None:
    """The guideline catalog: a Cockcroft-Gault estimate above 125 mL/min is capped for Calvert dosing."""
    assert COCKCROFT_GAULT_CAP_ML_MIN == 125
    uncapped = cockcroft_gault_ml_min(30, 110, 0.6, female=True)
    assert uncapped > COCKCROFT_GAULT_CAP_ML_MIN
    assert calvert_dose_mg(5, min(uncapped, COCKCROFT_GAULT_CAP_ML_MIN)) == 750


def test_calvert_card_credits_only_the_formula_name_to_the_overview_and_the_cap_to_the_service() -> None:
    """The overview names the Calvert formula only: the card states AUC × (GFR + 25) as the formula's
    definition, credited to no source, and the 125 mL/min cap as the service's practice; the cervical regimen's
    AUC 5 is the card's primary source."""
    picture = _picture(110, 165, 0.6, OrderedDose(1000, DoseUnit.MG, "1000 mg"), Drug.CARBOPLATIN)
    finding = carboplatin_calvert.evaluate(picture, HookContext("order-select", TODAY))
    assert finding is not None and finding.indicator is Indicator.WARNING
    assert f"Guideline: {CARBOPLATIN_AUC.said()}" in finding.detail
    assert (
        f"From “{OVARIAN_CARBOPLATIN_PACLITAXEL.document.title}”: {OVARIAN_CARBOPLATIN_PACLITAXEL.said()}"
        in finding.detail
    )
    assert (
        "\nCalvert formula: dose = AUC × (GFR + 25), the formula's definition (the sources name"
        in finding.detail
    )
    assert "capped at 125 mL/min, the service's practice for Calvert dosing" in finding.detail
    assert "not the sources'" in finding.detail
    assert "A dose more than 10% from the guideline dose is flagged" in finding.detail
    assert carboplatin_calvert.citations[0].source == "CERVICAL-OMENTAL"
    assert carboplatin_calvert.citations[1].source == "CARCINOMATOSIS-OVERVIEW"


def test_the_dose_checks_read_the_regimen_doses_from_the_statements() -> None:
    """One statement per dose, read by the dose checks and said by the cervical first-line card."""
    assert (CARBOPLATIN_AUC["auc"], CISPLATIN_DOSE["dose"], BEVACIZUMAB_DOSE["dose"]) == (5, 50, 15)
    assert (PACLITAXEL_WITH_CISPLATIN["dose"], PACLITAXEL_WITH_CISPLATIN["infusion"]) == (135, 24)
    assert (PACLITAXEL_WITH_CARBOPLATIN["dose"], PACLITAXEL_WITH_CARBOPLATIN["infusion"]) == (175, 3)
    assert DOSE_TOLERANCE == 0.10
    assert carboplatin_calvert.statements == (CARBOPLATIN_AUC, OVARIAN_CARBOPLATIN_PACLITAXEL)
    assert cisplatin_per_bsa.statements == (CISPLATIN_DOSE,)
    assert paclitaxel_per_bsa.statements == (PACLITAXEL_WITH_CISPLATIN, PACLITAXEL_WITH_CARBOPLATIN)
    assert bevacizumab_per_weight.statements == (BEVACIZUMAB_DOSE,)


def test_a_flagged_dose_card_names_the_order_by_its_start_not_its_reference() -> None:
    picture = _picture(70, 165, 0.9, OrderedDose(100, DoseUnit.MG_PER_M2, "100 mg/m²"), Drug.CISPLATIN)
    finding = cisplatin_per_bsa.evaluate(picture, HookContext("order-select", TODAY))
    assert finding is not None and finding.indicator is Indicator.WARNING
    assert finding.summary == "Cisplatin 100 mg/m² is 100% above the regimen's 50 mg/m2"
    assert f"- **Cisplatin order**, starting {TODAY.isoformat()}:" in finding.detail
    assert (
        "Guideline: In the preferred regimen, cisplatin is given at 50 mg/m² on day 2. (First-line"
        in finding.detail
    )
    assert "MedicationRequest/" not in finding.detail
