"""Limits on what a client may make the server hold before the app sees a request (issue #18, items 2, 7, 10).

uvicorn's default parser (httptools) buffers a request head of any size: a 64 MiB `Authorization` header cost
250 MB per connection, and a head trickled in was never timed out. `BoundedH11` is uvicorn's h11 protocol with
the head (request line and headers) bounded at `MAX_HEAD_BYTES` by h11 itself, and due within `HEAD_TIMEOUT_SECONDS`
of its first byte; `HeaderLimits` refuses any single header over `MAX_HEADER_BYTES`. Every refusal is an
OperationOutcome (431 too large, 408 too slow, 400 unparseable), never uvicorn's text/plain.
"""

from __future__ import annotations

import asyncio

import h11
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from cds_service.errors import operation_outcome

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus all headers."""
MAX_HEADER_BYTES = 16 * 1024
"""One header's name and value."""
HEAD_TIMEOUT_SECONDS = 10.0
"""From a request's first byte to the end of its headers."""
LINGER_SECONDS = 2.0
"""After a refusal, how long the rest of what the client sends is read and dropped before the connection closes:
closing on unread data would reset the connection, and the client might lose the answer."""

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def outcome_bytes(status: int, message: str, issue_code: str) -> bytes:
    """A whole HTTP/1.1 response carrying an OperationOutcome, closing the connection."""
    body = orjson.dumps(operation_outcome(message, issue_code))
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
        % (status, _REASONS[status], len(body))
    )
    return head + body


class BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with a bounded, timed request head; its refusals are OperationOutcomes. Run with
    `h11_max_incomplete_event_size=MAX_HEAD_BYTES` (peritoneal-cds serve does)."""

    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0
    _refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering after a refusal: dropped unread
        if self.conn.their_state is h11.IDLE:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(HEAD_TIMEOUT_SECONDS, self._head_too_slow)
            # h11 bounds only a head still incomplete: one that arrives whole in a large read is measured here
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4
            if self._head_bytes > MAX_HEAD_BYTES:
                self._disarm()
                self._refuse(
                    431, f"the request line and headers are larger than {MAX_HEAD_BYTES} bytes", "too-costly"
                )
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        oversized = len(self.conn.trailing_data[0]) >= MAX_HEAD_BYTES
        self._disarm()
        if oversized:
            self._refuse(
                431, f"the request line and headers are larger than {MAX_HEAD_BYTES} bytes", "too-costly"
            )
        else:
            self._refuse(400, "the request is not valid HTTP/1.1", "invalid")

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._refuse(
                408, f"the request headers did not arrive within {HEAD_TIMEOUT_SECONDS:g} s", "timeout"
            )

    def _refuse(self, status: int, message: str, issue_code: str) -> None:
        self.logger.warning("request refused before the app: %d %s", status, message)
        if self.transport.is_closing():
            return
        self._refused = True
        self.transport.write(outcome_bytes(status, message, issue_code))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _disarm(self) -> None:
        self._head_bytes = 0
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None


class HeaderLimits:
    """Refuses (431) a request with any single header over `MAX_HEADER_BYTES`, before the app reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            len(name) + len(value) > MAX_HEADER_BYTES for name, value in scope.get("headers", ())
        ):
            body = orjson.dumps(
                operation_outcome(f"a request header is larger than {MAX_HEADER_BYTES} bytes", "too-costly")
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 431,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"%d" % len(body)),
                        (b"connection", b"close"),  # no second request on a connection that sent such headers
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
