"""The patient's own facts: demographics and the latest body measurements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo

from fhir_mappings.dates import parse_fhir_date
from fhir_mappings.facts import Demographics, Measure, Measurement
from fhir_mappings.resources import Resource, ref_key
from fhir_mappings.units import quantity_in, unit_of


def demographics(resource: Resource, tz: tzinfo) -> Demographics | None:
    if resource.get("resourceType") != "Patient":
        return None
    gender = resource.get("gender")
    return Demographics(
        birth_date=parse_fhir_date(resource.get("birthDate"), tz),
        sex=gender if isinstance(gender, str) else None,
    )


class MeasuredObservation:
    """A body measurement dated but not yet read: the rules read only the latest of each measure, and a lab
    history holds hundreds of creatinine results, so values and units are read for the latest alone."""

    __slots__ = ("measure", "on", "ref", "resource")

    def __init__(self, resource: Resource, measure: Measure, on: date | None, ref: str) -> None:
        self.resource, self.measure, self.on, self.ref = resource, measure, on, ref


def measured(resource: Resource, measure: Measure, tz: tzinfo) -> MeasuredObservation | None:
    """An Observation coded in the value set of `measure`, dated by its effective time (or period end), else
    by when it was issued."""
    key = ref_key(resource)
    if key is None:
        return None
    effective = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("end")
    return MeasuredObservation(
        resource, measure, parse_fhir_date(effective or resource.get("issued"), tz), key
    )


def _measurement(found: MeasuredObservation) -> Measurement:
    quantity = found.resource.get("valueQuantity")
    raw = quantity.get("value") if isinstance(quantity, dict) else None
    unit = unit_of(quantity) if isinstance(quantity, dict) else None
    return Measurement(
        measure=found.measure,
        value=quantity_in(quantity, found.measure.value),
        text=f"{raw} {unit}" if raw is not None and unit else "no value",
        on=found.on,
        ref=found.ref,
    )


def latest_per_measure(found: Iterable[MeasuredObservation]) -> tuple[Measurement, ...]:
    """The most recent measurement of each measure (undated ones lose to dated ones)."""
    latest: dict[Measure, MeasuredObservation] = {}
    for m in found:
        current = latest.get(m.measure)
        if current is None or (m.on or date.min, m.ref) > (current.on or date.min, current.ref):
            latest[m.measure] = m
    return tuple(_measurement(latest[m]) for m in Measure if m in latest)
