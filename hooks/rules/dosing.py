"""Dose formulas, each a small pure function, and the two numbers of the dose checks that are this service's
practice rather than a source's. Inputs are canonical units (kg, cm, mg/dL, mL/min, years); a formula never sees
a non-positive or non-finite input (callers check `usable`)."""

from __future__ import annotations

import math

DOSE_TOLERANCE = 0.10
"""How far an ordered dose may differ from the guideline dose before it is flagged (exactly this far is not
flagged). The guideline catalog's choice (DOSE rules), not a source's: no source gives a tolerance."""
COCKCROFT_GAULT_CAP_ML_MIN = 125.0
"""The Cockcroft-Gault estimate is capped here for Calvert dosing, as is usual practice (the guideline catalog's
DOSE-CARBO-CALVERT); no source states a cap. The card says when the cap was applied."""
COCKCROFT_GAULT_FEMALE_FACTOR = 0.85
CALVERT_GFR_OFFSET_ML_MIN = 25.0
"""The Calvert formula's definition, dose (mg) = AUC × (GFR + 25): the source that names the formula (the
statement OVARIAN_CARBOPLATIN_PACLITAXEL) does not state it."""


def usable(*values: float) -> bool:
    """Every input is a finite, positive number: the only inputs a dose is ever computed from."""
    return all(isinstance(v, int | float) and math.isfinite(v) and v > 0 for v in values)


def calvert_dose_mg(target_auc: float, gfr_ml_min: float) -> float:
    """Calvert formula: carboplatin dose (mg) = target AUC (mg/mL·min) × (GFR (mL/min) + 25)."""
    return target_auc * (gfr_ml_min + CALVERT_GFR_OFFSET_ML_MIN)


def cockcroft_gault_ml_min(
    age_years: float, weight_kg: float, creatinine_mg_dl: float, female: bool
) -> float:
    """Cockcroft-Gault creatinine clearance (mL/min): (140 − age) × weight / (72 × serum creatinine), × 0.85 for
    women. Uncapped; see COCKCROFT_GAULT_CAP_ML_MIN. The guideline catalog names it as the GFR estimate for
    Calvert dosing."""
    clearance = (140.0 - age_years) * weight_kg / (72.0 * creatinine_mg_dl)
    return clearance * (COCKCROFT_GAULT_FEMALE_FACTOR if female else 1.0)


def mosteller_bsa_m2(height_cm: float, weight_kg: float) -> float:
    """Mosteller body surface area (m²) = √(height (cm) × weight (kg) / 3600), the estimate the guideline
    catalog names for DOSE-CISPLATIN."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


def rounded_dose_mg(dose_mg: float) -> int:
    """Suggested doses are rounded to the nearest whole milligram (half up); the card shows the unrounded
    value beside it."""
    return math.floor(dose_mg + 0.5)
