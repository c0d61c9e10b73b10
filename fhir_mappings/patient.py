"""The patient's own facts: demographics, the latest body measurements, and primary cancers on record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo

from fhir_mappings.dates import parse_fhir_date
from fhir_mappings.facts import Cancer, Demographics, Measure, Measurement
from fhir_mappings.resources import Resource, codings_of, ref_key
from fhir_mappings.units import quantity_in, unit_of
from fhir_mappings.valuesets import CANCER_INDEX, MEASURE_INDEX

RESULT_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
EXCLUDED_CONDITION_STATUSES = frozenset({"refuted", "entered-in-error"})


def demographics(resource: Resource, tz: tzinfo) -> Demographics | None:
    if resource.get("resourceType") != "Patient":
        return None
    gender = resource.get("gender")
    return Demographics(
        birth_date=parse_fhir_date(resource.get("birthDate"), tz),
        sex=gender if isinstance(gender, str) else None,
    )


def measurement(resource: Resource, tz: tzinfo) -> Measurement | None:
    """A body measurement from an Observation coded in one of the measure value sets."""
    if resource.get("status") not in RESULT_STATUSES:
        return None
    measure = MEASURE_INDEX.first(codings_of(resource.get("code")))
    key = ref_key(resource)
    if measure is None or key is None:
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


def primary_cancer(resource: Resource) -> Cancer | None:
    verification = set(codings_of(resource.get("verificationStatus")))
    if any(code in EXCLUDED_CONDITION_STATUSES for _, code in verification):
        return None
    return CANCER_INDEX.first(codings_of(resource.get("code")))
