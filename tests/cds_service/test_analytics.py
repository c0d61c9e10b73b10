"""The feedback report (GET /analytics/feedback and `peritoneal-cds feedback-report`): per rule id, cards shown,
accepted, overridden, override rate and top override reasons, from the cards the service recorded and the
feedback it received. Behind the same JWT as the CDS endpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cds_service import cli
from tests.auth_keys import ES384, PUBLIC_BASE, token
from tests.conftest import FIXTURES, FROZEN_NOW, CheckedClient, load_json

SERVICE = "peritoneal-metastasis-order-select"
REQUEST_14_DAYS = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"


def shown_card(client: CheckedClient) -> dict[str, Any]:
    response = client.post(f"/cds-services/{SERVICE}", json=load_json(REQUEST_14_DAYS))
    [card] = response.json()["cards"]
    return dict(card)


def feedback(client: CheckedClient, card: str, outcome: str, **extra: Any) -> None:
    item = {"card": card, "outcome": outcome, "outcomeTimestamp": "2026-03-02T09:05:00Z", **extra}
    assert client.post(f"/cds-services/{SERVICE}/feedback", json={"feedback": [item]}).status_code == 200


def report(client: CheckedClient) -> Any:
    audience = f"{PUBLIC_BASE}/analytics/feedback"
    response = client.get(
        "/analytics/feedback", headers={"Authorization": f"Bearer {token(ES384, audience, FROZEN_NOW)}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_report_counts_shown_accepted_overridden_and_the_override_rate(client: CheckedClient) -> None:
    cards = [shown_card(client) for _ in range(4)]
    reason = cards[0]["overrideReasons"][0]
    feedback(
        client, cards[0]["uuid"], "accepted", acceptedSuggestions=[{"id": cards[0]["suggestions"][0]["uuid"]}]
    )
    feedback(
        client, cards[1]["uuid"], "overridden", overrideReason={"reason": reason, "userComment": "Mrs X."}
    )
    feedback(client, cards[2]["uuid"], "overridden", overrideReason={"reason": reason})
    feedback(client, cards[3]["uuid"], "overridden")

    [row] = report(client)["rules"]

    assert row["ruleId"] == "BEV-SURG-BEFORE"
    assert (row["shown"], row["accepted"], row["overridden"]) == (4, 1, 3)
    assert row["overrideRate"] == 0.75
    assert row["topOverrideReasons"][0] == {
        "system": reason["system"],
        "code": reason["code"],
        "display": reason["display"],
        "count": 2,
    }
    assert row["topOverrideReasons"][1]["code"] is None  # overridden without a reason
    assert "Mrs X." not in json.dumps(row)  # free-text comments are never reported


def test_a_card_shown_without_feedback_has_no_override_rate(client: CheckedClient) -> None:
    shown_card(client)
    [row] = report(client)["rules"]
    assert (row["shown"], row["accepted"], row["overridden"], row["overrideRate"]) == (1, 0, 0, None)


def test_feedback_on_a_card_never_recorded_is_reported_apart(client: CheckedClient) -> None:
    feedback(client, "4e0a3a1e-3283-4575-ab82-028d55fe2719", "overridden")
    [row] = report(client)["rules"]
    assert (row["ruleId"], row["shown"], row["overridden"]) == (None, 0, 1)


def test_the_same_card_overridden_twice_counts_once(client: CheckedClient) -> None:
    card = shown_card(client)
    feedback(client, card["uuid"], "overridden", outcomeTimestamp="2026-03-02T09:05:00Z")
    feedback(client, card["uuid"], "overridden", outcomeTimestamp="2026-03-02T09:06:00Z")
    [row] = report(client)["rules"]
    assert (row["shown"], row["overridden"], row["overrideRate"]) == (1, 1, 1.0)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt"])
def test_the_report_needs_the_client_jwt(client: CheckedClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/analytics/feedback", headers=headers)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_cli_feedback_report_prints_the_same_report(
    client: CheckedClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = shown_card(client)
    feedback(client, card["uuid"], "overridden", overrideReason={"reason": card["overrideReasons"][0]})
    database_url = f"sqlite:///{tmp_path / 'cds.sqlite3'}"

    assert cli.main(["feedback-report", "--database-url", database_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report(client)

    assert cli.main(["feedback-report", "--database-url", database_url]) == 0
    text = capsys.readouterr().out
    assert "BEV-SURG-BEFORE" in text and "100.0 %" in text
    assert f"override reason: {card['overrideReasons'][0]['display']} × 1" in text


def test_cli_feedback_report_of_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["feedback-report", "--database-url", f"sqlite:///{tmp_path / 'empty.sqlite3'}"]) == 0
    assert "No cards recorded" in capsys.readouterr().out


def test_recording_cards_never_costs_the_answer(tmp_path: Path) -> None:
    """A store that cannot record the cards: the cards still go out (the record is lost, and logged)."""
    from cds_service.app import create_app
    from tests.cds_service.test_ops import _UnreachableStore
    from tests.conftest import suite_settings

    class _JtiOnly(_UnreachableStore):
        def claim_jti(self, iss: str, jti: str, expires_at: Any) -> bool:
            return True

    app = create_app(suite_settings(tmp_path), store=_JtiOnly(), clock=lambda: FROZEN_NOW)
    with CheckedClient(app) as client:
        response = client.post(f"/cds-services/{SERVICE}", json=load_json(REQUEST_14_DAYS))
    assert response.status_code == 200
    assert [c["indicator"] for c in response.json()["cards"]] == ["critical"]
