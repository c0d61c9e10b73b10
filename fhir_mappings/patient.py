"""The patient's own facts: demographics and the latest body measurements."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def measurement(found: MeasuredObservation) -> Measurement:
    """The value of a dated body measurement, in the canonical unit of its measure."""
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


def latest_per_measure(
    found: Iterable[MeasuredObservation], read: Callable[[MeasuredObservation], Measurement | None]
) -> tuple[Measurement, ...]:
    """The most recent measurement of each measure (undated ones lose to dated ones) that `read` can read: one
    that cannot be read (None) gives way to the one before it."""
    candidates: dict[Measure, list[MeasuredObservation]] = {}
    for m in found:
        candidates.setdefault(m.measure, []).append(m)
    latest: list[Measurement] = []
    for measure in Measure:
        # Newest first, sorted once, so that a long history of unreadable measurements stays linear.
        for newest in sorted(candidates.get(measure, []), key=_recency, reverse=True):
            value = read(newest)
            if value is not None:
                latest.append(value)
                break
    return tuple(latest)


def _recency(m: MeasuredObservation) -> tuple[date, str]:
    return m.on or date.min, m.ref
