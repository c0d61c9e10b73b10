"""Dose formulas, each a small pure function with its source. Inputs are canonical units (kg, cm, mg/dL,
mL/min, years); a formula never sees a non-positive or non-finite input (callers check `usable`)."""

from __future__ import annotations

import math

COCKCROFT_GAULT_CAP_ML_MIN = 125.0
"""Catalog §4 (DOSE-CARBO-CALVERT): the Cockcroft-Gault estimate is capped at 125 mL/min, the service's
practice for Calvert dosing (no source states a cap); the card says when the cap was applied."""
COCKCROFT_GAULT_FEMALE_FACTOR = 0.85
CALVERT_GFR_OFFSET_ML_MIN = 25.0
"""The Calvert formula's definition, dose (mg) = AUC × (GFR + 25): CARCINOMATOSIS-OVERVIEW l.33 names the
formula (carboplatin dosed by the Calvert formula) but does not state it."""


def usable(*values: float) -> bool:
    """Every input is a finite, positive number: the only inputs a dose is ever computed from."""
    return all(isinstance(v, int | float) and math.isfinite(v) and v > 0 for v in values)


def calvert_dose_mg(target_auc: float, gfr_ml_min: float) -> float:
    """Calvert formula: carboplatin dose (mg) = target AUC (mg/mL·min) × (GFR (mL/min) + 25).

    Named in CARCINOMATOSIS-OVERVIEW l.33 (which does not state it); CERVICAL-OMENTAL l.35 (AUC 5 in the
    cervical regimen).
    """
    return target_auc * (gfr_ml_min + CALVERT_GFR_OFFSET_ML_MIN)


def cockcroft_gault_ml_min(
    age_years: float, weight_kg: float, creatinine_mg_dl: float, female: bool
) -> float:
    """Cockcroft-Gault creatinine clearance (mL/min): (140 − age) × weight / (72 × serum creatinine), × 0.85 for
    women. Uncapped; see COCKCROFT_GAULT_CAP_ML_MIN. Catalog §4 names it as the GFR estimate for Calvert."""
    clearance = (140.0 - age_years) * weight_kg / (72.0 * creatinine_mg_dl)
    return clearance * (COCKCROFT_GAULT_FEMALE_FACTOR if female else 1.0)


def mosteller_bsa_m2(height_cm: float, weight_kg: float) -> float:
    """Mosteller body surface area (m²) = √(height (cm) × weight (kg) / 3600). Catalog §4 (DOSE-CISPLATIN)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


def rounded_dose_mg(dose_mg: float) -> int:
    """Suggested doses are rounded to the nearest whole milligram (half up); the card shows the unrounded
    value beside it."""
    return math.floor(dose_mg + 0.5)
