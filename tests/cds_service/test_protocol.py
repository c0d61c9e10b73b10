"""Contract tests: discovery pinned by a golden file, the spec's example requests, and the error vocabulary."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cds_service.errors import MalformedRequest
from cds_service.protocol.parse import parse_hook_request
from hooks.bibliography import SOURCES
from hooks.rules import ALL_RULES
from hooks.services import SERVICES
from tests.conftest import FIXTURES, ROOT, SHARED, CheckedClient, load_json, update_golden
from tests.fhir_mappings.test_actions import UNREADABLE_DOSAGES

EXAMPLES = SHARED / "cds-hooks" / "spec-examples"
GOLDEN_DISCOVERY = ROOT / "tests" / "golden" / "discovery.json"
SERVICE_FOR_HOOK = {s.hook: s for s in SERVICES}
ORDER_SELECT = "/cds-services/peritoneal-metastasis-order-select"
EXAMPLE = FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy" / "request.json"


def example_request() -> dict[str, Any]:
    data: dict[str, Any] = load_json(EXAMPLE)
    return data


def issues(response: Any) -> list[str]:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return [expr for issue in body["issue"] for expr in issue.get("expression", [])]


def test_discovery_matches_the_golden_file(client: CheckedClient) -> None:
    body = client.get("/cds-services").json()
    if update_golden():
        GOLDEN_DISCOVERY.write_text(json.dumps(body, indent=2) + "\n")
    assert body == load_json(GOLDEN_DISCOVERY)


def test_discovery_has_one_service_per_hook_with_relative_root_token_templates(client: CheckedClient) -> None:
    services = client.get("/cds-services").json()["services"]
    assert sorted(s["hook"] for s in services) == [
        "appointment-book",
        "order-select",
        "order-sign",
        "patient-view",
    ]
    for service in services:
        for template in service["prefetch"].values():
            assert not template.startswith(("http", "/")), template
            for token in re.findall(r"\{\{([^}]*)\}\}", template):
                assert re.fullmatch(r"context\.[A-Za-z]+", token.strip()), token


def _spec_requests() -> list[Path]:
    if not EXAMPLES.is_dir():
        return []
    found = []
    for path in sorted(EXAMPLES.rglob("*.json")):
        data = load_json(path)
        if isinstance(data, dict) and "hookInstance" in data and data.get("hook") in SERVICE_FOR_HOOK:
            found.append(path)
    return found


INVALID_EXAMPLES = {"28-request-with-extension.json", "30-request-with-extension.json"}
SPEC_REQUESTS = _spec_requests()


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/cds-hooks/spec-examples is absent")
def test_spec_examples_cover_every_supported_hook() -> None:
    names = {p.name for p in SPEC_REQUESTS}
    assert names >= INVALID_EXAMPLES
    assert {load_json(p)["hook"] for p in SPEC_REQUESTS} >= {"patient-view", "order-sign"}


@pytest.mark.skipif(not SPEC_REQUESTS, reason="../shared/cds-hooks/spec-examples is absent")
@pytest.mark.parametrize("path", SPEC_REQUESTS, ids=[f"{p.parent.name}/{p.name}" for p in SPEC_REQUESTS])
def test_spec_example_request(path: Path, client: CheckedClient) -> None:
    data = load_json(path)
    service = SERVICE_FOR_HOOK[data["hook"]]
    if path.name in INVALID_EXAMPLES:
        with pytest.raises(MalformedRequest):
            parse_hook_request(data, service.hook)
        response = client.post(f"/cds-services/{service.id}", json=data)
        assert response.status_code == 400
        assert "context.patientId" in issues(response)
        return
    parse_hook_request(data, service.hook)
    # With every key this service asks for answered (null = no data), the call must succeed without fetching.
    answered = copy.deepcopy(data)
    answered["prefetch"] = {**(data.get("prefetch") or {}), **dict.fromkeys(service.prefetch)}
    response = client.post(f"/cds-services/{service.id}", json=answered)
    assert response.status_code == 200, response.text
    assert response.json() == {"cards": []}


def test_unknown_service_is_404_with_operation_outcome(client: CheckedClient) -> None:
    response = client.post("/cds-services/no-such-service", json=example_request())
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_get_on_a_service_is_405(client: CheckedClient) -> None:
    response = client.get(ORDER_SELECT)
    assert response.status_code == 405
    assert response.json()["resourceType"] == "OperationOutcome"


def test_non_json_body_is_415(client: CheckedClient) -> None:
    response = client.post(ORDER_SELECT, content=b"hook=order-select", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_invalid_json_is_400(client: CheckedClient) -> None:
    response = client.post(ORDER_SELECT, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.pop("hookInstance"), "hookInstance"),
        (lambda r: r.update(hook="patient-view"), "hook"),
        (lambda r: r["context"].pop("patientId"), "context.patientId"),
        (
            lambda r: r["context"].update(selections=["MedicationRequest/not-a-draft"]),
            "context.selections[0]",
        ),
        (lambda r: r["context"].update(selections=[]), "context.selections"),
        (
            lambda r: r["context"].update(draftOrders={"resourceType": "Patient"}),
            "context.draftOrders.resourceType",
        ),
        (
            lambda r: r.update(
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "patient/*.read",
                    "subject": "cds",
                }
            ),
            "fhirServer",
        ),
        (lambda r: r.update(prefetch={"serviceRequests": "not a resource"}), "prefetch.serviceRequests"),
    ],
    ids=[
        "no-hookInstance",
        "hook-mismatch",
        "no-patientId",
        "selection-not-drafted",
        "no-selections",
        "draftOrders-not-bundle",
        "fhirAuthorization-without-fhirServer",
        "prefetch-not-a-resource",
    ],
)
def test_malformed_request_is_400_naming_the_field(mutate: Any, field: str, client: CheckedClient) -> None:
    request = example_request()
    mutate(request)
    response = client.post(ORDER_SELECT, json=request)
    assert response.status_code == 400, response.text
    assert field in issues(response)


def test_unknown_fields_extensions_and_untyped_draft_bundle_are_accepted(client: CheckedClient) -> None:
    request = example_request()
    request["extension"] = {"com.example.anything": {"nested": [1, 2]}}
    request["somethingNew"] = True
    request["context"]["draftOrders"].pop("type", None)
    request["context"]["futureField"] = "x"
    response = client.post(ORDER_SELECT, json=request)
    assert response.status_code == 200
    assert [c["source"]["topic"]["code"] for c in response.json()["cards"]] == ["BEV-SURG-BEFORE"]


def test_a_malformed_resource_costs_one_fact_not_the_hook(client: CheckedClient) -> None:
    request = example_request()
    good = request["prefetch"]["serviceRequests"]["entry"]
    bad = [
        {
            "resource": {
                "resourceType": "ServiceRequest",
                "id": "bad-1",
                "status": "active",
                "intent": "order",
                "category": "not-a-concept",
                "code": 42,
                "occurrenceDateTime": ["2026-03-10"],
            }
        },
        {"resource": {"resourceType": "Procedure", "id": "bad-2", "status": "preparation", "code": None}},
        {"resource": "not even an object"},
        {
            "resource": {
                "resourceType": "MedicationAdministration",
                "id": "bad-3",
                "status": "completed",
                "medicationCodeableConcept": {"coding": "oops"},
                "effectivePeriod": 7,
            }
        },
    ]
    request["prefetch"]["serviceRequests"]["entry"] = bad + good
    response = client.post(ORDER_SELECT, json=request)
    assert response.status_code == 200
    assert [c["source"]["topic"]["code"] for c in response.json()["cards"]] == ["BEV-SURG-BEFORE"]


def test_a_rule_that_raises_is_skipped_and_the_others_still_answer(
    client: CheckedClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    service = SERVICE_FOR_HOOK["order-select"]

    def explode(*args: Any) -> None:
        raise RuntimeError("boom")

    rules = tuple(
        dataclasses.replace(r, evaluate=explode) if r.id == "BEV-SURG-AFTER" else r for r in service.rules
    )
    assert rules != service.rules
    monkeypatch.setitem(vars(service), "rules", rules)
    response = client.post(ORDER_SELECT, json=example_request())
    assert response.status_code == 200
    assert [c["source"]["topic"]["code"] for c in response.json()["cards"]] == ["BEV-SURG-BEFORE"]
    assert "rule BEV-SURG-AFTER failed and was skipped: RuntimeError" in caplog.text


@pytest.mark.parametrize("dosage", UNREADABLE_DOSAGES.values(), ids=UNREADABLE_DOSAGES.keys())
def test_a_draft_with_an_unreadable_schedule_still_gets_its_card(client: CheckedClient, dosage: Any) -> None:
    request = example_request()
    request["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"] = dosage
    response = client.post(ORDER_SELECT, json=request)
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]
    assert card["source"]["topic"]["code"] == "BEV-SURG-BEFORE"
    assert "delete" in [a["type"] for s in card["suggestions"] for a in s["actions"]]


def test_a_malformed_surgery_period_never_breaks_the_schedule_card(client: CheckedClient) -> None:
    request = example_request()
    request["context"]["draftOrders"]["entry"] = [
        {
            "resource": {
                "resourceType": "ServiceRequest",
                "id": "lap-draft",
                "status": "draft",
                "intent": "order",
                "subject": {"reference": "Patient/pm-cervical-001"},
                "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "387713003"}]}],
                "code": {"text": "Laparotomy"},
                "occurrencePeriod": {"start": "2026-03-10", "end": "2026-13-45"},
            }
        }
    ]
    request["context"]["selections"] = ["ServiceRequest/lap-draft"]
    given = {
        "resourceType": "MedicationAdministration",
        "id": "dose",
        "status": "completed",
        "subject": {"reference": "Patient/pm-cervical-001"},
        "effectiveDateTime": "2026-02-20",
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "253337"}]
        },
    }
    request["prefetch"]["medicationAdministrations"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": given}],
    }
    response = client.post(ORDER_SELECT, json=request)
    assert response.status_code == 200, response.text
    assert [c["source"]["topic"]["code"] for c in response.json()["cards"]] == ["BEV-SURG-SCHEDULE"]


def test_every_rule_is_listed_on_the_source_page_of_each_document_it_rests_on(client: CheckedClient) -> None:
    listed: dict[str, set[str]] = {}
    for short_name, source in SOURCES.items():
        data = client.get(f"/sources/{short_name}", headers={"Accept": "application/json"}).json()
        assert (data["title"], data["publisher"], data["date"]) == (
            source.title,
            source.publisher,
            source.date,
        )
        for statement in data["statements"]:
            for rule in statement["rules"]:
                listed.setdefault(rule["id"], set()).add(short_name)
    assert listed == {r.id: {c.source for c in r.citations} for r in ALL_RULES}
    assert client.get("/sources/NOPE").status_code == 404


def test_card_source_url_points_at_a_page_the_service_serves(client: CheckedClient) -> None:
    card = client.post(ORDER_SELECT, json=example_request()).json()["cards"][0]
    url = card["source"]["url"]
    assert url.startswith("https://cds.example.org/sources/")
    assert client.get(url.removeprefix("https://cds.example.org")).status_code == 200
