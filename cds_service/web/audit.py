"""One structured JSON line per CDS call: who called (iss, jti), which service and hookInstance, the status,
the latency and the rule ids of the cards returned. Never patient data, never a token."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cds_service.clock import Clock
from cds_service.metrics import RequestObserver

audit_log = logging.getLogger("peritoneal_cds.audit")
MAX_FIELD = 200
AUDITED = ("/cds-services", "/analytics")
"""Path prefixes of authenticated endpoints: each call is audited (and the JWT checks record iss and jti)."""


def clip(value: object) -> object:
    """Strings that reach the log are truncated: they may come from the caller."""
    return value[:MAX_FIELD] if isinstance(value, str) else value


class AuditMiddleware:
    """Writes the audit line of each authenticated call, and hands its status and duration to the observers
    (the metrics): one layer captures them for both."""

    def __init__(self, app: ASGIApp, clock: Clock, observers: Sequence[RequestObserver] = ()) -> None:
        self.app = app
        self.clock = clock
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(AUDITED):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        record: dict[str, Any] = {}
        scope.setdefault("state", {})["audit"] = record

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            for observe in self.observers:
                observe(str(scope.get("path", "")), status, elapsed)
            line = {
                "time": self.clock().isoformat(),
                "method": scope.get("method"),
                "path": clip(scope.get("path")),
                "status": status,
                "latency_ms": round(elapsed * 1000, 2),
                **{k: clip(v) for k, v in record.items()},
            }
            audit_log.info(orjson.dumps(line).decode())
