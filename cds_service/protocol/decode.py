"""Schema-directed decoding of a hook call's body: the prefetch keeps only the resource elements the extractors read.

Much of a prefetch is narrative, identifiers, metadata and references no rule reads, and building then freeing their
dicts is wasted work. msgspec decodes the body in one pass into plain dicts, each prefetched resource (alone or in a
Bundle's entries) holding only the elements below; the context, with the draft orders a suggestion echoes back,
stays whole. A body that does not fit this schema (not JSON, not an object, a prefetch value that is no object, a
Bundle entry that is no object...) is decoded whole by the caller, so that it is refused, or read leniently, exactly
as before. One difference remains: an integer beyond 64 bits in a kept element is an int here, where orjson gives a
float.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec


class PrefetchResource(TypedDict, total=False):
    """The top-level elements of a resource that fhir_mappings and the prefetch stage read (any type)."""

    resourceType: Any
    id: Any
    contained: Any
    status: Any
    intent: Any
    category: Any
    code: Any
    clinicalStatus: Any
    verificationStatus: Any
    bodySite: Any
    onsetDateTime: Any
    recordedDate: Any
    effectiveDateTime: Any
    effectivePeriod: Any
    effectiveInstant: Any
    issued: Any
    valueQuantity: Any
    valueCodeableConcept: Any
    valueString: Any
    valueInteger: Any
    valueBoolean: Any
    interpretation: Any
    referenceRange: Any
    component: Any
    medicationCodeableConcept: Any
    medicationReference: Any
    authoredOn: Any
    dosageInstruction: Any
    dispenseRequest: Any
    dosage: Any
    reasonCode: Any
    reasonReference: Any
    basedOn: Any
    orderDetail: Any
    occurrenceDateTime: Any
    occurrencePeriod: Any
    occurrenceTiming: Any
    performedDateTime: Any
    performedPeriod: Any
    procedureCode: Any
    started: Any
    serviceType: Any
    appointmentType: Any
    start: Any
    end: Any
    gender: Any
    birthDate: Any
    ingredient: Any


class PrefetchEntry(TypedDict, total=False):
    resource: PrefetchResource


class PrefetchValue(PrefetchResource, total=False):
    """A prefetch value: a resource, or a Bundle whose entries and next link are read."""

    entry: list[PrefetchEntry]
    link: Any


class HookBody(TypedDict, total=False):
    """The body's fields that HookRequest reads (it ignores any other)."""

    hook: Any
    hookInstance: Any
    fhirServer: Any
    fhirAuthorization: Any
    context: Any
    prefetch: dict[str, PrefetchValue | None]


_HOOK_BODY = msgspec.json.Decoder(HookBody)


def decode_hook_body(body: bytes | bytearray) -> Any:
    """The parsed body, its prefetch trimmed; None when the body does not fit the schema (or is no JSON): the
    caller then decodes it whole, as before, so that it is refused or read leniently exactly as it was."""
    try:
        return _HOOK_BODY.decode(body)
    except (msgspec.MsgspecError, RecursionError):  # RecursionError: nested deeper than Python allows
        return None
