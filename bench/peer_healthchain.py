"""The peer: HealthChain 0.16 doing this service's job its documented way, served like the service
(`uvicorn bench.peer_healthchain:create_app --factory`) so that `python -m bench` compares CPU per call.

A `HealthChainAPI` with one `CDSHooksService` answering both hooks under this service's ids; each handler turns the
request's prefetch into FHIR resources with `CdsFhirAdapter.parse` (as HealthChain's CDS examples do) and runs one
trivial rule: a card counting the patient's conditions. What is measured is the framework's own path from request
to FHIR objects to response, not rules. Imports only inside the peer's virtual environment (bench/peer_env.py):
HealthChain pins versions of FastAPI and fhir.resources of its own.
"""

from __future__ import annotations

from typing import Any

from healthchain.gateway import CDSHooksService, HealthChainAPI  # type: ignore[import-not-found]
from healthchain.gateway.cds import CDSHooksConfig  # type: ignore[import-not-found]
from healthchain.io import CdsFhirAdapter  # type: ignore[import-not-found]
from healthchain.models import Card, CDSRequest, CDSResponse  # type: ignore[import-not-found]

from bench.payloads import SERVICES


def create_app() -> Any:
    """The app, its hook routes at `/cds-services/<id>` as this service's (HealthChain's default prefix is `/cds`)."""
    cds = CDSHooksService(config=CDSHooksConfig(base_path=""))
    for hook, service_id in SERVICES.items():
        cds.hook(hook, id=service_id)(_handle)
    app = HealthChainAPI(title="HealthChain peer")
    app.register_service(cds)
    return app


def _handle(request: CDSRequest) -> CDSResponse:
    adapter = CdsFhirAdapter(hook_name=request.hook)
    document = adapter.parse(request)
    document.cds.cards = _rule(document.fhir.prefetch_resources)
    return adapter.format(document)


def _rule(prefetch: dict[str, Any]) -> list[Card]:
    """One card when the patient has conditions on record: enough for a rule to read the FHIR objects."""
    conditions = prefetch.get("conditions")
    found = len(conditions.entry or []) if conditions is not None and hasattr(conditions, "entry") else 0
    if not found:
        return []
    return [Card(summary=f"{found} conditions on record", indicator="info", source={"label": "peer"})]
