"""Limits before the app (issue #18, items 2, 7 and 10): a huge header or query string is a 431 OperationOutcome
(before: a 64 MiB Authorization header cost 250 MB a connection, a 64 KiB query string answered text/plain), a
request head trickled in is a 408, and unparseable HTTP is a 400 OperationOutcome. Served as `peritoneal-cds
serve` serves: uvicorn with the BoundedH11 protocol and h11's head bound."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from cds_service.app import create_app
from cds_service.web import http_limits
from cds_service.web.http_limits import MAX_HEAD_BYTES, MAX_HEADER_BYTES, BoundedH11
from tests.conftest import FROZEN_NOW, counting_uuids, suite_settings
from tests.live_server import free_port


@pytest.fixture
def port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setattr(http_limits, "HEAD_TIMEOUT_SECONDS", 0.5)
    app = create_app(
        suite_settings(tmp_path, dev=True, trusted_clients=None),
        clock=lambda: FROZEN_NOW,
        new_uuid=counting_uuids(),
    )
    number = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=number,
        log_level="warning",
        http=BoundedH11,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield number
    server.should_exit = True
    thread.join(timeout=10)


def exchange(port: int, raw: bytes, wait: float = 5.0) -> tuple[int, dict[str, str], dict[str, object]]:
    """Send `raw`, read the answer until the server closes; its status, headers and JSON body."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)  # the server may answer and stop reading while this is still sending
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, json.loads(body)


def test_a_huge_authorization_header_is_431_before_it_is_buffered(port: int) -> None:
    raw = (
        b"GET /cds-services HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + b"a" * (4 * MAX_HEAD_BYTES)
        + b"\r\n\r\n"
    )
    status, headers, body = exchange(port, raw)
    assert (status, headers["content-type"]) == (431, "application/json")
    assert body["resourceType"] == "OperationOutcome"


def test_a_64_kib_query_string_is_an_operation_outcome(port: int) -> None:
    raw = b"GET /cds-services?" + b"q" * MAX_HEAD_BYTES + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, headers, body = exchange(port, raw)
    assert (status, headers["content-type"], body["resourceType"]) == (
        431,
        "application/json",
        "OperationOutcome",
    )


def test_one_header_over_its_own_limit_is_431(port: int) -> None:
    raw = b"GET /cds-services HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * MAX_HEADER_BYTES + b"\r\n\r\n"
    status, _, body = exchange(port, raw)
    assert status == 431 and "header" in str(body["issue"])


def test_a_head_trickled_in_is_408(port: int) -> None:
    status, headers, body = exchange(port, b"GET /cds-services HTTP/1.1\r\nHost: x\r\n")
    assert (status, headers["content-type"]) == (408, "application/json")
    assert body["issue"][0]["code"] == "timeout"  # type: ignore[index]


def test_garbage_is_a_400_operation_outcome(port: int) -> None:
    status, headers, body = exchange(port, b"NOT HTTP AT ALL\r\n\r\n")
    assert (status, headers["content-type"], body["resourceType"]) == (
        400,
        "application/json",
        "OperationOutcome",
    )


def test_a_normal_request_on_the_same_server_is_answered(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /cds-services HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
