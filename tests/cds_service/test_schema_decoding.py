"""The hook body decoded by schema (prefetch trimmed to what the extractors read) yields the clinical picture and
the cards the whole body decoded yields, for every scenario, example and real-world chart; bodies that do not fit
the schema are decoded whole, as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from cds_service import pipeline
from cds_service.app import create_app
from cds_service.errors import CdsError
from cds_service.protocol.decode import decode_hook_body
from cds_service.protocol.parse import parse_hook_body
from cds_service.serving import Serving
from hooks.services import SERVICES, SERVICES_BY_ID, ServiceDeclaration
from tests.conftest import FIXTURES, load_json, suite_settings
from tests.test_real_world_charts import CASES as CHART_CASES
from tests.test_real_world_charts import service_id
from tests.test_scenarios import SCENARIOS, strip_uuids

SERVICE_OF_HOOK = {s.hook: s for s in SERVICES}
EXAMPLES = sorted((FIXTURES / "examples").glob("*.json"))


def requests() -> list[tuple[str, ServiceDeclaration, Any]]:
    out: list[tuple[str, ServiceDeclaration, Any]] = [
        (
            f"scenario {p.parent.name}/{p.name}",
            SERVICES_BY_ID[load_json(p / "scenario.json")["service"]],
            p / "request.json",
        )
        for p in SCENARIOS
    ]
    out += [(f"example {p.name}", SERVICE_OF_HOOK[load_json(p)["hook"]], p) for p in EXAMPLES]
    out += [
        (f"chart {chart.name}/{hook}", SERVICES_BY_ID[service_id(hook)], (chart, hook))
        for chart, hook in CHART_CASES
    ]
    return out


def body_of(source: Any) -> bytes:
    if isinstance(source, Path):
        return source.read_bytes()
    chart, hook = source
    return orjson.dumps(chart.request(hook))


def outcome(serving: Serving, service: ServiceDeclaration, data: Any) -> Any:
    """The clinical picture of a parsed body (no FHIR server is called), or the error that refuses it."""
    data.pop("fhirServer", None)
    data.pop("fhirAuthorization", None)
    runtime = serving.runtime
    try:
        call = pipeline.envelope(service, data, runtime)
        return pipeline.picture(service, call, pipeline.prefetch(service, call, runtime, None), runtime)
    except CdsError as exc:
        return type(exc), str(exc)


def answer(serving: Serving, service: ServiceDeclaration, data: Any) -> Any:
    """The cards a parsed body gets (uuids aside), or the error that refuses it."""
    data.pop("fhirServer", None)
    data.pop("fhirAuthorization", None)
    try:
        return strip_uuids(serving.evaluate_parsed(service, data, "http://127.0.0.1/").to_json())
    except CdsError as exc:
        return type(exc), str(exc)


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Serving:
    app = create_app(suite_settings(tmp_path_factory.mktemp("decode"), trusted_clients=None))
    server: Serving = app.state.serving
    return server


CASES = requests()


@pytest.mark.parametrize(("name", "service", "source"), CASES, ids=[c[0] for c in CASES])
def test_trimmed_body_gives_the_picture_and_cards_the_whole_body_gives(
    serving: Serving, name: str, service: ServiceDeclaration, source: Any
) -> None:
    body = body_of(source)
    keys = service.prefetch_keys
    assert decode_hook_body(body, keys) is not None, (
        f"{name} fell back to the whole body: the comparison means nothing"
    )
    trimmed = outcome(serving, service, parse_hook_body(body, "application/json", keys))
    assert trimmed == outcome(serving, service, orjson.loads(body))
    cards = answer(serving, service, parse_hook_body(body, "application/json", keys))
    assert cards == answer(serving, service, orjson.loads(body))


def test_trimming_drops_what_no_extractor_reads_and_keeps_the_context_whole() -> None:
    draft = {
        "resourceType": "MedicationRequest",
        "id": "d",
        "text": {"div": "<div/>"},
        "note": [{"text": "x"}],
    }
    resource = {
        "resourceType": "Observation",
        "id": "o",
        "meta": {"versionId": "1"},
        "text": {"status": "generated", "div": "<div>narrative</div>"},
        "identifier": [{"value": "LAB-1"}],
        "subject": {"reference": "Patient/p"},
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "2160-0", "version": "2.7"}],
            "text": "Cr",
        },
    }
    body = {
        "hook": "order-select",
        "hookInstance": "h",
        "extension": {"x": 1},
        "context": {"draftOrders": {"resourceType": "Bundle", "entry": [{"resource": draft}]}},
        "prefetch": {
            "labs": {"resourceType": "Bundle", "entry": [{"fullUrl": "u", "resource": resource}], "link": []},
            "patient": None,
            "undeclared": {"resourceType": "Bundle", "entry": [{"resource": resource}]},
        },
    }
    decoded = parse_hook_body(
        orjson.dumps(body), "application/json", frozenset({"labs", "patient", "conditions"})
    )
    assert decoded["context"] == body["context"]
    assert decoded["prefetch"] == {
        "labs": {
            "resourceType": "Bundle",
            "entry": [{"resource": {"resourceType": "Observation", "id": "o", "code": resource["code"]}}],
            "link": [],
        },
        "patient": None,
    }
    assert "extension" not in decoded  # HookRequest ignores it


def test_a_key_the_service_does_not_declare_is_skipped_whatever_it_holds() -> None:
    """Nothing reads it: an odd value there no longer sends the body down the whole-body path."""
    body = b'{"hook": "patient-view", "prefetch": {"extra": [1, {"x": "y"}], "p": null}}'
    assert parse_hook_body(body, "application/json", frozenset({"p"})) == {
        "hook": "patient-view",
        "prefetch": {"p": None},
    }
    assert decode_hook_body(body, frozenset({"extra", "p"})) is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"prefetch": {"p": "not a resource"}}',
        b'{"prefetch": {"p": {"resourceType": "Bundle", "entry": [1, {"resource": "x"}]}}}',
        b'{"prefetch": {"p": {"resourceType": "Bundle", "entry": {"resource": {}}}}}',
        b'{"prefetch": []}',
        b"[1]",
    ],
)
def test_a_body_that_does_not_fit_the_schema_is_decoded_whole(body: bytes) -> None:
    assert parse_hook_body(body, "application/json", frozenset({"p"})) == orjson.loads(body)
