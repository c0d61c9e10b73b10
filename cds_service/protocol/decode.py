"""Schema-directed decoding of a hook call's body: the prefetch keeps only the resource elements the extractors read.

Much of a prefetch is narrative, identifiers, metadata and references no rule reads, and building then freeing their
dicts is wasted work. msgspec decodes the body in one pass into plain dicts, each prefetched resource (alone or in a
Bundle's entries) holding only the elements below; the context, with the draft orders a suggestion echoes back,
stays whole. A prefetch key the service does not declare is skipped whole: nothing reads it (EHRs that prefetch
generously send the keys of every service, and its resources would be built only to be freed).

A body that does not fit this schema (not JSON, not an object, a declared prefetch value that is no object, a
Bundle entry that is no object...) is decoded whole by the caller, so that it is refused, or read leniently, exactly
as before. One difference remains: an integer beyond 64 bits in a kept element is an int here, where orjson gives a
float.
"""

from __future__ import annotations

from functools import lru_cache
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


HOOK_BODY_FIELDS = ("hook", "hookInstance", "fhirServer", "fhirAuthorization", "context")
"""The body's fields that HookRequest reads besides the prefetch (it ignores any other)."""


_FUNCTIONAL_TYPED_DICT: Any = TypedDict
"""TypedDict called with fields known at run time, which static checkers cannot follow."""


def _object(name: str, fields: dict[str, Any]) -> Any:
    """An object schema whose fields are known only at run time (TypedDict's functional form): msgspec keeps
    these fields, each optional, and skips any other."""
    return _FUNCTIONAL_TYPED_DICT(name, fields, total=False)


@lru_cache(maxsize=64)
def _decoder(keys: frozenset[str]) -> msgspec.json.Decoder[Any]:
    """The body's schema for a service declaring the prefetch `keys`: built at its first call, then reused."""
    prefetch = _object("Prefetch", {key: PrefetchValue | None for key in keys})
    return msgspec.json.Decoder(
        _object("HookBody", {**dict.fromkeys(HOOK_BODY_FIELDS, Any), "prefetch": prefetch | None})
    )


def decode_hook_body(body: bytes | bytearray, prefetch_keys: frozenset[str]) -> Any:
    """The parsed body, its prefetch trimmed to the service's keys and their resources to what the extractors
    read; None when the body does not fit the schema (or is no JSON): the caller then decodes it whole, as
    before, so that it is refused or read leniently exactly as it was."""
    try:
        return _decoder(prefetch_keys).decode(body)
    except (msgspec.MsgspecError, RecursionError):  # RecursionError: nested deeper than Python allows
        return None
