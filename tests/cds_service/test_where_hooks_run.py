"""Where a hook call is evaluated: a small prefetched call on the event loop (no thread hop, which costs more
than the call's own work), everything that may block or is large in the thread pool, with the same answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.concurrency import run_in_threadpool

from cds_service import serving
from cds_service.protocol.parse import parse_hook_body
from cds_service.web import routes
from tests.conftest import FIXTURES, load_json, make_client, suite_settings

ORDER_SELECT = "/cds-services/peritoneal-metastasis-order-select"
REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions the hook route (and the serving of its call) hands to the thread pool."""
    seen: list[str] = []

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(func.__name__)
        return await run_in_threadpool(func, *args, **kwargs)

    monkeypatch.setattr(routes, "run_in_threadpool", counting)
    monkeypatch.setattr(serving, "run_in_threadpool", counting)
    return seen


def summaries(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["summary"] for card in response.json()["cards"]]


def unauthenticated(tmp_path: Path) -> Any:
    return make_client(suite_settings(tmp_path, trusted_clients=None))


def test_a_small_prefetched_call_is_evaluated_without_a_thread_hop(tmp_path: Path, hops: list[str]) -> None:
    with unauthenticated(tmp_path) as client:
        cards = summaries(client.post(ORDER_SELECT, json=load_json(REQUEST)))
    assert cards and cards[0].startswith("Withhold bevacizumab")
    assert hops == []


def test_an_authenticated_small_call_hops_only_to_check_its_token(tmp_path: Path, hops: list[str]) -> None:
    with make_client(suite_settings(tmp_path)) as client:
        cards = summaries(client.post(ORDER_SELECT, json=load_json(REQUEST)))
    assert cards and cards[0].startswith("Withhold bevacizumab")
    assert hops == ["_verify"]


def test_a_body_past_the_inline_size_is_evaluated_in_a_thread_with_the_same_cards(
    tmp_path: Path, hops: list[str]
) -> None:
    request = load_json(REQUEST)
    padded = json.dumps(request).encode() + b" " * serving.INLINE_MAX_BYTES  # the same JSON, a larger body
    with unauthenticated(tmp_path) as client:
        inline = summaries(client.post(ORDER_SELECT, json=request))
        threaded = summaries(
            client.post(ORDER_SELECT, content=padded, headers={"Content-Type": "application/json"})
        )
    assert threaded == inline
    assert hops == ["_evaluate_in_slot"]


def test_a_call_naming_a_fhir_server_is_evaluated_in_a_thread_and_parsed_once(
    tmp_path: Path, hops: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It may fetch (blocking I/O); here the server is not allowed, so the prefetch answers as before."""
    parses: list[int] = []

    def counting_parse(body: bytes, content_type: str | None, keys: frozenset[str]) -> Any:
        parses.append(len(body))
        return parse_hook_body(body, content_type, keys)

    monkeypatch.setattr(serving, "parse_hook_body", counting_parse)
    request = load_json(REQUEST)
    request["fhirServer"] = "https://ehr.example.org/fhir"
    with unauthenticated(tmp_path) as client:
        cards = summaries(client.post(ORDER_SELECT, json=request))
    assert cards and cards[0].startswith("Withhold bevacizumab")
    assert hops == ["_evaluate_in_slot"]
    assert len(parses) == 1  # parsed on the loop, handed to the thread as it is


def test_a_call_finding_the_evaluation_slot_taken_waits_for_it_in_a_thread(
    tmp_path: Path, hops: list[str]
) -> None:
    with unauthenticated(tmp_path) as client:
        slots = client.app.state.serving.slots
        taken, leave = threading.Event(), threading.Event()

        def hold() -> None:
            with slots.held():
                taken.set()
                leave.wait(5)

        holder = threading.Thread(target=hold)
        holder.start()
        assert taken.wait(5)
        threading.Timer(0.2, leave.set).start()
        cards = summaries(client.post(ORDER_SELECT, json=load_json(REQUEST)))
        holder.join()
    assert cards and cards[0].startswith("Withhold bevacizumab")
    assert hops == ["_evaluate_in_slot"]


def test_a_malformed_small_body_is_still_a_400_naming_the_problem(tmp_path: Path, hops: list[str]) -> None:
    with unauthenticated(tmp_path) as client:
        response = client.post(
            ORDER_SELECT, content=b'{"hook": ', headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert "not valid JSON" in response.text
    assert hops == []
