"""Build the clinical picture from the resources of one hook call, entry by entry.

A resource that cannot be read costs its own fact, never the hook: each extractor runs under a guard that logs
the resource's type and id and moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from datetime import date, tzinfo
from typing import Any, TypeVar

from fhir_mappings.dates import parse_fhir_date
from fhir_mappings.doses import ordered_dose
from fhir_mappings.facts import Administration, ClinicalPicture, Drug, MedicationOrder, Surgery
from fhir_mappings.patient import demographics, latest_per_measure, measurement, primary_cancer
from fhir_mappings.resources import Resource, ResourceIndex, as_list, codings_of, concept_text, ref_key
from fhir_mappings.valuesets import DRUG_INDEX, MAJOR_SURGERY, SURGICAL_PROCEDURE_CATEGORY

log = logging.getLogger(__name__)
T = TypeVar("T")

PLANNED_ORDER_STATUSES = frozenset({"draft", "active", "on-hold"})
PLANNED_ORDER_INTENTS_EXCLUDED = frozenset({"proposal", "option"})
BOOKED_APPOINTMENT_STATUSES = frozenset({"booked", "arrived", "checked-in"})
GIVEN_STATUSES = frozenset({"completed", "in-progress"})


def build_picture(
    index: ResourceIndex,
    drafts: Collection[Resource],
    under_review: Collection[str] | None,
    tz: tzinfo,
) -> ClinicalPicture:
    """Extract facts from every resource of the call.

    `drafts` are the context's draftOrders; `under_review` the `Type/id`s the hook is about (None: all drafts).
    """
    # A draft without an id (some order-sign clients send them) is still checked, under a synthetic key that
    # no suggestion can act on.
    draft_keys = {
        id(r): ref_key(r) or f"{r.get('resourceType')}/#draft-{i + 1}" for i, r in enumerate(drafts)
    }

    def key_of(resource: Resource) -> str | None:
        return draft_keys.get(id(resource)) or ref_key(resource)

    draft_refs = set(draft_keys.values())
    reviewed = draft_refs if under_review is None else set(under_review)
    skipped = 0

    def guarded(fn: Callable[[Resource], T | None], resources: Iterable[Resource]) -> list[T]:
        nonlocal skipped
        out: list[T] = []
        for resource in resources:
            try:
                fact = fn(resource)
            except Exception as exc:  # one bad resource costs one fact
                skipped += 1
                log.warning(
                    "skipped malformed %s/%s: %s",
                    resource.get("resourceType"),
                    resource.get("id"),
                    type(exc).__name__,
                )
                continue
            if fact is not None:
                out.append(fact)
        return out

    def order(resource: Resource) -> MedicationOrder | None:
        return _medication_order(resource, key_of(resource), index, draft_refs, reviewed, tz)

    def surgery_request(resource: Resource) -> Surgery | None:
        return _planned_service_request(resource, key_of(resource), reviewed, tz)

    orders = guarded(order, index.of_type("MedicationRequest"))
    administrations = guarded(
        lambda r: _administration(r, index, tz), index.of_type("MedicationAdministration")
    )

    surgery_requests = guarded(surgery_request, index.of_type("ServiceRequest"))
    prepared = guarded(lambda r: _procedure(r, tz, want_status="preparation"), index.of_type("Procedure"))
    done = guarded(lambda r: _procedure(r, tz, want_status="completed"), index.of_type("Procedure"))
    bookings = guarded(lambda r: _booked_appointment(r, index, tz), index.of_type("Appointment"))

    # A booking carries the date of the order it is based on; the order itself then counts once, as booked.
    booked_orders = {based_on for _, based_on in bookings if based_on is not None}
    planned = [s for s in surgery_requests if s.ref not in booked_orders or s.under_review]
    planned += prepared + [s for s, _ in bookings]
    people = guarded(lambda r: demographics(r, tz), index.of_type("Patient"))
    measurements = guarded(lambda r: measurement(r, tz), index.of_type("Observation"))
    cancers = guarded(primary_cancer, index.of_type("Condition"))
    return ClinicalPicture(
        medication_orders=tuple(orders),
        administrations=tuple(administrations),
        planned_surgeries=tuple(sorted(planned, key=lambda s: (s.on, s.ref))),
        completed_surgeries=tuple(sorted(done, key=lambda s: (s.on, s.ref))),
        demographics=people[0] if people else None,
        latest=latest_per_measure(measurements),
        primary_cancers=frozenset(cancers),
        skipped_resources=skipped,
    )


def identify_drug(codings: Iterable[tuple[str | None, str | None]]) -> Drug | None:
    return DRUG_INDEX.first(codings)


def _medication_codings(resource: Resource, index: ResourceIndex) -> list[tuple[str | None, str | None]]:
    """Codes of the medicine, from the CodeableConcept or the referenced (contained, bundled) Medication."""
    pairs = list(codings_of(resource.get("medicationCodeableConcept")))
    medication = index.resolve(resource.get("medicationReference"), container=resource)
    if medication is not None:
        pairs += codings_of(medication.get("code"))
        for ingredient in as_list(medication.get("ingredient")):
            if isinstance(ingredient, dict):
                pairs += codings_of(ingredient.get("itemCodeableConcept"))
    return pairs


def _first_date(values: Iterable[object], tz: tzinfo) -> date | None:
    found = _dates(values, tz)
    return found[0] if found else None


def _get(obj: object, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _dates(values: Iterable[object], tz: tzinfo) -> list[date]:
    return sorted({d for d in (parse_fhir_date(v, tz) for v in values) if d is not None})


def _medication_order(
    resource: Resource,
    key: str | None,
    index: ResourceIndex,
    drafts: set[str],
    reviewed: set[str],
    tz: tzinfo,
) -> MedicationOrder | None:
    """The order's schedule: explicit dose dates (timing events), its start (first event or bounds start, else
    the dispense validity start) and its course end (bounds end only: a dispense validity end says how long
    the prescription may be filled, not when the last dose is given)."""
    if key is None:
        return None
    events: list[object] = []
    starts: list[object] = []
    ends: list[object] = []
    for dosage in as_list(resource.get("dosageInstruction")):
        timing = _get(dosage, "timing")
        events += as_list(_get(timing, "event"))
        starts.append(_get(timing, "repeat", "boundsPeriod", "start"))
        ends.append(_get(timing, "repeat", "boundsPeriod", "end"))
    doses = _dates(events, tz)
    first = _dates([*doses, *starts], tz)
    start = (
        first[0]
        if first
        else parse_fhir_date(_get(resource, "dispenseRequest", "validityPeriod", "start"), tz)
    )
    end_dates = _dates(ends, tz)
    status = resource.get("status")
    return MedicationOrder(
        ref=key,
        drug=identify_drug(_medication_codings(resource, index)),
        status=status if isinstance(status, str) else None,
        start=start,
        doses=tuple(doses),
        end=end_dates[-1] if end_dates else None,
        authored=parse_fhir_date(resource.get("authoredOn"), tz),
        is_draft=key in drafts,
        under_review=key in reviewed,
        dose=ordered_dose(resource) if key in reviewed else None,  # only reviewed orders' doses are checked
    )


def _administration(resource: Resource, index: ResourceIndex, tz: tzinfo) -> Administration | None:
    key = ref_key(resource)
    if key is None or resource.get("status") not in GIVEN_STATUSES:
        return None
    drug = identify_drug(_medication_codings(resource, index))
    given = parse_fhir_date(resource.get("effectiveDateTime"), tz) or _first_date(
        [_get(resource, "effectivePeriod", "end"), _get(resource, "effectivePeriod", "start")], tz
    )
    if drug is None or given is None:
        return None
    return Administration(ref=key, drug=drug, given_on=given)


def _is_surgical(resource: Resource, *code_fields: str) -> tuple[bool, bool]:
    """(surgical, major) from category / code fields."""
    codes = [pair for f in code_fields for pair in codings_of(resource.get(f))]
    major = MAJOR_SURGERY.matches_any(codes)
    categorised = SURGICAL_PROCEDURE_CATEGORY.matches_any(codings_of(resource.get("category")))
    return major or categorised, major


def _surgery_name(resource: Resource, field: str = "code") -> str:
    return concept_text(resource.get(field)) or "surgical procedure"


def _planned_service_request(
    resource: Resource, key: str | None, reviewed: set[str], tz: tzinfo
) -> Surgery | None:
    if key is None or resource.get("status") not in PLANNED_ORDER_STATUSES:
        return None
    if resource.get("intent") in PLANNED_ORDER_INTENTS_EXCLUDED:
        return None
    surgical, major = _is_surgical(resource, "code")
    if not surgical:
        return None
    timing = resource.get("occurrenceTiming")
    on = (
        parse_fhir_date(resource.get("occurrenceDateTime"), tz)
        or parse_fhir_date(_get(resource, "occurrencePeriod", "start"), tz)
        or _first_date([*as_list(_get(timing, "event")), _get(timing, "repeat", "boundsPeriod", "start")], tz)
    )
    if on is None:
        return None
    return Surgery(
        ref=key,
        name=_surgery_name(resource),
        on=on,
        major=major,
        under_review=key in reviewed,
    )


def _procedure(resource: Resource, tz: tzinfo, want_status: str) -> Surgery | None:
    key = ref_key(resource)
    if key is None or resource.get("status") != want_status:
        return None
    surgical, major = _is_surgical(resource, "code")
    if not surgical:
        return None
    period = resource.get("performedPeriod")
    bounds = (
        [_get(period, "end"), _get(period, "start")]
        if want_status == "completed"
        else [_get(period, "start")]
    )
    on = parse_fhir_date(resource.get("performedDateTime"), tz) or next(
        (d for d in (parse_fhir_date(v, tz) for v in bounds) if d is not None), None
    )
    if on is None:
        return None
    return Surgery(ref=key, name=_surgery_name(resource), on=on, major=major)


def _booked_appointment(
    resource: Resource, index: ResourceIndex, tz: tzinfo
) -> tuple[Surgery, str | None] | None:
    key = ref_key(resource)
    if key is None or resource.get("status") not in BOOKED_APPOINTMENT_STATUSES:
        return None
    on = parse_fhir_date(resource.get("start"), tz)
    if on is None:
        return None
    for based_on in as_list(resource.get("basedOn")):
        order = index.resolve(based_on)
        if order is not None and order.get("resourceType") == "ServiceRequest":
            surgical, major = _is_surgical(order, "code")
            if surgical:
                return Surgery(ref=key, name=_surgery_name(order), on=on, major=major), ref_key(order)
    surgical, major = _is_surgical(resource, "serviceType", "reasonCode")
    if not surgical:
        return None
    return Surgery(ref=key, name=_surgery_name(resource, "serviceType"), on=on, major=major), None
