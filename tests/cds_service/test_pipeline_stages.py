"""A hook call names its stages as they end (the benchmark's stage profile listens), listening changes nothing
in the answer, and the answer is typed: each card with the rule that made it and the statements it rests on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cds_service.app import create_app
from cds_service.pipeline import STAGES, HookResult, handle_hook
from cds_service.serving import Lap, Serving
from hooks.services import SERVICES_BY_ID
from tests.conftest import FIXTURES, FROZEN_NOW, counting_uuids, load_json, suite_settings

REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"
SERVICE = SERVICES_BY_ID["peritoneal-metastasis-order-select"]
BASE_URL = "http://cds.example/"


def serving(tmp_path: Path) -> Serving:
    app = create_app(
        suite_settings(tmp_path, trusted_clients=None), clock=lambda: FROZEN_NOW, new_uuid=counting_uuids()
    )
    server: Serving = app.state.serving
    return server


def answer(tmp_path: Path, lap: Lap | None = None) -> dict[str, Any]:
    server = serving(tmp_path)
    if lap is None:
        return server.evaluate_parsed(SERVICE, load_json(REQUEST), BASE_URL).to_json()
    return server.evaluate_parsed(SERVICE, load_json(REQUEST), BASE_URL, lap=lap).to_json()


def test_each_stage_is_named_once_in_order_as_it_ends(tmp_path: Path) -> None:
    heard: list[str] = []
    answer(tmp_path, lap=heard.append)
    assert heard == list(STAGES) == ["envelope", "prefetch", "picture", "rules", "cards"]


def test_listening_to_the_stages_leaves_the_cards_as_they_are(tmp_path: Path) -> None:
    heard: list[str] = []
    listened = answer(tmp_path, lap=heard.append)
    assert listened["cards"], "the example must produce cards for the comparison to mean anything"
    assert listened == answer(tmp_path)


def test_the_pipeline_alone_gives_the_answer_serving_gives(tmp_path: Path) -> None:
    runtime = serving(tmp_path).runtime
    assert handle_hook(SERVICE, load_json(REQUEST), runtime, BASE_URL).to_json() == answer(tmp_path)


def test_each_card_comes_with_its_rule_id_and_statements(tmp_path: Path) -> None:
    result = handle_hook(SERVICE, load_json(REQUEST), serving(tmp_path).runtime, BASE_URL)
    assert isinstance(result, HookResult) and result.cards
    for ruled in result.cards:
        assert ruled.card.source.topic is not None
        assert ruled.rule_id == ruled.card.source.topic.code
        assert ruled.statements == ruled.rule.statements
    assert result.request.hookInstance == load_json(REQUEST)["hookInstance"]
