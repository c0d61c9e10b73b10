"""The app factory: settings, clock, uuid factory, store and thread pool are built here once and injected."""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_service.auth.caller import AuthFailed
from cds_service.auth.clients import TrustedClients, load_trusted_clients
from cds_service.auth.keys import Fetch, KeyCache, fetch_jwks
from cds_service.auth.replay import ReplayGuard
from cds_service.card_log import ShownCardLog
from cds_service.clock import Clock, UuidFactory, system_clock, time_ordered_uuid
from cds_service.errors import CdsError, ConfigError, operation_outcome
from cds_service.fhir_refusal import plain_http_warnings
from cds_service.gc_settings import freeze_start_up, raise_gen0_threshold
from cds_service.metrics import Metrics, request_observer
from cds_service.pipeline import Runtime
from cds_service.serving import Serving
from cds_service.settings import Settings
from cds_service.site_codes import site_terminology
from cds_service.store import DeferredSqlStore, Store
from cds_service.web import ops, preview, routes, sources, terminology
from cds_service.web.audit import AuditMiddleware, clip
from cds_service.web.cors import OutcomeCors
from cds_service.web.http_limits import HeaderLimits

if TYPE_CHECKING:
    from cds_service.auth.verify import Authenticator

log = logging.getLogger(__name__)

_HTTP_ISSUE_CODES = {404: "not-found", 405: "not-supported", 413: "too-costly"}
EMITTED_RESOURCE_TYPES = ("MedicationRequest", "ServiceRequest", "Appointment")
"""Resource types that suggestion actions carry (validated with fhir.resources): their models are loaded once
after start-up rather than inside the first call that needs them."""
SETTLE_AFTER_SECONDS = 1.0
"""How long after start-up the models load: loading them at once would hold the interpreter lock while uvicorn
opens its socket, and delay the first answer."""
LOADED_BEFORE_FREEZE = ("cds_service.sql_store", "cds_service.instruments")
"""Modules kept off the start-up path (SQLAlchemy for the store, prometheus-client for the metrics: each is
imported at its first use) that the settle timer imports, so that the freeze covers their objects."""


def load_deferred() -> None:
    """Load what start-up left for later (the models of emitted resources, the store's SQLAlchemy, the metrics'
    prometheus-client), then freeze what start-up built so that no collection walks it again."""
    with contextlib.suppress(Exception):
        from fhir.resources.R4B import get_fhir_model_class

        for name in EMITTED_RESOURCE_TYPES:
            get_fhir_model_class(name)
    # Imported before the freeze: else every collection of the oldest generation walks their hundreds of
    # thousands of objects.
    for module in LOADED_BEFORE_FREEZE:
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    freeze_start_up()


@functools.cache
def settle_process() -> None:
    """Once per process, after start-up: raise the gen-0 threshold, and load what was deferred a little later in
    the background (the service answers meanwhile)."""
    raise_gen0_threshold()
    timer = threading.Timer(SETTLE_AFTER_SECONDS, load_deferred)
    timer.name, timer.daemon = "settle", True
    timer.start()


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = system_clock,
    new_uuid: UuidFactory = time_ordered_uuid,
    store: Store | None = None,
    fetch_jwks: Fetch = fetch_jwks,
) -> FastAPI:
    """The ASGI app. Raises ConfigError when the settings cannot make a safe service (no trusted clients
    outside --dev, an unreadable trusted-clients file, no public base URL to check `aud` against, a site-codes
    file that does not validate)."""
    settings = settings or Settings()
    site_codes = site_terminology(settings.site_codes)  # read once; a bad file stops start-up (file:line)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # HTTP client libraries log request lines, FHIR search queries (patient ids) included: never below WARNING.
    for noisy in ("urllib3", "requests", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="fhir-fetch")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settle_process()
        yield
        executor.shutdown(wait=False, cancel_futures=True)
        app.state.card_log.close()

    app = FastAPI(
        title="peritoneal-cds",
        version="0.1.0",
        description="CDS Hooks 2.0 service for peritoneal metastasis guideline logic.",
        lifespan=lifespan,
        # the API's own description is for developers: served in --dev only
        docs_url="/docs" if settings.dev else None,
        redoc_url="/redoc" if settings.dev else None,
        openapi_url="/openapi.json" if settings.dev else None,
    )
    app.state.metrics = Metrics()
    app.state.runtime = Runtime(
        settings=settings,
        clock=clock,
        new_uuid=new_uuid,
        executor=executor,
        observe_fetch=app.state.metrics.prefetch_fetched,
        terminology=site_codes,
    )
    app.state.serving = Serving(app.state.runtime, settings.max_concurrent_hooks)
    app.state.store = store if store is not None else DeferredSqlStore(settings.database_url, clock)
    app.state.card_log = ShownCardLog(app.state.store)
    replay = ReplayGuard(app.state.store, clock, settings.replay_strict, app.state.metrics.replay_degraded)
    app.state.authenticator = _authenticator(settings, replay, clock, fetch_jwks)
    app.add_middleware(CatchAll)
    app.add_middleware(AuditMiddleware, clock=clock, observers=[request_observer(app.state.metrics)])
    app.add_middleware(
        OutcomeCors,
        allow_origins=settings.allowed_cors_origins(),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(HeaderLimits)
    _install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(sources.router)  # /sources, /sources/{short_name}: HTML or JSON (no JWT)
    app.include_router(ops.router)  # /healthz, /readyz, /metrics (no JWT); /analytics/feedback (JWT)
    app.include_router(terminology.router)  # /fhir/CodeSystem/pm-concepts, /fhir/ValueSet[/{id}] (no JWT)
    preview.install(app, settings)  # GET /preview: on in --dev, else only with CDS_PREVIEW=true
    return app


def trusted_clients(settings: Settings) -> TrustedClients | None:
    """The validated trusted clients; None only in --dev without a file. ConfigError says what is missing."""
    if settings.trusted_clients is None:
        if not settings.dev:
            raise ConfigError(
                "CDS_TRUSTED_CLIENTS is not set: outside --dev every call must be authenticated, and no client is "
                "trusted. Write a trusted-clients file (see README) and name it in CDS_TRUSTED_CLIENTS."
            )
        return None
    if not settings.dev and not settings.public_base_url:
        raise ConfigError("CDS_PUBLIC_BASE_URL is not set: it is the audience every client JWT must name")
    return load_trusted_clients(settings.trusted_clients)


def _authenticator(
    settings: Settings, replay: ReplayGuard, clock: Clock, fetch: Fetch
) -> Authenticator | None:
    clients = trusted_clients(settings)
    if clients is None:
        return None
    _warn_of_http_fhir_servers(settings, clients)
    from cds_service.auth.verify import Authenticator  # PyJWT and cryptography: only with trusted clients

    return Authenticator(
        clients,
        KeyCache(fetch=fetch),
        replay,
        clock,
        algorithms=tuple(settings.jwt_algorithms),
        leeway_seconds=settings.jwt_leeway_seconds,
        max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
    )


def _warn_of_http_fhir_servers(settings: Settings, clients: TrustedClients) -> None:
    """Outside --dev an http:// fhirServer is refused at every call: say so once, at start-up."""
    if settings.dev:
        return
    for client in clients.clients:
        for warning in plain_http_warnings(client.fhir_servers):
            log.warning("trusted client %s: %s", client.iss, warning)
    for warning in plain_http_warnings(settings.fhir_servers):
        log.warning("CDS_FHIR_SERVERS: %s", warning)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthFailed)
    async def unauthorized(request: Request, exc: AuthFailed) -> JSONResponse:
        log.warning("authentication failed: check=%s iss=%s jti=%s", exc.check, clip(exc.iss), clip(exc.jti))
        return JSONResponse(
            operation_outcome("unauthorized", "login"),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(CdsError)
    async def domain_error(request: Request, exc: CdsError) -> JSONResponse:
        log.info("%s %s -> %d %s", request.method, request.url.path, exc.status, exc.issue_code)
        return JSONResponse(
            operation_outcome(exc.message, exc.issue_code, exc.fields), status_code=exc.status
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
        return JSONResponse(operation_outcome("invalid request", "invalid", fields), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_ISSUE_CODES.get(exc.status_code, "processing")
        return JSONResponse(
            operation_outcome(str(exc.detail), code), status_code=exc.status_code, headers=exc.headers
        )


class CatchAll:
    """Innermost safety net: an unexpected exception becomes a 500 OperationOutcome without a traceback.

    It sits inside the CORS middleware (unlike Starlette's outermost error handler), so even a 500 carries
    the CORS headers a browser-based EHR needs to read it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("%s %s -> 500 %s", scope.get("method"), scope.get("path"), type(exc).__name__)
            if started:
                raise
            response = JSONResponse(operation_outcome("internal error", "exception"), status_code=500)
            await response(scope, receive, send)
