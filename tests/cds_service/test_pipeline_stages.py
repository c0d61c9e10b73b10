"""A hook call names its stages as they end (the benchmark's stage profile listens), and listening changes
nothing in the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cds_service.app import create_app
from cds_service.pipeline import Lap, handle_hook
from hooks.services import SERVICES_BY_ID
from tests.conftest import FIXTURES, FROZEN_NOW, counting_uuids, load_json, suite_settings

REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"
SERVICE = SERVICES_BY_ID["peritoneal-metastasis-order-select"]


def answer(tmp_path: Path, lap: Lap | None = None) -> dict[str, Any]:
    runtime = create_app(
        suite_settings(tmp_path, trusted_clients=None), clock=lambda: FROZEN_NOW, new_uuid=counting_uuids()
    ).state.runtime
    if lap is None:
        return handle_hook(SERVICE, load_json(REQUEST), runtime, "http://cds.example/")
    return handle_hook(SERVICE, load_json(REQUEST), runtime, "http://cds.example/", lap=lap)


def test_each_stage_is_named_once_in_order_as_it_ends(tmp_path: Path) -> None:
    heard: list[str] = []
    answer(tmp_path, lap=heard.append)
    assert heard == ["envelope", "prefetch", "picture", "rules", "cards"]


def test_listening_to_the_stages_leaves_the_cards_as_they_are(tmp_path: Path) -> None:
    heard: list[str] = []
    listened = answer(tmp_path, lap=heard.append)
    assert listened["cards"], "the example must produce cards for the comparison to mean anything"
    assert listened == answer(tmp_path)
