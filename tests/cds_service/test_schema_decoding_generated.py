"""The body decoded by schema and the body decoded whole give the same picture and the same answer for generated
charts, not only for the charts we wrote: resources drawn from every scenario's prefetch, with the noise real
charts carry (narrative, metadata, identifiers, extensions), odd values where a rule reads, and keys the service
never asks for."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service.app import create_app
from cds_service.protocol.decode import PrefetchResource, decode_hook_body
from cds_service.protocol.parse import parse_hook_body
from cds_service.serving import Serving
from fhir_mappings.resources import bundle_resources
from hooks.services import SERVICES_BY_ID, ServiceDeclaration
from tests.cds_service.test_schema_decoding import answer, outcome
from tests.conftest import counting_uuids, load_json, suite_settings
from tests.test_scenarios import SCENARIOS

EXAMPLES = 120
NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
KEPT = sorted(PrefetchResource.__annotations__)
NOISE: dict[str, Any] = {
    "meta": {"versionId": "3", "lastUpdated": "2026-01-01T00:00:00Z", "source": "#epic"},
    "text": {"status": "generated", "div": "<div xmlns='http://www.w3.org/1999/xhtml'>narrative</div>"},
    "identifier": [{"system": "urn:oid:1.2.840.114350", "value": "E123"}],
    "extension": [{"url": "http://example.org/x", "valueString": "site data"}],
    "subject": {"reference": "Patient/p", "display": "Jane"},
    "note": [{"text": "free text"}],
}
ODD_VALUES = st.sampled_from(["text", 7, 2.5, True, [], {}, [{"coding": "x"}], {"coding": [{"code": 1}]}])


def _pools() -> tuple[dict[str, dict[str, list[Any]]], dict[str, list[dict[str, Any]]]]:
    """Per service, the resources every scenario sent under each key; and the scenarios' bodies per service."""
    resources: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    bodies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for folder in SCENARIOS:
        service = load_json(folder / "scenario.json")["service"]
        body = load_json(folder / "request.json")
        bodies[service].append(body)
        for key, value in (body.get("prefetch") or {}).items():
            found = bundle_resources(value) if isinstance(value, dict) else []
            resources[service][key] += [r for r in found if isinstance(r, dict)]
    return resources, bodies


POOLS, BODIES = _pools()


@st.composite
def resources(draw: st.DrawFn, pool: list[Any]) -> dict[str, Any]:
    """A resource of the pool with noise added, and now and then a read element holding an odd value."""
    resource = dict(draw(st.sampled_from(pool)))
    for name in draw(st.lists(st.sampled_from(sorted(NOISE)), unique=True)):
        resource[name] = NOISE[name]
    if draw(st.integers(0, 4)) == 0:
        resource[draw(st.sampled_from([k for k in KEPT if k != "resourceType"]))] = draw(ODD_VALUES)
    return resource


@st.composite
def charts(draw: st.DrawFn) -> tuple[ServiceDeclaration, bytes]:
    """A scenario's context (its drafts, its patient) with a generated prefetch."""
    service_id = draw(st.sampled_from(sorted(BODIES)))
    body = dict(draw(st.sampled_from(BODIES[service_id])))
    prefetch: dict[str, Any] = {}
    for key, pool in sorted(POOLS[service_id].items()):
        if not pool or draw(st.integers(0, 5)) == 0:
            prefetch[key] = None
            continue
        entries = draw(st.lists(resources(pool), max_size=6))
        prefetch[key] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in entries],
        }
    for extra in draw(
        st.lists(st.sampled_from(["bodyMeasurements", "allergies", "encounters"]), unique=True)
    ):
        prefetch.setdefault(extra, draw(st.one_of(ODD_VALUES, st.builds(lambda: {"resourceType": "Bundle"}))))
    body["prefetch"] = prefetch
    return SERVICES_BY_ID[service_id], orjson.dumps(body)


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Serving:
    settings = suite_settings(tmp_path_factory.mktemp("generated"), trusted_clients=None)
    server: Serving = create_app(settings, clock=lambda: NOW, new_uuid=counting_uuids()).state.serving
    return server


@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(chart=charts())
def test_a_generated_chart_gets_the_same_picture_and_cards_from_either_decoding(
    serving: Serving, chart: tuple[ServiceDeclaration, bytes]
) -> None:
    service, body = chart
    keys = service.prefetch_keys
    assert decode_hook_body(body, keys) is not None  # odd values sit where the schema reads anything
    assert outcome(serving, service, parse_hook_body(body, "application/json", keys)) == outcome(
        serving, service, orjson.loads(body)
    )
    assert answer(serving, service, parse_hook_body(body, "application/json", keys)) == answer(
        serving, service, orjson.loads(body)
    )
