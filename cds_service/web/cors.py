"""CORS for browser-based clients (the CDS Hooks sandbox is one): Starlette's middleware, with a refused preflight
answered as an OperationOutcome (every error of the service is one) and its origin logged once per process, so
that an operator sees which browser client to add to CDS_CORS_ORIGINS."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp

from cds_service.errors import operation_outcome

log = logging.getLogger(__name__)
MAX_LOGGED_ORIGINS = 100
"""Distinct refused origins logged per process, at most (a caller could send endless made-up ones)."""


class OutcomeCors(CORSMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Sequence[str],
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        max_age: int,
    ) -> None:
        super().__init__(
            app,
            allow_origins=allow_origins,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            max_age=max_age,
        )
        self._logged: set[str] = set()
        self._lock = threading.Lock()

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")
        origin = request_headers.get("origin", "")
        self._log_once(origin, reason)
        headers = {
            k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")
        }
        return JSONResponse(operation_outcome(reason, "forbidden"), status_code=400, headers=headers)

    def _log_once(self, origin: str, reason: str) -> None:
        with self._lock:
            if origin in self._logged or len(self._logged) >= MAX_LOGGED_ORIGINS:
                return
            self._logged.add(origin)
        log.warning(
            "CORS preflight refused (%s) for origin %s: add it to CDS_CORS_ORIGINS if it is a client",
            reason,
            origin[:200],
        )
