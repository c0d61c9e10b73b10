"""Turn a request body into validated wire models, or a MalformedRequest naming the offending field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from cds_service.errors import MalformedRequest, UnsupportedMediaType
from cds_service.protocol.decode import decode_hook_body
from cds_service.protocol.models import (
    HOOK_CONTEXTS,
    AppointmentBookContext,
    HookRequest,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)
from cds_service.settings import MAX_BUNDLE_ENTRIES
from fhir_mappings.resources import Resource, ref_key

M = TypeVar("M", bound=BaseModel)


def field_path(loc: Sequence[int | str], prefix: str = "") -> str:
    """('context', 'selections', 0) → 'context.selections[0]'."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(body)"


def parse_json_body(body: bytes | bytearray, content_type: str | None) -> Any:
    """Decode a JSON request body; 415 for a non-JSON media type, 400 for invalid JSON."""
    _require_json(content_type)
    return _loads(body)


def parse_hook_body(body: bytes | bytearray, content_type: str | None, prefetch_keys: frozenset[str]) -> Any:
    """A hook call's body as parse_json_body decodes it, its prefetch trimmed to the service's keys and to what
    the extractors read; a body that does not fit that schema (or is no JSON) is decoded whole, so it is refused
    or read exactly as before."""
    _require_json(content_type)
    trimmed = decode_hook_body(body, prefetch_keys)
    return _loads(body) if trimmed is None else trimmed


def _require_json(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType("the request body must be application/json", ["Content-Type"])


def _loads(body: bytes | bytearray) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(f"the body is not valid JSON ({exc.msg} at byte {exc.pos})") from exc


def validate(model: type[M], data: Any, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        fields = [field_path(e["loc"], prefix) for e in errors]
        first = errors[0]
        raise MalformedRequest(f"{fields[0]}: {first['msg']}", fields) from exc


@dataclass(frozen=True)
class ParsedRequest:
    request: HookRequest
    context: PatientViewContext
    drafts: tuple[Resource, ...] = ()
    """The resources of the context's draftOrders (order hooks) or appointments (appointment-book), in their
    order: what the call is about, and what its suggestions may rewrite."""
    drafts_by_ref: Mapping[str, Resource] = field(default_factory=dict)
    """The same by `Type/id` (those that have an id): selections, and the orders a suggestion may rewrite."""


def _appointments(context: AppointmentBookContext, max_entries: int) -> tuple[Resource, ...]:
    """The Appointments being booked; any other entry is a 400 naming it."""
    entries = context.appointments.entry
    if len(entries) > max_entries:
        raise MalformedRequest(
            f"appointments has more than {max_entries} entries", ["context.appointments.entry"]
        )
    found = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Appointment":
            raise MalformedRequest(
                "appointments must be a Bundle of Appointments", [f"context.appointments.entry[{i}].resource"]
            )
        found.append(resource)
    return tuple(found)


def parse_hook_request(data: Any, expected_hook: str, max_entries: int = MAX_BUNDLE_ENTRIES) -> ParsedRequest:
    """Validate the envelope, the hook and its context (per the hook library), and order-select selections."""
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object", ["(body)"])
    request = validate(HookRequest, data)
    if request.hook != expected_hook:
        raise MalformedRequest(
            f"hook '{request.hook[:64]}' does not match this service's hook '{expected_hook}'", ["hook"]
        )
    if request.fhirAuthorization is not None and request.fhirServer is None:
        raise MalformedRequest("fhirAuthorization requires fhirServer", ["fhirServer"])
    context = validate(HOOK_CONTEXTS[expected_hook], request.context, prefix="context")
    drafts: tuple[Resource, ...] = ()
    if isinstance(context, OrderSignContext):
        if len(context.draftOrders.entry) > max_entries:
            raise MalformedRequest(
                f"draftOrders has more than {max_entries} entries", ["context.draftOrders.entry"]
            )
        drafts = tuple(r for e in context.draftOrders.entry if isinstance(r := e.get("resource"), dict))
    if isinstance(context, AppointmentBookContext):
        drafts = _appointments(context, max_entries)
    by_ref = {key: r for r in drafts if (key := ref_key(r)) is not None}
    if isinstance(context, OrderSelectContext):
        for i, selection in enumerate(context.selections):
            if selection not in by_ref:
                raise MalformedRequest(
                    f"selection '{selection[:64]}' names no resource in draftOrders",
                    [f"context.selections[{i}]"],
                )
    return ParsedRequest(request=request, context=context, drafts=drafts, drafts_by_ref=by_ref)
