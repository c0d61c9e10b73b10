"""A chart from each of the six primaries, fired as patient-view: the pathway guidance of its primary, at most
three cards, and the same cards whether the chart arrives in prefetch or is fetched from a FHIR server.

The charts are the example patients of fixtures/patients (one transaction Bundle each).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, load_json, make_client, suite_settings, with_fhir_server
from tests.fhir_server import FhirServer, sekmet_holding
from tests.scenario_builder import hook_request
from tests.test_scenarios import strip_uuids

SERVICE = "peritoneal-metastasis-patient-view"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PATHWAYS: dict[str, list[tuple[str, str]]] = {
    "pm-colorectal-001": [("HIPEC-CRC-PCI", "info"), ("PM-GENERAL", "info")],
    "pm-hcc-001": [("HCC-FIRSTLINE", "warning"), ("HIPEC-HCC", "info")],
    "pm-lung-001": [("LUNG-MOLECULAR", "warning"), ("HIPEC-LUNG", "info"), ("LUNG-PALLIATION", "info")],
    "pm-cervical-002": [("CERV-FIRSTLINE", "info"), ("CERV-OMENTAL-RESECTION", "info")],
    "pm-ovarian-001": [("OV-DOUBLET", "info")],
    "pm-breast-001": [("BR-OLIGO", "info")],
}
"""What each chart must show: the decisions checked (rule id and indicator, in response order)."""


def chart(patient_id: str) -> list[dict[str, Any]]:
    bundle = load_json(FIXTURES / "patients" / f"{patient_id}.json")
    return [entry["resource"] for entry in bundle["entry"]]


def prefetch_request(patient_id: str) -> dict[str, Any]:
    """The chart as a patient-view request with every prefetch key filled."""
    return hook_request("patient-view", chart(patient_id), patient_id=patient_id)


def fire(tmp_path: Path, request: dict[str, Any]) -> dict[str, Any]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    with make_client(suite_settings(tmp_path), NOW) as client:
        response = client.post(f"/cds-services/{SERVICE}", json=request)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize("patient_id", sorted(PATHWAYS))
def test_each_primary_gets_its_pathway_guidance_on_chart_open(patient_id: str, tmp_path: Path) -> None:
    cards = fire(tmp_path, prefetch_request(patient_id))["cards"]
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in cards] == PATHWAYS[patient_id]
    assert len(cards) <= 3


@pytest.fixture(scope="module")
def fhir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    bundles = (load_json(FIXTURES / "patients" / f"{patient_id}.json") for patient_id in PATHWAYS)
    yield from sekmet_holding(tmp_path_factory.mktemp("sekmet"), bundles)


@pytest.mark.fhir_server
@pytest.mark.parametrize("patient_id", sorted(PATHWAYS))
def test_fetch_mode_gives_the_same_cards_as_prefetch(
    patient_id: str, fhir: FhirServer, tmp_path: Path
) -> None:
    given = prefetch_request(patient_id)
    fetched = {key: value for key, value in given.items() if key != "prefetch"}
    with_fhir_server(fetched, fhir.base, fhir.token)
    by_prefetch = fire(tmp_path / "prefetch", given)
    by_fetch = fire(tmp_path / "fetch", fetched)
    assert by_fetch["cards"], patient_id
    assert strip_uuids(by_fetch) == strip_uuids(by_prefetch)
