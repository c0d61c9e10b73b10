"""Memory per worker with many clients: a large hook call waits for admission on the event loop with its body
unread (the bytes stay in the socket), a small one is never held there, and a call whose client gave up while
waiting is not evaluated. The raw body is let go of once parsed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from cds_service import pipeline, serving
from cds_service.app import create_app
from cds_service.serving import LargeCalls, PendingBody
from tests.asgi_post import AsgiPost
from tests.conftest import FIXTURES, load_json, suite_settings

ORDER_SELECT = "/cds-services/peritoneal-metastasis-order-select"
REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"
WAIT = 0.2
"""Long enough for an unheld call to read its body and be answered."""


def small_body() -> bytes:
    return json.dumps(load_json(REQUEST)).encode()


def large_body() -> bytes:
    return small_body() + b" " * serving.INLINE_MAX_BYTES  # the same JSON, past the inline size


def unauthenticated_app(tmp_path: Path) -> FastAPI:
    return create_app(suite_settings(tmp_path, trusted_clients=None))


def while_admission_is_taken(app: FastAPI, call: AsgiPost, check: Callable[[], None]) -> None:
    """Start `call` while another large call holds the only admission; `check` runs before that one leaves."""

    async def scenario() -> None:
        large_calls: LargeCalls = app.state.serving.large_calls
        async with large_calls.admitted():
            task = asyncio.create_task(call.run(app))
            await asyncio.sleep(WAIT)
            check()
        await asyncio.wait_for(task, 30)

    asyncio.run(scenario())


def test_a_large_call_waits_for_admission_with_its_body_unread(tmp_path: Path) -> None:
    app = unauthenticated_app(tmp_path)
    call = AsgiPost(ORDER_SELECT, large_body())

    def unread() -> None:
        assert call.reads == 0
        assert call.status is None

    while_admission_is_taken(app, call, unread)
    assert call.reads == 1  # read once admitted
    assert call.status == 200


def test_a_small_call_is_not_held_behind_a_large_one(tmp_path: Path) -> None:
    app = unauthenticated_app(tmp_path)
    call = AsgiPost(ORDER_SELECT, small_body())

    def answered() -> None:
        assert call.status == 200

    while_admission_is_taken(app, call, answered)


def test_a_call_whose_client_left_while_it_waited_is_not_evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated: list[Any] = []
    monkeypatch.setattr(pipeline, "envelope", lambda *args: evaluated.append(args))
    app = unauthenticated_app(tmp_path)
    call = AsgiPost(ORDER_SELECT, large_body(), gone=True)
    while_admission_is_taken(app, call, lambda: None)
    assert call.status == 499
    assert evaluated == []


def test_large_calls_are_admitted_one_per_slot_first_come_first_served() -> None:
    entered: list[str] = []

    async def scenario() -> None:
        gate = LargeCalls(evaluation_slots=1)
        leave = {name: asyncio.Event() for name in "abc"}

        async def call(name: str) -> None:
            async with gate.admitted():
                entered.append(name)
                await leave[name].wait()

        tasks = [asyncio.create_task(call(name)) for name in "abc"]
        await asyncio.sleep(0.05)
        assert entered == ["a"]
        leave["a"].set()
        await asyncio.sleep(0.05)
        assert entered == ["a", "b"]
        leave["b"].set()
        leave["c"].set()
        await asyncio.gather(*tasks)

    asyncio.run(scenario())
    assert entered == ["a", "b", "c"]


def test_a_pending_body_is_handed_to_the_parser_once_and_let_go_of() -> None:
    body = PendingBody(bytearray(b'{"hook": "order-select"}'))
    assert body.take() == b'{"hook": "order-select"}'
    assert body.size == 24  # still known: it decides the heap trim
    with pytest.raises(RuntimeError):
        body.take()
