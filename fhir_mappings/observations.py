"""Observation → one fact: a body measurement, a score (ECOG, Karnofsky, PCI, CCR), AFP, disease status, a gene
result, a blood-pressure reading, or a tumour risk feature. The terminology's observation index says which."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from fhir_mappings.dates import parse_fhir_date
from fhir_mappings.facts import (
    SCALE_RANGES,
    BloodPressure,
    Gene,
    GeneResult,
    MarkerResult,
    Measure,
    RiskFeature,
    RiskFinding,
    Scale,
    Score,
    StatusReport,
)
from fhir_mappings.patient import MeasuredObservation, measured
from fhir_mappings.resources import Resource, as_list, codings_of, concept_text, ref_key
from fhir_mappings.systems import V3_INTERPRETATION
from fhir_mappings.terminology import ObservationRole, Terminology
from fhir_mappings.units import unit_of
from fhir_mappings.valuesets.observations import ECOG_ANSWERS

RESULT_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
NORMAL_INTERPRETATIONS = frozenset({"N", "L", "LL"})
"""v3-ObservationInterpretation (UTG v3-ObservationInterpretation.xml:386, :524, :558): within or below the
reference range, i.e. not raised."""
RAISED_INTERPRETATIONS = frozenset({"H", "HH", "A"})
"""v3-ObservationInterpretation (UTG :511, :537, :373): high, critically high, abnormal."""


class BloodPressurePart:
    """One reading: a panel, or a single systolic or diastolic observation (merged by instant later)."""

    __slots__ = ("at", "diastolic", "on", "ref", "systolic")

    def __init__(
        self, ref: str, systolic: float | None, diastolic: float | None, on: date, at: datetime
    ) -> None:
        self.ref, self.systolic, self.diastolic, self.on, self.at = ref, systolic, diastolic, on, at


ObservationFact = (
    MeasuredObservation | Score | MarkerResult | StatusReport | GeneResult | BloodPressurePart | RiskFinding
)


def observation_fact(
    resource: Resource, role: ObservationRole, terminology: Terminology, tz: tzinfo
) -> ObservationFact | None:
    """The fact an Observation states; `role` is what its code stands for (`terminology.observations`), looked
    up by the caller, which reads every Observation's code once to pass over the many no rule asks about."""
    if resource.get("status") not in RESULT_STATUSES:
        return None
    key = ref_key(resource)
    if key is None:
        return None
    kind, concept = role
    if kind == "measure" and isinstance(concept, Measure):
        return measured(resource, concept, tz)  # dated by its own rule, read if it is the latest
    on = _effective_date(resource, tz)
    if kind == "scale" and isinstance(concept, Scale):
        value = _score_value(resource, concept, terminology)
        return None if value is None else Score(concept, value, on, key)
    if kind == "afp":
        return MarkerResult(key, _value_text(resource), on, _normalised(resource))
    if kind == "status":
        trend = terminology.trends.first(codings_of(resource.get("valueCodeableConcept")))
        return None if trend is None else StatusReport(key, trend, on)
    if kind == "variant":
        return _variant(resource, key, on, terminology)
    if kind == "gene-test" and isinstance(concept, Gene):
        return GeneResult(
            key, concept, _presence(resource.get("valueCodeableConcept"), terminology), _text(resource), on
        )
    if kind in ("bp-panel", "systolic", "diastolic"):
        return _blood_pressure(resource, kind, key, terminology, tz)
    if kind == "tnm-t":
        value = resource.get("valueCodeableConcept")
        if not terminology.t4_category.matches_any(codings_of(value)):
            return None
        return RiskFinding(key, RiskFeature.T4, concept_text(value) or RiskFeature.T4.value)
    if kind == "risk" and isinstance(concept, RiskFeature):
        if resource.get("valueBoolean") is False:
            return None
        return RiskFinding(key, concept, concept_text(resource.get("code")) or concept.value)
    return None


def _effective_date(resource: Resource, tz: tzinfo) -> date | None:
    period = resource.get("effectivePeriod")
    return (
        parse_fhir_date(resource.get("effectiveDateTime"), tz)
        or parse_fhir_date(period.get("end") if isinstance(period, dict) else None, tz)
        or parse_fhir_date(resource.get("effectiveInstant"), tz)
        or parse_fhir_date(resource.get("issued"), tz)
    )


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _score_value(resource: Resource, scale: Scale, terminology: Terminology) -> int | None:
    """valueInteger (or an integral valueQuantity); ECOG also as a LOINC answer in the value or the
    interpretation (mCODE). A value outside the scale's range is an error in the record."""
    value = _integer(resource.get("valueInteger"))
    if value is None and isinstance(resource.get("valueQuantity"), dict):
        value = _integer(resource["valueQuantity"].get("value"))
    if value is None and scale is Scale.ECOG:
        for field in ("valueCodeableConcept", "interpretation"):
            for system, code in codings_of(resource.get(field)):
                if terminology.ecog_answers.contains(system, code) and code in ECOG_ANSWERS:
                    value = ECOG_ANSWERS[code]
                    break
            if value is not None:
                break
    if value is None:
        return None
    low, high = SCALE_RANGES[scale]
    if not low <= value <= high:
        raise ValueError(f"{scale} value out of range")
    return value


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _value_text(resource: Resource) -> str:
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, dict) and _number(quantity.get("value")) is not None:
        comparator = quantity.get("comparator") if isinstance(quantity.get("comparator"), str) else ""
        unit = unit_of(quantity)
        return f"{comparator}{quantity['value']}" + (f" {unit}" if unit else "")
    return _text(resource) or "no value"


def _text(resource: Resource) -> str | None:
    value = resource.get("valueString")
    if isinstance(value, str) and value.strip():
        return value.strip()[:80]
    return concept_text(resource.get("valueCodeableConcept"))


def _normalised(resource: Resource) -> bool | None:
    """Within the upper reference limit: from the interpretation when it says, else from the value against
    `referenceRange.high` in the same unit. None when neither says."""
    for system, code in codings_of(resource.get("interpretation")):
        if system == V3_INTERPRETATION and code in NORMAL_INTERPRETATIONS:
            return True
        if system == V3_INTERPRETATION and code in RAISED_INTERPRETATIONS:
            return False
    quantity = resource.get("valueQuantity")
    if not isinstance(quantity, dict):
        return None
    value = _number(quantity.get("value"))
    if value is None:
        return None
    comparator = quantity.get("comparator")
    for reference in as_list(resource.get("referenceRange")):
        high = reference.get("high") if isinstance(reference, dict) else None
        if not isinstance(high, dict) or _number(high.get("value")) is None:
            continue
        high_unit, unit = unit_of(high), unit_of(quantity)
        if high_unit is not None and unit is not None and high_unit != unit:
            continue
        limit = float(high["value"])
        if comparator in ("<", "<="):  # the true value is below `value`: normal only if `value` is
            return True if value <= limit else None
        if comparator in (">", ">="):  # the true value is above `value`: raised if `value` already is
            return False if value >= limit else None
        return value <= limit
    return None


def _presence(concept: object, terminology: Terminology) -> bool | None:
    codings = codings_of(concept)
    if terminology.variant_present.matches_any(codings):
        return True
    if terminology.variant_absent.matches_any(codings):
        return False
    return None


def _components(resource: Resource) -> Iterator[tuple[list[tuple[str | None, str | None]], dict[str, Any]]]:
    for component in as_list(resource.get("component")):
        if isinstance(component, dict):
            yield codings_of(component.get("code")), component


def _variant(resource: Resource, key: str, on: date | None, terminology: Terminology) -> GeneResult | None:
    """A genomics-reporting Variant: the gene studied, the protein change, and present/absent."""
    gene: Gene | None = None
    change: str | None = None
    for codes, component in _components(resource):
        if terminology.gene_studied.matches_any(codes):
            gene = terminology.genes.first(codings_of(component.get("valueCodeableConcept")))
        elif terminology.protein_change.matches_any(codes):
            change = concept_text(component.get("valueCodeableConcept")) or _first_code(
                codings_of(component.get("valueCodeableConcept"))
            )
    if gene is None:
        return None
    mutated = _presence(resource.get("valueCodeableConcept"), terminology)
    if mutated is None and change:
        mutated = True
    return GeneResult(key, gene, mutated, change, on)


def _first_code(codings: Iterable[tuple[str | None, str | None]]) -> str | None:
    return next((code for _, code in codings if code), None)


def _blood_pressure(
    resource: Resource, kind: str, key: str, terminology: Terminology, tz: tzinfo
) -> BloodPressurePart | None:
    at = _instant(resource.get("effectiveDateTime"), tz)
    on = parse_fhir_date(resource.get("effectiveDateTime"), tz)
    if at is None or on is None:
        return None
    systolic_set = terminology.value_set("systolic-blood-pressure")
    diastolic_set = terminology.value_set("diastolic-blood-pressure")
    systolic = diastolic = None
    if kind == "bp-panel":
        for codes, component in _components(resource):
            if systolic_set.matches_any(codes):
                systolic = _mmhg(component.get("valueQuantity"))
            elif diastolic_set.matches_any(codes):
                diastolic = _mmhg(component.get("valueQuantity"))
    elif kind == "systolic":
        systolic = _mmhg(resource.get("valueQuantity"))
    else:
        diastolic = _mmhg(resource.get("valueQuantity"))
    if systolic is None and diastolic is None:
        return None
    return BloodPressurePart(key, systolic, diastolic, on, at)


def _mmhg(quantity: object) -> float | None:
    """A pressure in mm Hg (UCUM mm[Hg]); any other unit is not read."""
    if not isinstance(quantity, dict):
        return None
    unit = unit_of(quantity)
    value = _number(quantity.get("value"))
    return value if unit in ("mm[Hg]", "mmHg", "mm Hg") and value is not None else None


def _instant(value: object, tz: tzinfo) -> datetime | None:
    """An effective time as an aware instant for ordering readings (a date alone is its local midnight)."""
    day = parse_fhir_date(value, tz)
    if day is None or not isinstance(value, str):
        return None
    if "T" not in value:
        return datetime(day.year, day.month, day.day, tzinfo=tz)
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def latest_blood_pressure(parts: Iterable[BloodPressurePart]) -> BloodPressure | None:
    """The latest reading; single systolic and diastolic observations taken at the same instant are one."""
    by_instant: dict[datetime, list[BloodPressurePart]] = {}
    for part in parts:
        by_instant.setdefault(part.at.astimezone(UTC), []).append(part)
    if not by_instant:
        return None
    last = max(by_instant)
    group = sorted(by_instant[last], key=lambda p: p.ref)
    systolic = next((p.systolic for p in group if p.systolic is not None), None)
    diastolic = next((p.diastolic for p in group if p.diastolic is not None), None)
    return BloodPressure(group[0].ref, systolic, diastolic, group[0].on)


def latest(found: Iterable[Any], key: Any) -> dict[Any, Any]:
    """The most recent fact per `key(fact)` (undated facts lose to dated ones; ties go to the higher ref)."""
    out: dict[Any, Any] = {}
    for fact in found:
        k = key(fact)
        current = out.get(k)
        if current is None or (fact.on or date.min, fact.ref) > (current.on or date.min, current.ref):
            out[k] = fact
    return out
