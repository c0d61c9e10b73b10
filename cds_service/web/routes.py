"""HTTP routes. Endpoints that may block (FHIR fetches, database) are plain `def`: FastAPI runs them in its
thread pool. The hook endpoint is async: it reads the body, then evaluates a small prefetched call on the event
loop (pure CPU, no I/O) and hands everything that may block, or is large, to the thread pool; a large call is
first admitted (cds_service.admission), so that its body is read only when it may be evaluated."""

from __future__ import annotations

import contextlib
import html
import inspect
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from cds_service.admission import LargeCalls
from cds_service.auth.caller import Caller
from cds_service.engine.types import Rule
from cds_service.errors import ClientClosedRequest, MalformedRequest, NotFound, PayloadTooLarge
from cds_service.memory import TRIM_AFTER_BYTES, release_free_memory
from cds_service.pipeline import Runtime, handle_hook
from cds_service.protocol.models import DiscoveryResponse, FeedbackRequest, ServiceDescriptor
from cds_service.protocol.parse import parse_json_body, validate
from cds_service.web.observe import cards_returned, feedback_received
from cds_service.web.pending_body import PendingBody
from fhir_mappings.terminology import BUILT_IN, Terminology
from hooks.bibliography import SOURCES
from hooks.rules import ALL_RULES
from hooks.services import SERVICES, SERVICES_BY_ID, ServiceDeclaration

if TYPE_CHECKING:
    from cds_service.auth.verify import Authenticator  # PyJWT: imported by the app only with trusted clients

router = APIRouter()


async def raw_body(request: Request) -> bytearray:
    """The request body, refused with 413 past `max_body_bytes` (declared or streamed). Gathered in one buffer:
    a list of chunks joined at the end would hold a large body twice, and leave a body's worth of freed chunks
    in the heap until the next trim."""
    limit = request.app.state.runtime.settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    body = bytearray()
    try:
        async for chunk in request.stream():
            if len(body) + len(chunk) > limit:
                raise PayloadTooLarge(f"the body is larger than {limit} bytes")
            body += chunk
    except ClientDisconnect as exc:
        raise ClientClosedRequest("the client closed the connection before its body was read") from exc
    return body


async def authenticated(request: Request) -> Caller | None:
    """The verified CDS client (None only in --dev without trusted clients). Verification touches the store, so
    it runs in the thread pool; without an authenticator there is nothing to wait for (no thread hop)."""
    authenticator: Authenticator | None = request.app.state.authenticator
    if authenticator is None:
        return None
    return await run_in_threadpool(_verify, request, authenticator)


def _verify(request: Request, authenticator: Authenticator) -> Caller:
    settings = request.app.state.runtime.settings
    base = (settings.public_base_url or str(request.base_url)).rstrip("/")
    caller = authenticator.verify(request.headers.get("authorization"), base + request.url.path)
    request.state.audit.update(iss=caller.iss, jti=caller.jti)
    return caller


Authenticated = Annotated[Caller | None, Depends(authenticated)]
Body = Annotated[bytearray, Depends(raw_body)]


def json_response(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _service(service_id: str) -> ServiceDeclaration:
    service = SERVICES_BY_ID.get(service_id)
    if service is None:
        raise NotFound(f"no CDS service with id '{service_id[:64]}'", ["id"])
    return service


def discovery(terminology: Terminology = BUILT_IN) -> dict[str, Any]:
    """The discovery document; prefetch templates ask for the site's mapped Observation codes too."""
    services = [
        ServiceDescriptor(
            hook=s.hook,
            title=s.title,
            description=s.description,
            id=s.id,
            prefetch=s.prefetch_with(terminology) or None,
        )
        for s in SERVICES
    ]
    return DiscoveryResponse(services=services).model_dump(mode="json", exclude_none=True)


@router.get("/cds-services")
def get_discovery(request: Request, caller: Authenticated) -> Response:
    runtime: Runtime = request.app.state.runtime
    return json_response(discovery(runtime.terminology))


INLINE_MAX_BYTES = 1024 * 1024
"""Hook bodies up to this size are evaluated on the event loop when the call fetches nothing from a FHIR server:
pure CPU, up to ~20 ms for 1 MB, which a worker thread would spend the same way (one evaluation slot, one
interpreter lock) after a hop that costs more than a small call's own work; on the loop, calls are also answered
in the order they came. Larger bodies (about 100 ms for a 4.5 MB prefetch) and calls that may fetch run in the
thread pool, so that the loop keeps serving other connections meanwhile. A body declared larger, or not declared,
is read only once the call is admitted."""


@router.post("/cds-services/{service_id}")
async def call_service(service_id: str, request: Request) -> Response:
    caller = await authenticated(request)
    service = _service(service_id)
    request.state.audit["service"] = service.id
    declared = request.headers.get("content-length", "")
    small = declared.isdigit() and int(declared) <= INLINE_MAX_BYTES
    large_calls: LargeCalls = request.app.state.large_calls
    # A large body stays unread (in the socket) until the call is admitted.
    async with contextlib.nullcontext() if small else large_calls.admitted():
        return await _answer(service, PendingBody(await raw_body(request)), request, caller)


async def _answer(
    service: ServiceDeclaration, body: PendingBody, request: Request, caller: Caller | None
) -> Response:
    """Evaluated on the loop when small, prefetched and the slot is free; else in a worker thread."""
    runtime: Runtime = request.app.state.runtime
    parsed: tuple[Any] | None = None  # the JSON parsed here, handed on: a call that may fetch is parsed once
    if body.size <= INLINE_MAX_BYTES:
        with runtime.slots.held_if_free() as free:
            if free:
                data = parse_json_body(body.take(), request.headers.get("content-type"))
                if not (isinstance(data, dict) and data.get("fhirServer") is not None):
                    return _evaluate(service, data, body, request, runtime, caller)
                parsed = (data,)
    return await run_in_threadpool(_evaluate_in_slot, service, body, parsed, request, runtime, caller)


def _evaluate_in_slot(
    service: ServiceDeclaration,
    body: PendingBody,
    parsed: tuple[Any] | None,
    request: Request,
    runtime: Runtime,
    caller: Caller | None,
) -> Response:
    """The call in a worker thread: waits for an evaluation slot (given back while fetching from fhirServer)."""
    with runtime.slots.held():
        data = parsed[0] if parsed else parse_json_body(body.take(), request.headers.get("content-type"))
        return _evaluate(service, data, body, request, runtime, caller)


def _evaluate(
    service: ServiceDeclaration,
    data: Any,
    body: PendingBody,
    request: Request,
    runtime: Runtime,
    caller: Caller | None,
) -> Response:
    """The answer to one parsed hook request; records what the audit line, the metrics and the card log need."""
    if isinstance(data, dict) and isinstance(data.get("hookInstance"), str):
        request.state.audit["hookInstance"] = data["hookInstance"]
    base_url = runtime.settings.public_base_url or str(request.base_url)
    result = handle_hook(service, data, runtime, base_url, caller)
    request.state.audit["rules"] = [card["source"]["topic"]["code"] for card in result["cards"]]
    cards_returned(request, service.id, result["cards"])
    response = json_response(result)
    if body.size >= TRIM_AFTER_BYTES:  # once the answer is sent and the parsed body is gone
        response.background = BackgroundTask(release_free_memory)
    return response


@router.post("/cds-services/{service_id}/feedback")
def post_feedback(
    service_id: str,
    request: Request,
    caller: Authenticated,
    body: Body,
) -> Response:
    request.state.audit["service"] = _service(service_id).id
    data = parse_json_body(body, request.headers.get("content-type"))
    if isinstance(data, dict) and "feedback" not in data and "card" in data:
        data = {"feedback": [data]}  # tolerated: some clients post one unwrapped item
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object with a 'feedback' array", ["feedback"])
    feedback = validate(FeedbackRequest, data)
    stored = request.app.state.store.add(service_id, feedback.feedback)
    feedback_received(request, feedback.feedback)
    return json_response({"received": len(feedback.feedback), "stored": stored})


def _paraphrase(rule: Rule) -> str:
    """What the rule says, in our words: the first paragraph of its docstring, on one line."""
    doc = inspect.getdoc(rule.evaluate) or rule.title
    return " ".join(doc.split("\n\n")[0].split())


def _citing(short_name: str) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "title": r.title,
            "paraphrase": _paraphrase(r),
            "lines": [f"{c.first_line}-{c.last_line}" for c in r.citations if c.source == short_name],
        }
        for r in ALL_RULES
        if any(c.source == short_name for c in r.citations)
    ]


@router.get("/sources/{short_name}", response_model=None)
def get_source(short_name: str, request: Request) -> Response:
    source = SOURCES.get(short_name)
    if source is None:
        raise NotFound(f"no source named '{short_name[:64]}'", ["short_name"])
    body = {
        "shortName": source.short_name,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
        "covers": source.covers,
        "rules": _citing(short_name),
    }
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(body)
    rows = "".join(
        f"<li><strong>{html.escape(r['id'])}</strong>: {html.escape(r['title'])} "
        f"(lines {html.escape(', '.join(r['lines']))})<br>{html.escape(r['paraphrase'])}</li>"
        for r in _citing(short_name)
    )
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(source.title)}</title>"
        f"</head><body><h1>{html.escape(source.title)}</h1>"
        f"<p><strong>{html.escape(source.short_name)}</strong> — {html.escape(source.publisher)}; "
        f"date: {html.escape(source.date)}</p><p>{html.escape(source.covers)}</p>"
        f"<h2>Rules of this service that cite it</h2><ul>{rows}</ul></body></html>"
    )
    return HTMLResponse(page)
