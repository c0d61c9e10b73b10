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


def measurement(resource: Resource, measure: Measure, tz: tzinfo) -> Measurement | None:
    """A body measurement from an Observation coded in the value set of `measure`."""
    key = ref_key(resource)
    if key is None:
        return None
    quantity = resource.get("valueQuantity")
    raw = quantity.get("value") if isinstance(quantity, dict) else None
    unit = unit_of(quantity) if isinstance(quantity, dict) else None
    effective = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("end")
    return Measurement(
        measure=measure,
        value=quantity_in(quantity, measure.value),
        text=f"{raw} {unit}" if raw is not None and unit else "no value",
        on=parse_fhir_date(effective or resource.get("issued"), tz),
        ref=key,
    )


def latest_per_measure(found: Iterable[Measurement]) -> tuple[Measurement, ...]:
    """The most recent measurement of each measure (undated ones lose to dated ones)."""
    latest: dict[Measure, Measurement] = {}
    for m in found:
        current = latest.get(m.measure)
        if current is None or (m.on or date.min, m.ref) > (current.on or date.min, current.ref):
            latest[m.measure] = m
    return tuple(latest[m] for m in Measure if m in latest)
