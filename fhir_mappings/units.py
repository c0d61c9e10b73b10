"""UCUM units → the canonical units the dose formulas use (kg, cm, mg/dL, mL/min, mg).

Matching is on the UCUM `code` first, then on the printed `unit` for the common spellings EHRs send; anything
else is unknown (None), never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

CREATININE_UMOL_PER_MG_DL = 88.42
"""1 mg/dL of creatinine = 88.42 µmol/L (molar mass 113.12 g/mol)."""

_TO_KG = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237, "lbs": 0.45359237}
_TO_CM = {"cm": 1.0, "m": 100.0, "mm": 0.1, "[in_i]": 2.54, "in": 2.54}
_TO_MG_DL = {
    "mg/dL": 1.0,
    "umol/L": 1 / CREATININE_UMOL_PER_MG_DL,
    "µmol/L": 1 / CREATININE_UMOL_PER_MG_DL,
    "mmol/L": 1000 / CREATININE_UMOL_PER_MG_DL,
}
_TO_ML_MIN = {"mL/min": 1.0, "ml/min": 1.0, "mL/s": 60.0}
_TO_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "µg": 0.001, "mcg": 0.001}

CONVERSIONS: dict[str, dict[str, float]] = {
    "kg": _TO_KG,
    "cm": _TO_CM,
    "mg/dL": _TO_MG_DL,
    "mL/min": _TO_ML_MIN,
    "mg": _TO_MG,
}


def unit_of(quantity: Mapping[str, object]) -> str | None:
    """The UCUM code of a Quantity, else its printed unit."""
    for field in ("code", "unit"):
        value = quantity.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def convert(value: float, unit: str | None, target: str) -> float | None:
    """`value` in `unit` expressed in `target` (a key of CONVERSIONS); None for an unknown unit or a value
    that is not a finite number."""
    if unit is None or not math.isfinite(value):
        return None
    factor = CONVERSIONS[target].get(unit)
    return None if factor is None else value * factor


def quantity_in(quantity: object, target: str) -> float | None:
    """A FHIR Quantity (parsed JSON) in `target` units, or None."""
    if not isinstance(quantity, Mapping):
        return None
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return convert(float(value), unit_of(quantity), target)
