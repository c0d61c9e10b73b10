"""The dose a MedicationRequest states: amount, unit kind and infusion duration, read leniently."""

from __future__ import annotations

from collections.abc import Mapping

from fhir_mappings.facts import DoseUnit, OrderedDose
from fhir_mappings.resources import Resource, as_list
from fhir_mappings.units import convert, unit_of

_PER_M2 = frozenset({"mg/m2", "mg/m^2", "mg/m²", "mg/(m2)"})
_PER_KG = frozenset({"mg/kg"})
_AUC = frozenset({"mg.min/mL", "mg/mL.min", "mg/mL/min", "AUC", "auc"})
_HOURS = {"h": 1.0, "min": 1 / 60, "s": 1 / 3600, "d": 24.0}


def ordered_dose(resource: Resource) -> OrderedDose | None:
    """The dose of the first dosage instruction (`doseQuantity`, else the top of `doseRange`)."""
    dosages = [d for d in as_list(resource.get("dosageInstruction")) if isinstance(d, Mapping)]
    if not dosages:
        return None
    dosage = dosages[0]
    for rate in as_list(dosage.get("doseAndRate")):
        if not isinstance(rate, Mapping):
            continue
        quantity = rate.get("doseQuantity")
        if quantity is None and isinstance(rate.get("doseRange"), Mapping):
            quantity = rate["doseRange"].get("high")
        dose = _dose(quantity, _infusion_hours(dosage))
        if dose is not None:
            return dose
    return None


def _dose(quantity: object, hours: float | None) -> OrderedDose | None:
    if not isinstance(quantity, Mapping):
        return None
    value, unit = quantity.get("value"), unit_of(quantity)
    if isinstance(value, bool) or not isinstance(value, int | float) or unit is None:
        return None
    text = f"{value:g} {unit}"
    mg = convert(float(value), unit, "mg")
    if mg is not None:
        return OrderedDose(mg, DoseUnit.MG, text, hours)
    for units, kind in ((_PER_M2, DoseUnit.MG_PER_M2), (_PER_KG, DoseUnit.MG_PER_KG), (_AUC, DoseUnit.AUC)):
        if unit in units:
            return OrderedDose(float(value), kind, f"AUC {value:g}" if kind is DoseUnit.AUC else text, hours)
    return None


def _infusion_hours(dosage: Mapping[str, object]) -> float | None:
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, Mapping) else None
    if not isinstance(repeat, Mapping):
        return None
    duration, unit = repeat.get("duration"), repeat.get("durationUnit")
    if isinstance(duration, bool) or not isinstance(duration, int | float) or unit not in _HOURS:
        return None
    return float(duration) * _HOURS[str(unit)]
