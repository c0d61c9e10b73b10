"""POST /cds-services/{id}/feedback through the HTTP API: the spec's examples are accepted and stored once; every
malformed body is a 400 OperationOutcome naming the field. Bodies built here are checked against the shared
CDS Hooks 2.0 feedback JSON Schema, so the tests send what a conforming EHR would (or, for the 400s, would not)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, CheckedClient, feedback_item, load_json, schema_checker

SERVICE = "peritoneal-metastasis-order-sign"
FEEDBACK = f"/cds-services/{SERVICE}/feedback"
SPEC_EXAMPLES = SHARED / "cds-hooks" / "spec-examples" / "spec-2.0.1"
FEEDBACK_SCHEMA = "feedback-request.schema.json"

Schema = Callable[[str, Any], None]


@pytest.fixture
def schema() -> Schema | None:
    """The shared feedback schema's checker, or None on a fresh clone (the API is still tested)."""
    return schema_checker()


def _valid(schema: Schema | None, body: Any) -> Any:
    if schema is not None:
        schema(FEEDBACK_SCHEMA, body)
    return body


def _invalid(schema: Schema | None, body: Any) -> Any:
    if schema is not None:
        with pytest.raises(AssertionError):
            schema(FEEDBACK_SCHEMA, body)
    return body


def _expressions(response: Any) -> list[str]:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return [e for issue in body["issue"] for e in issue.get("expression", [])]


def _stored(client: CheckedClient, service_id: str = SERVICE) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = client.app.state.store.items(service_id)  # type: ignore[attr-defined]
    return rows


# --- accepted -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example",
    ["21-feedback-accepted.json", "22-feedback-overridden.json", "23-feedback-overridden-with-reason.json"],
)
def test_spec_feedback_example_is_accepted_and_stored(
    client: CheckedClient, schema: Schema | None, example: str
) -> None:
    path: Path = SPEC_EXAMPLES / example
    if not path.is_file():
        pytest.skip(f"{path} is absent (a fresh clone without ../shared)")
    body = _valid(schema, load_json(path))
    sent = body["feedback"][0]

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 200, response.text
    assert response.json() == {"received": 1, "stored": 1}
    [row] = _stored(client)
    assert (row["card_uuid"], row["outcome"], row["outcome_timestamp"]) == (
        sent["card"],
        sent["outcome"],
        sent["outcomeTimestamp"],
    )


def test_several_items_in_one_request_are_all_stored(client: CheckedClient, schema: Schema | None) -> None:
    body = _valid(
        schema,
        {
            "feedback": [
                feedback_item(card="card-1"),
                feedback_item(
                    card="card-2", outcome="accepted", acceptedSuggestions=[{"id": "suggestion-1"}]
                ),
            ]
        },
    )
    response = client.post(FEEDBACK, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 2, "stored": 2}
    assert [row["card_uuid"] for row in _stored(client)] == ["card-1", "card-2"]


def test_a_single_unwrapped_item_is_tolerated(client: CheckedClient, schema: Schema | None) -> None:
    item = feedback_item()
    _invalid(schema, item)  # not what the spec says to send, but some clients do

    response = client.post(FEEDBACK, json=item)

    assert response.status_code == 200, response.text
    assert response.json() == {"received": 1, "stored": 1}
    assert [row["card_uuid"] for row in _stored(client)] == [item["card"]]


def test_a_repeated_feedback_post_is_stored_once(client: CheckedClient, schema: Schema | None) -> None:
    body = _valid(schema, {"feedback": [feedback_item()]})

    first = client.post(FEEDBACK, json=body)
    retry = client.post(FEEDBACK, json=body)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert first.json()["stored"] == 1
    assert retry.json() == {"received": 1, "stored": 0}
    assert len(_stored(client)) == 1


def test_feedback_is_kept_per_service(client: CheckedClient, schema: Schema | None) -> None:
    body = _valid(schema, {"feedback": [feedback_item()]})
    client.post(FEEDBACK, json=body)
    assert _stored(client, "peritoneal-metastasis-patient-view") == []


def test_a_json_media_type_with_charset_is_accepted(client: CheckedClient, schema: Schema | None) -> None:
    body = _valid(schema, {"feedback": [feedback_item()]})
    response = client.post(
        FEEDBACK, content=json.dumps(body), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200, response.text


# --- rejected -------------------------------------------------------------------------------------------------


def test_an_unknown_outcome_is_a_400_naming_the_outcome(client: CheckedClient, schema: Schema | None) -> None:
    body = _invalid(schema, {"feedback": [feedback_item(outcome="ignored")]})

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert "feedback[0].outcome" in _expressions(response)
    assert _stored(client) == []


def test_a_bad_second_item_is_named_by_its_index_and_nothing_is_stored(
    client: CheckedClient, schema: Schema
) -> None:
    body = _invalid(
        schema, {"feedback": [feedback_item(card="good"), feedback_item(card="bad", outcome="dismissed")]}
    )

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert _expressions(response) == ["feedback[1].outcome"]
    assert _stored(client) == []


def test_accepted_without_accepted_suggestions_is_a_400(client: CheckedClient, schema: Schema | None) -> None:
    body = _invalid(schema, {"feedback": [feedback_item(outcome="accepted")]})

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert any(e.startswith("feedback[0]") for e in _expressions(response))
    assert "acceptedSuggestions" in response.json()["issue"][0]["diagnostics"]
    assert _stored(client) == []


def test_a_missing_outcome_timestamp_is_a_400_naming_it(client: CheckedClient, schema: Schema | None) -> None:
    item = feedback_item()
    del item["outcomeTimestamp"]
    body = _invalid(schema, {"feedback": [item]})

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert "feedback[0].outcomeTimestamp" in _expressions(response)


@pytest.mark.parametrize(
    "timestamp",
    [
        "yesterday",
        "12/11/2020 10:05",
        "2020-13-45T10:05:31Z",
        "",
        "2020-12-11",
        "2020-W50-5",
        "2020-12-11T10:05",
    ],
)
def test_an_outcome_timestamp_that_is_not_a_full_date_time_is_a_400_naming_it(
    client: CheckedClient, schema: Schema | None, timestamp: str
) -> None:
    body = _valid(schema, {"feedback": [feedback_item()]})
    body["feedback"][0]["outcomeTimestamp"] = timestamp  # the schema's date-time format may go unchecked

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert "feedback[0].outcomeTimestamp" in _expressions(response)


def test_an_empty_feedback_array_is_a_400(client: CheckedClient, schema: Schema | None) -> None:
    body = _invalid(schema, {"feedback": []})

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert _expressions(response) == ["feedback"]


@pytest.mark.parametrize("body", [{}, [], "feedback", {"feedback": {"card": "c"}}], ids=repr)
def test_a_body_without_a_feedback_array_is_a_400(
    client: CheckedClient, schema: Schema | None, body: Any
) -> None:
    _invalid(schema, body)

    response = client.post(FEEDBACK, json=body)

    assert response.status_code == 400
    assert any(e.startswith("feedback") for e in _expressions(response))


def test_a_body_that_is_not_json_is_a_400(client: CheckedClient) -> None:
    response = client.post(FEEDBACK, content=b"{feedback:", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_non_json_content_type_is_a_415(client: CheckedClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = client.post(FEEDBACK, content=b'{"feedback": []}', headers=headers)

    assert response.status_code == 415
    assert _expressions(response) == ["Content-Type"]


def test_feedback_for_an_unknown_service_is_a_404(client: CheckedClient, schema: Schema | None) -> None:
    body = _valid(schema, {"feedback": [feedback_item()]})

    response = client.post("/cds-services/no-such-service/feedback", json=body)

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"
    assert _stored(client, "no-such-service") == []


def test_an_override_reason_coding_with_extra_elements_is_accepted(client: CheckedClient) -> None:
    reason = {"system": "https://example.org/reasons", "code": "x", "display": "X", "userSelected": True}
    body = {"feedback": [feedback_item(overrideReason={"reason": reason})]}
    assert client.post(FEEDBACK, json=body).status_code == 200


def test_an_override_reason_with_neither_reason_nor_comment_is_a_400(client: CheckedClient) -> None:
    response = client.post(FEEDBACK, json={"feedback": [feedback_item(overrideReason={})]})
    assert response.status_code == 400
    assert "feedback[0].overrideReason" in _expressions(response)
