"""A body trickled in must not hold the worker's large-call slot (issue #18, item 7): before the fix, a chunked
body at one byte every 2 s kept other large calls waiting 42-43 s. The body now has a read deadline
(CDS_BODY_TIMEOUT_SECONDS): past it the call answers 408 (an OperationOutcome) and its slot is free."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import requests

from cds_service.app import create_app
from tests.conftest import FIXTURES, FROZEN_NOW, counting_uuids, load_json, suite_settings
from tests.live_server import free_port, serving

SERVICE = "/cds-services/peritoneal-metastasis-order-select"
REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"


def _trickle(port: int, seconds: float) -> bytes:
    """A chunked POST whose body sends one byte, then nothing for `seconds`; the raw answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST {SERVICE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n".encode()
        )
        sock.settimeout(seconds)
        try:
            return sock.recv(65536)
        except TimeoutError:
            return b""


def test_a_trickled_body_gets_408_and_frees_the_slot_for_the_next_large_call(tmp_path: Path) -> None:
    settings = suite_settings(
        tmp_path, dev=True, trusted_clients=None, body_timeout_seconds=0.5, max_concurrent_hooks=1
    )
    app = create_app(settings, clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())
    port = free_port()
    with serving(app, port) as base:
        answer = _trickle(port, seconds=5)
        # the slot is free again: a normal call is answered
        normal = requests.post(base + SERVICE, json=load_json(REQUEST), timeout=10)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert b"application/json" in head
    assert (
        json.loads(body.split(b"\r\n")[1] if b"chunked" in head.lower() else body)["issue"][0]["code"]
        == "timeout"
    )
    assert normal.status_code == 200
