"""Updated copies of draft resources for suggestion actions, validated as FHIR R4 before they leave.

Reading is lenient, writing is strict: a draft that arrived with a bare object where FHIR wants an array is
written back as an array, a date that cannot be read is left as it was, and a copy that still fails
`fhir.resources` validation is not offered at all.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from fhir_mappings.resources import Resource, as_list
from fhir_mappings.valuesets.model import Code

UCUM = "http://unitsofmeasure.org"
_ARRAY_FIELDS = ("category", "dosageInstruction", "identifier", "basedOn", "note", "reasonCode")
_SCHEDULE_PATHS = (
    ("timing", "event"),
    ("timing", "repeat", "boundsPeriod", "start"),
    ("timing", "repeat", "boundsPeriod", "end"),
)
_OCCURRENCE_PATHS = (
    ("occurrenceDateTime",),
    ("occurrencePeriod", "start"),
    ("occurrencePeriod", "end"),
    ("occurrenceTiming", "event"),
    ("occurrenceTiming", "repeat", "boundsPeriod", "start"),
    ("occurrenceTiming", "repeat", "boundsPeriod", "end"),
)


class InvalidFhirResource(ValueError):
    """The resource would not be valid FHIR R4."""


def shift_fhir_date(value: object, days: int, tz: tzinfo) -> object:
    """Move a FHIR date or dateTime by whole calendar days of the site's time zone.

    The wall-clock time in the site zone is kept (so a dose moved across a daylight-saving change still falls
    on the intended local day), and the result is written with the value's own offset. Anything unreadable is
    left unchanged.
    """
    if not isinstance(value, str):
        return value
    try:
        if len(value) == 10:
            return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return (moment + timedelta(days=days)).isoformat()
    local = moment.astimezone(tz)
    moved = (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=tz)
    if value.endswith("Z"):
        return moved.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moved.astimezone(moment.tzinfo).isoformat()


def _shift_at(obj: object, path: tuple[str, ...], days: int, tz: tzinfo) -> bool:
    """Shift the value at `path` in place; True if there was one."""
    *parents, last = path
    for key in parents:
        if not isinstance(obj, MutableMapping):
            return False
        obj = obj.get(key)
    if not isinstance(obj, MutableMapping) or last not in obj:
        return False
    value = obj[last]
    obj[last] = (
        [shift_fhir_date(v, days, tz) for v in value]
        if isinstance(value, list)
        else shift_fhir_date(value, days, tz)
    )
    return True


def _json_copy(value: Any) -> Any:
    """A deep copy of parsed JSON (objects, arrays and immutable leaves), without `copy.deepcopy`'s memo and
    per-type dispatch, which cost several times more."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


def _normalised(resource: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {key: _json_copy(value) for key, value in resource.items()}
    for name in _ARRAY_FIELDS:
        if name in out and not isinstance(out[name], list):
            out[name] = as_list(out[name])
    return out


def with_medication_start(
    resource: Resource, current_start: date, new_start: date, tz: tzinfo
) -> dict[str, Any]:
    """The MedicationRequest moved so that its first administration is `new_start`.

    Every date of its schedule (events, bounds, dispense validity) moves by the same number of days, so the
    course keeps its shape; an order without a schedule gets `boundsPeriod.start`.
    """
    days = (new_start - current_start).days
    out = _normalised(resource)
    dosages = [d for d in out.get("dosageInstruction") or [] if isinstance(d, MutableMapping)]
    moved = [_shift_at(dosage, path, days, tz) for dosage in dosages for path in _SCHEDULE_PATHS]
    dispense = out.get("dispenseRequest")
    for path in (("validityPeriod", "start"), ("validityPeriod", "end")):
        moved.append(_shift_at(dispense, path, days, tz))
    if not any(moved):
        if not dosages:
            out["dosageInstruction"] = [*as_list(out.get("dosageInstruction")), {}]
            dosages = [out["dosageInstruction"][-1]]
        timing = dosages[0].get("timing")
        if not isinstance(timing, MutableMapping):
            timing = dosages[0]["timing"] = {}
        repeat = timing.get("repeat")
        if not isinstance(repeat, MutableMapping):
            repeat = timing["repeat"] = {}
        repeat["boundsPeriod"] = {"start": new_start.isoformat()}
    return validated(out)


def with_occurrence(resource: Resource, current: date, new_date: date, tz: tzinfo) -> dict[str, Any]:
    """The ServiceRequest with its requested date (and any period or timing) moved to `new_date`."""
    days = (new_date - current).days
    out = _normalised(resource)
    for path in _OCCURRENCE_PATHS:
        _shift_at(out, path, days, tz)
    return validated(out)


def with_appointment_day(resource: Resource, current: date, new_date: date, tz: tzinfo) -> dict[str, Any]:
    """The Appointment with its start and end moved to `new_date`: the same time of day and duration."""
    days = (new_date - current).days
    out = _normalised(resource)
    for path in (("start",), ("end",)):
        _shift_at(out, path, days, tz)
    return validated(out)


def with_dose(resource: Resource, amount: float, unit: str | None) -> dict[str, Any]:
    """The MedicationRequest with the dose of its first dosage instruction set to `amount` (as a doseQuantity;
    a doseRange is replaced). `unit` None keeps the order's own unit; otherwise a UCUM unit such as mg."""
    out = _normalised(resource)
    dosages = out.get("dosageInstruction") or []
    if not dosages or not isinstance(dosages[0], MutableMapping):
        raise InvalidFhirResource("the order has no dosage instruction to change")
    rates = dosages[0].get("doseAndRate")
    rate = rates[0] if isinstance(rates, list) and rates and isinstance(rates[0], MutableMapping) else {}
    previous = rate.pop("doseQuantity", None) or rate.pop("doseRange", {}).get("high") or {}
    rate.pop("doseRange", None)
    if unit is None:
        quantity = {**previous, "value": amount}
    else:
        quantity = {"value": amount, "unit": unit, "system": UCUM, "code": unit}
    rate["doseQuantity"] = quantity
    dosages[0]["doseAndRate"] = [rate, *(rates[1:] if isinstance(rates, list) else [])]
    return validated(out)


def new_service_request(patient_id: str, codes: Sequence[Code], text: str) -> dict[str, Any]:
    """A draft order for the patient, coded with `codes` (the first is the order's code) and named `text`."""
    return validated(
        {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "order",
            "subject": {"reference": f"Patient/{patient_id}"},
            "code": {
                "coding": [{"system": c.system, "code": c.code, "display": c.display} for c in codes[:1]],
                "text": text,
            },
        }
    )


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """Return `resource` unchanged if it is valid FHIR R4 (R4B models), else raise InvalidFhirResource."""
    # fhir.resources (with PyYAML and lxml) is off the start-up path: the app loads these models after start-up
    from fhir.resources.R4B import get_fhir_model_class

    rtype = resource.get("resourceType")
    try:
        get_fhir_model_class(str(rtype)).model_validate(resource)
    except Exception as exc:
        raise InvalidFhirResource(f"{rtype}/{resource.get('id')} is not valid FHIR R4") from exc
    return resource
