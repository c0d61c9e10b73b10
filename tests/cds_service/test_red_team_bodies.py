"""Issue #18, items 1 and 4. (1) A body of a million bad elements is one small 400, not one issue per element:
arrays are refused by length before their elements are validated, an OperationOutcome names at most
MAX_LISTED_FIELDS fields and counts the rest, and a feedback body is admitted as a hook body is. (4) Feedback that
PostgreSQL would refuse (a value too long for its column, a NUL, a timestamp past nanoseconds) is a 400 naming the
field on either store, and nothing of it is stored.

PostgreSQL comes from CDS_TEST_POSTGRES_URL (see tests/postgres.py): skipped when down, failed under
CDS_REQUIRE_POSTGRES=1."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL

from cds_service import serving
from cds_service.app import create_app
from cds_service.errors import MAX_LISTED_FIELDS
from cds_service.protocol.models import FEEDBACK_ID_MAX, MAX_FEEDBACK_ITEMS
from cds_service.serving import LargeCalls
from cds_service.settings import MAX_BUNDLE_ENTRIES
from cds_service.sql_store import SqlStore
from tests.asgi_post import AsgiPost
from tests.conftest import (
    FIXTURES,
    FROZEN_NOW,
    CheckedClient,
    counting_uuids,
    feedback_item,
    load_json,
    suite_settings,
)
from tests.postgres import libpq, own_schema, reachable_postgres

SERVICE = "peritoneal-metastasis-order-sign"
FEEDBACK = f"/cds-services/{SERVICE}/feedback"
ORDER_SELECT = "/cds-services/peritoneal-metastasis-order-select"
ORDER_SELECT_REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"
MILLION = 1_000_000
SMALL_ANSWER = 8 * 1024
"""Bytes: 21 issues fit in a few kilobytes; one issue per element of a million was 160 MB."""
WAIT = 0.2
"""Long enough for an unheld call to read its body and be answered."""


def _outcome(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text[:500]
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    issues: list[dict[str, Any]] = body["issue"]
    return issues


def _expressions(response: Any) -> list[str]:
    return [e for issue in _outcome(response) for e in issue.get("expression", [])]


def _post(client: CheckedClient, path: str, body: bytes) -> Any:
    return client.post(path, content=body, headers={"Content-Type": "application/json"})


def _stored(client: CheckedClient) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = client.app.state.store.items(SERVICE)  # type: ignore[attr-defined]
    return rows


# --- 1. a million elements -------------------------------------------------------------------------------------


def _hook_body(where: str, elements: list[Any]) -> bytes:
    request = copy.deepcopy(load_json(ORDER_SELECT_REQUEST))
    if where == "selections":
        request["context"]["selections"] = elements
    else:
        request["context"]["draftOrders"]["entry"] = elements
    return json.dumps(request).encode()


def test_a_feedback_array_of_a_million_elements_is_one_small_issue_naming_it(client: CheckedClient) -> None:
    body = b'{"feedback":[' + b"0," * (MILLION - 1) + b"0]}"

    response = _post(client, FEEDBACK, body)

    assert _expressions(response) == ["feedback"]
    assert len(response.content) < SMALL_ANSWER


@pytest.mark.parametrize(
    ("where", "field"), [("selections", "context.selections"), ("entry", "context.draftOrders.entry")]
)
def test_a_hook_array_of_a_million_elements_is_one_small_issue_naming_it(
    client: CheckedClient, where: str, field: str
) -> None:
    response = _post(client, ORDER_SELECT, _hook_body(where, [0] * MILLION))

    assert _expressions(response) == [field]
    assert len(response.content) < SMALL_ANSWER


def test_a_bundle_of_draft_orders_past_the_limit_is_refused_before_its_entries_are_read(
    client: CheckedClient,
) -> None:
    response = _post(client, ORDER_SELECT, _hook_body("entry", [0] * (MAX_BUNDLE_ENTRIES + 1)))
    assert _expressions(response) == ["context.draftOrders.entry"]


def test_more_bad_fields_than_listed_are_counted_in_one_last_issue(client: CheckedClient) -> None:
    response = _post(client, FEEDBACK, json.dumps({"feedback": [0] * 50}).encode())

    issues = _outcome(response)
    assert len(issues) == MAX_LISTED_FIELDS + 1
    assert [issue["expression"] for issue in issues[:-1]] == [[f"feedback[{i}]"] for i in range(20)]
    assert "expression" not in issues[-1]
    assert issues[-1]["diagnostics"].startswith("30 more invalid fields")


def test_bad_suggestions_count_once_per_item(client: CheckedClient) -> None:
    """A hundred bad suggestions in each of a thousand items are a thousand errors, not a hundred thousand."""
    item = feedback_item(outcome="accepted", acceptedSuggestions=[0] * 100)

    response = _post(client, FEEDBACK, json.dumps({"feedback": [item] * MAX_FEEDBACK_ITEMS}).encode())

    issues = _outcome(response)
    assert issues[0]["expression"] == ["feedback[0].acceptedSuggestions[0]"]
    assert issues[-1]["diagnostics"].startswith(f"{MAX_FEEDBACK_ITEMS - MAX_LISTED_FIELDS} more")
    assert len(response.content) < SMALL_ANSWER


def test_feedback_items_up_to_the_cap_are_stored_and_one_more_is_a_400(client: CheckedClient) -> None:
    items = [feedback_item(card=f"card-{i}") for i in range(MAX_FEEDBACK_ITEMS + 1)]

    too_many = client.post(FEEDBACK, json={"feedback": items})
    at_the_cap = client.post(FEEDBACK, json={"feedback": items[:-1]})

    assert _expressions(too_many) == ["feedback"]
    assert at_the_cap.status_code == 200, at_the_cap.text
    assert at_the_cap.json() == {"received": MAX_FEEDBACK_ITEMS, "stored": MAX_FEEDBACK_ITEMS}


# --- 1. feedback is admitted as a hook call is ------------------------------------------------------------------


def _feedback_body(padding: int = 0) -> bytes:
    return json.dumps({"feedback": [feedback_item()]}).encode() + b" " * padding


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(suite_settings(tmp_path, trusted_clients=None))


def test_a_large_feedback_body_waits_for_admission_unread(app: FastAPI) -> None:
    post = AsgiPost(FEEDBACK, _feedback_body(padding=serving.INLINE_MAX_BYTES))
    seen: list[tuple[int, int | None]] = []

    async def scenario() -> None:
        large_calls: LargeCalls = app.state.serving.large_calls
        async with large_calls.admitted():
            task = asyncio.create_task(post.run(app))
            await asyncio.sleep(WAIT)
            seen.append((post.reads, post.status))
        await asyncio.wait_for(task, 30)

    asyncio.run(scenario())
    assert seen == [(0, None)]  # nothing read while another large call held the admission
    assert post.status == 200


def test_a_feedback_body_is_validated_in_an_evaluation_slot(app: FastAPI) -> None:
    post = AsgiPost(FEEDBACK, _feedback_body())
    seen: list[int | None] = []

    async def scenario() -> None:
        with app.state.serving.slots.held():  # free: taken at once, as a hook call being evaluated holds it
            task = asyncio.create_task(post.run(app))
            await asyncio.sleep(WAIT)
            seen.append(post.status)
        await asyncio.wait_for(task, 30)

    asyncio.run(scenario())
    assert seen == [None]
    assert post.status == 200


# --- 4. feedback PostgreSQL would refuse --------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
        return
    base: URL = reachable_postgres()
    with own_schema(base, "cds_red_team") as url:
        yield libpq(url)


@pytest.fixture
def backed_client(database_url: str, tmp_path: Path) -> Iterator[CheckedClient]:
    """A service whose store is `database_url`, disposed of before its schema is dropped."""
    store = SqlStore(database_url, clock=lambda: FROZEN_NOW)
    app_ = create_app(
        suite_settings(tmp_path, database_url=database_url),
        clock=lambda: FROZEN_NOW,
        new_uuid=counting_uuids(),
        store=store,
    )
    try:
        with CheckedClient(app_) as client:
            yield client
    finally:
        store.dispose()


ODD_FEEDBACK = {
    "card id past its column": (feedback_item(card="c" * (FEEDBACK_ID_MAX + 1)), "feedback[0].card"),
    "NUL in the card id": (feedback_item(card="card\x00id"), "feedback[0].card"),
    "50 fractional digits": (
        feedback_item(outcomeTimestamp="2026-03-02T09:05:00." + "1" * 50 + "Z"),
        "feedback[0].outcomeTimestamp",
    ),
}


@pytest.mark.parametrize(("item", "field"), ODD_FEEDBACK.values(), ids=ODD_FEEDBACK.keys())
def test_feedback_either_store_would_keep_differently_is_a_400_naming_the_field(
    backed_client: CheckedClient, item: dict[str, Any], field: str
) -> None:
    response = backed_client.post(FEEDBACK, json={"feedback": [item]})

    assert _expressions(response) == [field]
    assert _stored(backed_client) == []


def test_feedback_at_the_limits_is_stored_on_either_store(backed_client: CheckedClient) -> None:
    """The model's limits are the columns': the longest card id and the finest timestamp fit."""
    item = feedback_item(card="c" * FEEDBACK_ID_MAX, outcomeTimestamp="2026-03-02T09:05:00.123456789+14:00")

    response = backed_client.post(FEEDBACK, json={"feedback": [item]})

    assert response.status_code == 200, response.text
    [row] = _stored(backed_client)
    assert (row["card_uuid"], row["outcome_timestamp"]) == (item["card"], item["outcomeTimestamp"])


REFUSED = {
    "DEL in a suggestion id": (
        feedback_item(outcome="accepted", acceptedSuggestions=[{"id": "s\x7f"}]),
        "feedback[0].acceptedSuggestions[0].id",
    ),
    "suggestion id past the limit": (
        feedback_item(outcome="accepted", acceptedSuggestions=[{"id": "s" * (FEEDBACK_ID_MAX + 1)}]),
        "feedback[0].acceptedSuggestions[0].id",
    ),
    "line feed in a code": (
        feedback_item(overrideReason={"reason": {"code": "a\nb"}}),
        "feedback[0].overrideReason.reason.code",
    ),
    "C1 control in a display": (
        feedback_item(overrideReason={"reason": {"code": "a", "display": "x\x85"}}),
        "feedback[0].overrideReason.reason.display",
    ),
    "NUL in a comment": (
        feedback_item(overrideReason={"userComment": "no\x00"}),
        "feedback[0].overrideReason.userComment",
    ),
    "ten fractional digits": (
        feedback_item(outcomeTimestamp="2026-03-02T09:05:00.1234567891Z"),
        "feedback[0].outcomeTimestamp",
    ),
    "a day that does not exist": (
        feedback_item(outcomeTimestamp="2026-02-30T09:05:00Z"),
        "feedback[0].outcomeTimestamp",
    ),
    "a trailing line feed": (
        feedback_item(outcomeTimestamp="2026-03-02T09:05:00Z\n"),
        "feedback[0].outcomeTimestamp",
    ),
    "non-ASCII digits": (
        feedback_item(outcomeTimestamp="٢٠٢٦-03-02T09:05:00Z"),
        "feedback[0].outcomeTimestamp",
    ),
}


@pytest.mark.parametrize(("item", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_a_feedback_string_out_of_bounds_is_a_400_naming_it(
    client: CheckedClient, item: dict[str, Any], field: str
) -> None:
    response = client.post(FEEDBACK, json={"feedback": [item]})

    assert _expressions(response) == [field]
    assert _stored(client) == []


def test_a_comment_keeps_its_tabs_and_line_breaks(client: CheckedClient) -> None:
    comment = "line one\r\n\tline two"

    response = client.post(
        FEEDBACK, json={"feedback": [feedback_item(overrideReason={"userComment": comment})]}
    )

    assert response.status_code == 200, response.text
    [row] = _stored(client)
    assert json.loads(row["override_reason"]) == {"userComment": comment}
