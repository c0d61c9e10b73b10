"""HTTP routes. Endpoints that may block (FHIR fetches, database) are plain `def`: FastAPI runs them in its
thread pool. The hook and feedback endpoints are async: how a call is served (admission of large bodies,
evaluation slots, event loop or thread pool, heap trimming) is cds_service.serving's business; this module notes
what the audit line, the metrics and the card log need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cds_service.auth.caller import Caller
from cds_service.errors import MalformedRequest, NotFound
from cds_service.pipeline import HookResult, Runtime
from cds_service.protocol.models import DiscoveryResponse, FeedbackRequest, HookRequest, ServiceDescriptor
from cds_service.protocol.parse import validate
from cds_service.serving import Serving, json_response
from cds_service.web.observe import cards_returned, feedback_received
from fhir_mappings.terminology import BUILT_IN, Terminology
from hooks.services import SERVICES, SERVICES_BY_ID, ServiceDeclaration

if TYPE_CHECKING:
    from cds_service.auth.verify import Authenticator  # PyJWT: imported by the app only with trusted clients

router = APIRouter()


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


class _Noted:
    """What a hook call leaves for the audit line, the metrics and the card log."""

    def __init__(self, request: Request, service: ServiceDeclaration) -> None:
        self._request, self._service = request, service

    def validated(self, hook_request: HookRequest) -> None:
        self._request.state.audit["hookInstance"] = hook_request.hookInstance

    def answered(self, result: HookResult) -> None:
        self._request.state.audit["rules"] = [c.rule_id for c in result.cards]
        cards_returned(self._request, self._service.id, result.cards)


@router.post("/cds-services/{service_id}")
async def call_service(service_id: str, request: Request) -> Response:
    caller = await authenticated(request)
    service = _service(service_id)
    request.state.audit["service"] = service.id
    serving: Serving = request.app.state.serving
    base_url = serving.runtime.settings.public_base_url or str(request.base_url)
    return await serving.serve_hook(service, request, base_url, caller, _Noted(request, service))


def _feedback_request(data: Any) -> FeedbackRequest:
    if isinstance(data, dict) and "feedback" not in data and "card" in data:
        data = {"feedback": [data]}  # tolerated: some clients post one unwrapped item
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object with a 'feedback' array", ["feedback"])
    return validate(FeedbackRequest, data)


@router.post("/cds-services/{service_id}/feedback")
async def post_feedback(service_id: str, request: Request) -> Response:
    """Admitted as a hook call is (cds_service.serving): a large feedback body costs what a large hook body does."""
    await authenticated(request)
    service = _service(service_id)
    request.state.audit["service"] = service.id
    serving: Serving = request.app.state.serving

    def store(feedback: FeedbackRequest) -> Response:
        stored = request.app.state.store.add(service.id, feedback.feedback)
        feedback_received(request, feedback.feedback)
        return json_response({"received": len(feedback.feedback), "stored": stored})

    return await serving.serve_body(request, _feedback_request, store)
