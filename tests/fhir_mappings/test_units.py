"""UCUM conversions and the reading of ordered doses."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fhir_mappings.doses import ordered_dose
from fhir_mappings.facts import DoseUnit
from fhir_mappings.units import CONVERSIONS, convert, quantity_in

EXAMPLES = 500


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (154.32, "[lb_av]", "kg", 70.0),
        (70000, "g", "kg", 70.0),
        (1.65, "m", "cm", 165.0),
        (65, "[in_i]", "cm", 165.1),
        (79.58, "umol/L", "mg/dL", 0.9),
        (0.5, "g", "mg", 500.0),
        (250, "ug", "mg", 0.25),
    ],
)
def test_reference_conversions(value: float, unit: str, target: str, expected: float) -> None:
    assert convert(value, unit, target) == pytest.approx(expected, rel=1e-3)


def test_unknown_units_and_non_numbers_are_never_guessed() -> None:
    assert convert(70, "stone", "kg") is None
    assert convert(70, None, "kg") is None
    assert convert(math.nan, "kg", "kg") is None
    assert quantity_in({"value": "70", "code": "kg"}, "kg") is None
    assert quantity_in({"value": True, "code": "kg"}, "kg") is None
    assert quantity_in({"value": 70, "unit": "kg"}, "kg") == 70


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(
    target=st.sampled_from(sorted(CONVERSIONS)),
    data=st.data(),
    value=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
)
def test_round_trip_through_any_unit_of_a_dimension(target: str, data: st.DataObject, value: float) -> None:
    unit = data.draw(st.sampled_from(sorted(CONVERSIONS[target])))
    there = convert(value, target, target)
    back = convert(value, unit, target)
    assert there == value
    assert back is not None and back / CONVERSIONS[target][unit] == pytest.approx(value)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(
    target=st.sampled_from(sorted(CONVERSIONS)),
    data=st.data(),
    low=st.floats(0, 1e6, allow_nan=False),
    extra=st.floats(1e-3, 1e6, allow_nan=False),
)
def test_conversion_is_monotonic(target: str, data: st.DataObject, low: float, extra: float) -> None:
    unit = data.draw(st.sampled_from(sorted(CONVERSIONS[target])))
    a, b = convert(low, unit, target), convert(low + extra, unit, target)
    assert a is not None and b is not None and b > a


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
def test_conversion_never_raises(value: float, unit: str) -> None:
    for target in CONVERSIONS:
        result = convert(value, unit, target)
        assert result is None or math.isfinite(result)


def order(rate: Any, **timing: Any) -> dict[str, Any]:
    dosage: dict[str, Any] = {"doseAndRate": rate}
    if timing:
        dosage["timing"] = {"repeat": timing}
    return {"resourceType": "MedicationRequest", "dosageInstruction": [dosage]}


@pytest.mark.parametrize(
    ("rate", "unit", "amount", "text"),
    [
        ([{"doseQuantity": {"value": 0.8, "unit": "g", "code": "g"}}], DoseUnit.MG, 800, "0.8 g"),
        ([{"doseQuantity": {"value": 50, "code": "mg/m2"}}], DoseUnit.MG_PER_M2, 50, "50 mg/m2"),
        ([{"doseQuantity": {"value": 15, "unit": "mg/kg"}}], DoseUnit.MG_PER_KG, 15, "15 mg/kg"),
        ([{"doseQuantity": {"value": 5, "code": "mg.min/mL"}}], DoseUnit.AUC, 5, "AUC 5"),
        (
            [{"doseRange": {"low": {"value": 400, "code": "mg"}, "high": {"value": 450, "code": "mg"}}}],
            DoseUnit.MG,
            450,
            "450 mg",
        ),
    ],
)
def test_ordered_doses_are_read_in_their_unit(rate: Any, unit: DoseUnit, amount: float, text: str) -> None:
    dose = ordered_dose(order(rate))
    assert dose is not None and (dose.unit, dose.amount, dose.text) == (unit, amount, text)


def test_infusion_duration_is_read_in_hours() -> None:
    dose = ordered_dose(
        order([{"doseQuantity": {"value": 175, "code": "mg/m2"}}], duration=180, durationUnit="min")
    )
    assert dose is not None and dose.infusion_hours == 3


@pytest.mark.parametrize(
    "rate",
    [
        None,
        [],
        ["x"],
        [{"doseQuantity": {"value": "lots", "code": "mg"}}],
        [{"doseQuantity": {"value": 2, "code": "tablets"}}],
    ],
)
def test_an_unreadable_dose_is_none(rate: Any) -> None:
    assert ordered_dose(order(rate)) is None
