"""Operations and analytics routes, and what the CDS routes report to them.

`/healthz` (the process answers), `/readyz` (the store's database is reachable) and `/metrics` (Prometheus) need
no client JWT: an orchestrator and a scraper call them; restrict `/metrics` by network if it must not be public.
They are left out of the OpenAPI document (operations, not API). `/analytics/feedback` is behind the same JWT
authentication as the CDS endpoints.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cds_service.analytics import feedback_report
from cds_service.errors import operation_outcome
from cds_service.metrics import metrics_of
from cds_service.serving import json_response as _json
from cds_service.web.routes import Authenticated

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz() -> Response:
    return _json({"status": "ok"})


@router.get("/readyz", include_in_schema=False)
def readyz(request: Request) -> Response:
    try:
        request.app.state.store.ping()
    except Exception as exc:
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return _json(operation_outcome("the database is unreachable", "transient"), status=503)
    return _json({"status": "ready"})


@router.get("/metrics", include_in_schema=False)
def get_metrics(request: Request) -> Response:
    metrics = metrics_of(request.app.state)
    if metrics is None:
        return _json(operation_outcome("metrics are not enabled", "not-supported"), status=404)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


@router.get("/analytics/feedback")
def get_feedback_report(request: Request, caller: Authenticated) -> Response:
    request.app.state.card_log.flush()  # the cards this process showed up to now are in the report
    return _json(feedback_report(request.app.state.store))
