"""Fetch-on-missing against a real FHIR server process (sekmet-fhir, bearer auth, example patient loaded).

The decision checked: a bevacizumab draft 14 days before a planned laparotomy gets the critical card with
delete and reschedule suggestions whether the data arrives in prefetch or is fetched, and a single dose 28 days
out gets none.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cds_service.prefetch.resolve import render
from hooks.services import SERVICES_BY_ID
from tests.conftest import FIXTURES, load_json, make_client, suite_settings, with_fhir_server
from tests.fhir_server import FhirServer, running_sekmet, sekmet_executable

pytestmark = [
    pytest.mark.fhir_server,
    pytest.mark.skipif(
        sekmet_executable() is None, reason="sekmet-fhir is not installed (pip install -e '.[dev]')"
    ),
]

SERVICE = "peritoneal-metastasis-order-select"
EXAMPLES = FIXTURES / "examples"
NOW = "2031-03-03T09:00:00+00:00"


@pytest.fixture(scope="module")
def fhir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    with running_sekmet(tmp_path_factory.mktemp("sekmet")) as server:
        server.load(load_json(FIXTURES / "patients" / "pm-cervical-001.json"))
        yield server


def fetch_mode_request(server: FhirServer, days_before: int) -> dict[str, Any]:
    request: dict[str, Any] = load_json(EXAMPLES / "order-select-bevacizumab-fetch-mode.json")
    with_fhir_server(request, server.base, server.token)
    if days_before == 28:
        draft = request["context"]["draftOrders"]["entry"][0]["resource"]
        repeat = draft["dosageInstruction"][0]["timing"]["repeat"]
        repeat["boundsPeriod"]["start"] = "2031-02-17"
        repeat["count"] = 1  # a single dose: a 3-weekly course would put cycle 2 seven days before surgery
    return request


def call(tmp_path: Path, request: dict[str, Any]) -> Any:
    from datetime import datetime

    settings = suite_settings(tmp_path)
    with make_client(settings, datetime.fromisoformat(NOW)) as client:
        return client.post(f"/cds-services/{SERVICE}", json=request)


def test_bevacizumab_14_days_before_laparotomy_is_critical_in_fetch_mode(
    fhir: FhirServer, tmp_path: Path
) -> None:
    response = call(tmp_path, fetch_mode_request(fhir, 14))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == [
        ("BEV-SURG-BEFORE", "critical")
    ]
    actions = [a for s in cards[0]["suggestions"] for a in s["actions"]]
    assert [a["type"] for a in actions] == ["delete", "update"]
    assert actions[0]["resourceId"] == "MedicationRequest/bev-draft-1"
    moved = actions[1]["resource"]["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["start"]
    assert moved == "2031-04-14"  # laparotomy 2031-03-17 + 28 days


def test_bevacizumab_28_days_before_laparotomy_gets_no_card_in_fetch_mode(
    fhir: FhirServer, tmp_path: Path
) -> None:
    response = call(tmp_path, fetch_mode_request(fhir, 28))
    assert response.status_code == 200, response.text
    assert response.json() == {"cards": []}


def test_fetch_mode_and_prefetch_mode_give_identical_cards(fhir: FhirServer, tmp_path: Path) -> None:
    fetched = fetch_mode_request(fhir, 14)
    prefetched = copy.deepcopy(fetched)
    for key, template in SERVICES_BY_ID[SERVICE].prefetch.items():
        query = render(template, prefetched["context"])
        assert query is not None
        prefetched["prefetch"] = {**prefetched.get("prefetch", {}), key: fhir.search(query)}
    del prefetched["fhirServer"], prefetched["fhirAuthorization"]
    assert call(tmp_path, fetched).json() == call(tmp_path, prefetched).json()


def test_wrong_token_is_412_naming_the_keys(fhir: FhirServer, tmp_path: Path) -> None:
    request = fetch_mode_request(fhir, 14)
    request["fhirAuthorization"]["access_token"] = "not-the-token"
    response = call(tmp_path, request)
    assert response.status_code == 412
    named = {e for issue in response.json()["issue"] for e in issue.get("expression", [])}
    assert named == {f"prefetch.{k}" for k in SERVICES_BY_ID[SERVICE].prefetch}
