"""A small in-test FHIR server: ThreadingHTTPServer on 127.0.0.1 (port 0) in a daemon thread.

Each route answers with a fixed `Reply` (status, JSON or raw body, headers, and an optional wait before answering);
unrouted paths answer 404. Every request is recorded (path with query, headers) so tests can say what was asked,
and with which token. A slow reply waits on an event that `stop()` sets, so shutting down never waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import orjson

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    json: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    wait: float = 0.0
    """Seconds to hold the answer back (released early when the server stops)."""
    drip: float = 0.0
    """Seconds between pieces of the body: a server that sends its body a few bytes at a time."""

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return b"" if self.json is None else orjson.dumps(self.json)


@dataclass(frozen=True)
class Seen:
    path: str
    """Path with its query, as the client sent it."""
    headers: dict[str, str]

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


def searchset(*resources: dict[str, Any], next_url: str | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r} for r in resources],
    }
    if next_url is not None:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


def outcome(code: str = "exception") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": "test outcome"}],
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    """A hook call opens one connection per prefetch key at once (ten of them); the default backlog of 5 drops
    connections under load, which then miss the client's connect timeout (a flaky 412)."""
    fake: FakeFhirServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        fake = cast(_Server, self.server).fake
        reply = fake.record_and_route(self.path, {k.lower(): v for k, v in self.headers.items()})
        if reply.wait and fake.released.wait(reply.wait):
            return  # the server is stopping: drop the connection
        body = reply.body()
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": FHIR_JSON, **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not reply.drip:
                self.wfile.write(body)
                return
            for start in range(0, len(body), 16):
                self.wfile.write(body[start : start + 16])
                self.wfile.flush()
                if fake.released.wait(reply.drip):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (deadline, size cap): expected in these tests

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeFhirServer:
    """Routes are keyed by path, with or without the query (an exact path-with-query wins)."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._routes: dict[str, Reply] = {}
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self.released = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base(self) -> str:
        """The FHIR base URL (what a request's fhirServer names)."""
        return f"{self.origin}/fhir"

    def route(self, path: str, reply: Reply) -> None:
        """`path` is relative to the FHIR base ("Patient/1", "MedicationRequest", "page2?x=1")."""
        with self._lock:
            self._routes[f"/fhir/{path.lstrip('/')}"] = reply

    def record_and_route(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self._seen.append(Seen(path, headers))
            reply = self._routes.get(path) or self._routes.get(path.split("?", 1)[0])
        return reply if reply is not None else Reply(404, outcome("not-found"))

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def hits(self, path: str) -> list[Seen]:
        """Requests to `path` (relative to the FHIR base, query ignored)."""
        wanted = f"/fhir/{path.lstrip('/')}"
        return [s for s in self.seen if s.path.split("?", 1)[0] == wanted]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def running_fake_fhir() -> Iterator[FakeFhirServer]:
    server = FakeFhirServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
