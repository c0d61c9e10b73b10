"""Updated copies of draft resources for suggestion actions, validated as FHIR R4 before they leave.

Reading is lenient, writing is strict: a draft that arrived with a bare object where FHIR wants an array is
written back as an array, and a copy that still fails `fhir.resources` validation is not offered at all.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, MutableMapping
from datetime import date, datetime, timedelta
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from fhir_mappings.resources import Resource, as_list

log = logging.getLogger(__name__)

_ARRAY_FIELDS = ("category", "dosageInstruction", "identifier", "basedOn", "note", "reasonCode")


class InvalidFhirResource(ValueError):
    """The resource would not be valid FHIR R4."""


def _shift(value: object, days: int) -> object:
    """Move a FHIR date or dateTime by whole days, keeping its precision, time of day and offset."""
    if not isinstance(value, str):
        return value
    if len(value) == 10:
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    shifted = (moment + timedelta(days=days)).isoformat()
    return shifted.replace("+00:00", "Z") if value.endswith("Z") else shifted


def _shift_at(obj: object, path: tuple[str, ...], days: int) -> None:
    *parents, last = path
    for key in parents:
        if not isinstance(obj, Mapping):
            return
        obj = obj.get(key)
    if isinstance(obj, MutableMapping) and last in obj:
        if isinstance(obj[last], list):
            obj[last] = [_shift(v, days) for v in obj[last]]
        else:
            obj[last] = _shift(obj[last], days)


def _normalised(resource: Resource) -> dict[str, Any]:
    out = copy.deepcopy(dict(resource))
    for name in _ARRAY_FIELDS:
        if name in out and not isinstance(out[name], list):
            out[name] = as_list(out[name])
    return out


def with_medication_start(resource: Resource, current_start: date, new_start: date) -> dict[str, Any]:
    """The MedicationRequest moved so that its first administration is `new_start`.

    Every date of its schedule (bounds, events, validity) moves by the same number of days, so the course keeps
    its shape; an order without a schedule gets `boundsPeriod.start`.
    """
    days = (new_start - current_start).days
    out = _normalised(resource)
    dosages = out.get("dosageInstruction") or []
    had_dates = False
    for dosage in dosages:
        if not isinstance(dosage, MutableMapping):
            continue
        for path in (
            ("timing", "event"),
            ("timing", "repeat", "boundsPeriod", "start"),
            ("timing", "repeat", "boundsPeriod", "end"),
        ):
            before = copy.deepcopy(dosage)
            _shift_at(dosage, path, days)
            had_dates = had_dates or before != dosage
    dispense = out.get("dispenseRequest")
    if isinstance(dispense, MutableMapping):
        for path in (("validityPeriod", "start"), ("validityPeriod", "end")):
            before = copy.deepcopy(dispense)
            _shift_at(dispense, path, days)
            had_dates = had_dates or before != dispense
    if not had_dates:
        if not dosages:
            dosages = out["dosageInstruction"] = [{}]
        timing = dosages[0].setdefault("timing", {})
        timing.setdefault("repeat", {})["boundsPeriod"] = {"start": new_start.isoformat()}
    return validated(out)


def with_occurrence(resource: Resource, current: date, new_date: date) -> dict[str, Any]:
    """The ServiceRequest with its requested date (and any period or timing) moved to `new_date`."""
    days = (new_date - current).days
    out = _normalised(resource)
    for path in (
        ("occurrenceDateTime",),
        ("occurrencePeriod", "start"),
        ("occurrencePeriod", "end"),
        ("occurrenceTiming", "event"),
        ("occurrenceTiming", "repeat", "boundsPeriod", "start"),
        ("occurrenceTiming", "repeat", "boundsPeriod", "end"),
    ):
        _shift_at(out, path, days)
    return validated(out)


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """Return `resource` unchanged if it is valid FHIR R4 (R4B models), else raise InvalidFhirResource."""
    rtype = resource.get("resourceType")
    try:
        get_fhir_model_class(str(rtype)).model_validate(resource)
    except Exception as exc:
        raise InvalidFhirResource(f"{rtype}/{resource.get('id')} is not valid FHIR R4") from exc
    return resource
