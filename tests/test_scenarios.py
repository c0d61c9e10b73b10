"""Every scenario folder under fixtures/scenarios/<rule-id>/ through the HTTP API, against its golden cards.

Each scenario states by hand the cards it expects (`scenario.json` "expect": rule ids with their indicators, in
response order) and the rule ids it forbids ("forbid"); cards of rules it names neither way may come and go.
The golden `expected.json` pins the full text of the folder's own rule's card (none for an out- scenario), so
a change of another rule's wording never breaks it. Regenerate goldens with CDS_UPDATE_GOLDEN=1 and review the
diff.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, load_json, make_client, suite_settings, update_golden

SCENARIOS = sorted(p.parent for p in (FIXTURES / "scenarios").glob("*/*/request.json"))


def strip_uuids(response: dict[str, Any]) -> dict[str, Any]:
    """Goldens pin text and structure; uuids are checked for presence and uniqueness instead."""
    out: dict[str, Any] = json.loads(json.dumps(response))
    for card in out["cards"]:
        card.pop("uuid")
        for suggestion in card.get("suggestions", []):
            suggestion.pop("uuid")
    return out


def run_scenario(folder: Path, tmp_path: Path, request: dict[str, Any] | None = None) -> dict[str, Any]:
    meta = load_json(folder / "scenario.json")
    settings = suite_settings(tmp_path, timezone=meta["timezone"])
    now = datetime.fromisoformat(meta["now"].replace("Z", "+00:00"))
    with make_client(settings, now) as client:
        response = client.post(
            f"/cds-services/{meta['service']}", json=request or load_json(folder / "request.json")
        )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("folder", SCENARIOS, ids=[f"{p.parent.name}/{p.name}" for p in SCENARIOS])
def test_scenario(folder: Path, tmp_path: Path) -> None:
    meta = load_json(folder / "scenario.json")
    body = run_scenario(folder, tmp_path)

    fired = [(c["source"]["topic"]["code"], c["indicator"]) for c in body["cards"]]
    expected = [(e["rule"], e["indicator"]) for e in meta["expect"]]
    assert [pair for pair in fired if pair in expected] == expected, (meta["description"], fired)
    forbidden = {rule_id for rule_id, _ in fired} & set(meta.get("forbid", []))
    assert not forbidden, (meta["description"], fired)

    uuids = [c["uuid"] for c in body["cards"]] + [
        s["uuid"] for c in body["cards"] for s in c.get("suggestions", [])
    ]
    assert len(uuids) == len(set(uuids))

    golden = folder / "expected.json"
    own = own_cards(strip_uuids(body), folder.parent.name)
    if update_golden():
        golden.write_text(json.dumps(own, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert own == load_json(golden)


def own_cards(response: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The part of a response a scenario's golden pins: the cards of the folder's rule."""
    return {"cards": [c for c in response["cards"] if c["source"]["topic"]["code"] == rule_id]}


def test_every_scenario_names_its_own_rule() -> None:
    """An in/boundary scenario expects its rule's card or forbids it; an out- scenario forbids it."""
    for folder in SCENARIOS:
        meta = load_json(folder / "scenario.json")
        rule_id = folder.parent.name
        expects_it = any(e["rule"] == rule_id for e in meta["expect"])
        assert expects_it != (rule_id in meta.get("forbid", [])), folder
        if folder.name.startswith("out-"):
            assert not expects_it, folder


def test_every_scenario_folder_is_named_by_its_kind() -> None:
    for folder in SCENARIOS:
        assert folder.name.split("-")[0] in {"in", "out", "boundary", "missing"}, folder


def _updates(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a["resource"]
        for s in card.get("suggestions", [])
        for a in s.get("actions", [])
        if a["type"] == "update"
    ]


MOVABLE = [
    f
    for f in SCENARIOS
    if (f / "expected.json").exists() and any(_updates(c) for c in load_json(f / "expected.json")["cards"])
]


@pytest.mark.parametrize("folder", MOVABLE, ids=[f"{p.parent.name}/{p.name}" for p in MOVABLE])
def test_accepting_a_move_suggestion_clears_its_card(folder: Path, tmp_path: Path) -> None:
    """The decision checked: the date a card suggests is itself allowed by the same rule."""
    body = run_scenario(folder, tmp_path)
    for card in body["cards"]:
        updates = {f"{r['resourceType']}/{r['id']}": r for r in _updates(card)}
        if not updates:
            continue
        request = copy.deepcopy(load_json(folder / "request.json"))
        reviewed = "appointments" if request["hook"] == "appointment-book" else "draftOrders"
        for entry in request["context"][reviewed]["entry"]:
            key = f"{entry['resource']['resourceType']}/{entry['resource'].get('id')}"
            entry["resource"] = updates.pop(key, entry["resource"])
        assert not updates, "every updated resource is a draft of the request"
        (tmp_path / "again").mkdir(exist_ok=True)
        again = run_scenario(folder, tmp_path / "again", request)
        assert card["source"]["topic"]["code"] not in [c["source"]["topic"]["code"] for c in again["cards"]]
