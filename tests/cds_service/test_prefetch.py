"""Prefetch resolution (CDS Hooks 2.0 §Prefetch): given keys are used, null is "no data", an OperationOutcome is
re-queried once, absent keys are fetched from an allowed fhirServer with its token; data that cannot be obtained is
a 412 naming `prefetch.<key>`, never a 500 and never a hang. Unit level through `resolve`, and end to end."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from cds_service.errors import MalformedRequest, PrefetchUnobtainable
from cds_service.fhir_client import FhirClient, FhirLimits
from cds_service.prefetch.resolve import render, resolve, resolve_medications
from fhir_mappings.facts import Drug
from fhir_mappings.valuesets import DRUGS
from hooks.services import SERVICES_BY_ID
from tests.conftest import FIXTURES, load_json, make_client, suite_settings, with_fhir_server
from tests.fake_fhir import FakeFhirServer, Reply, outcome, running_fake_fhir, searchset

TOKEN = "secret-access-token-d41d8cd98f"
BEARER = f"Bearer {TOKEN}"
ORDER_SELECT = SERVICES_BY_ID["peritoneal-metastasis-order-select"]
BEV_REQUEST = (
    FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy" / "request.json"
)
PATIENT_ID = "pm-cervical-001"
DEADLINE = 2.0
"""Roomy: ten concurrent queries on a loaded CI machine can take half a second; only the tests of the deadline
itself wait for it (their replies wait 10 s)."""
SEARCHED_TYPES = {
    key: template.split("?")[0].split("/")[0] for key, template in ORDER_SELECT.prefetch.items()
}
ROUTES = {
    key: str(render(t, {"patientId": PATIENT_ID})).split("?")[0] for key, t in ORDER_SELECT.prefetch.items()
}


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    with running_fake_fhir() as server:
        yield server


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-fetch")
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def client_for(server: FakeFhirServer, deadline: float = 5.0) -> FhirClient:
    return FhirClient(server.base, TOKEN, FhirLimits(), time.monotonic() + deadline)


def patient(pid: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid}


# --- render ----------------------------------------------------------------------------------------------------


def test_render_fills_root_context_tokens() -> None:
    assert render("Procedure?patient={{context.patientId}}", {"patientId": "p1"}) == "Procedure?patient=p1"
    assert render("Procedure?patient={{ context.patientId }}", {"patientId": "p1"}) == "Procedure?patient=p1"


@pytest.mark.parametrize("context", [{}, {"patientId": ""}, {"patientId": 7}, {"patientId": None}])
def test_render_without_a_string_value_for_a_token_is_none(context: dict[str, Any]) -> None:
    assert render("Procedure?patient={{context.patientId}}", context) is None


def test_render_without_tokens_is_the_template() -> None:
    assert render("Practitioner/p1", {}) == "Practitioner/p1"


# --- resolve ---------------------------------------------------------------------------------------------------

TEMPLATES = {
    "patients": "Patient?_id={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
}
CONTEXT = {"patientId": "p1", "userId": "Practitioner/u1"}


def test_key_given_as_null_is_not_fetched(fhir: FakeFhirServer, executor: ThreadPoolExecutor) -> None:
    found = resolve(TEMPLATES, {"patients": None, "procedures": None}, CONTEXT, client_for(fhir), executor)

    assert found == []
    assert fhir.seen == []


def test_key_given_as_a_bundle_is_used_not_fetched(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    given = {"patients": searchset(patient("p1")), "procedures": {"resourceType": "Procedure", "id": "x"}}

    found = resolve(TEMPLATES, given, CONTEXT, client_for(fhir), executor)

    assert [r["id"] for r in found] == ["p1", "x"]
    assert fhir.seen == []


def test_absent_key_without_a_server_is_unobtainable_naming_the_key(executor: ThreadPoolExecutor) -> None:
    with pytest.raises(PrefetchUnobtainable) as raised:
        resolve(TEMPLATES, {"patients": None}, CONTEXT, None, executor)

    assert raised.value.fields == ["prefetch.procedures"]
    assert raised.value.status == 412


def test_absent_key_is_fetched_from_the_server_with_the_token(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("Procedure", Reply(json=searchset({"resourceType": "Procedure", "id": "proc-1"})))

    found = resolve(TEMPLATES, {"patients": None}, CONTEXT, client_for(fhir), executor)

    assert [r["id"] for r in found] == ["proc-1"]
    assert [(s.path, s.authorization) for s in fhir.seen] == [("/fhir/Procedure?patient=p1", BEARER)]


def test_operation_outcome_key_is_requeried_once_when_a_server_is_available(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("Procedure", Reply(json=searchset({"resourceType": "Procedure", "id": "proc-1"})))

    found = resolve(
        TEMPLATES, {"patients": None, "procedures": outcome()}, CONTEXT, client_for(fhir), executor
    )

    assert [r["id"] for r in found] == ["proc-1"]
    assert len(fhir.hits("Procedure")) == 1


def test_operation_outcome_key_without_a_server_is_unobtainable(executor: ThreadPoolExecutor) -> None:
    with pytest.raises(PrefetchUnobtainable) as raised:
        resolve(TEMPLATES, {"patients": None, "procedures": outcome()}, CONTEXT, None, executor)

    assert raised.value.fields == ["prefetch.procedures"]


def test_operation_outcome_key_that_fails_again_is_unobtainable(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("Procedure", Reply(500, outcome()))

    with pytest.raises(PrefetchUnobtainable) as raised:
        resolve(TEMPLATES, {"patients": None, "procedures": outcome()}, CONTEXT, client_for(fhir), executor)

    assert raised.value.fields == ["prefetch.procedures"]
    assert len(fhir.hits("Procedure")) == 1


@pytest.mark.parametrize(
    "value", ["a string", 42, [searchset()], {"entry": []}, {"resourceType": 3}], ids=repr
)
def test_prefetch_value_that_is_not_a_fhir_resource_is_malformed(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor, value: Any
) -> None:
    with pytest.raises(MalformedRequest) as raised:
        resolve(TEMPLATES, {"patients": None, "procedures": value}, CONTEXT, client_for(fhir), executor)

    assert raised.value.fields == ["prefetch.procedures"]
    assert raised.value.status == 400
    assert fhir.seen == []


def test_only_the_keys_that_fail_are_named(fhir: FakeFhirServer, executor: ThreadPoolExecutor) -> None:
    fhir.route("Patient", Reply(json=searchset(patient("p1"))))
    fhir.route("Procedure", Reply(401, outcome("security")))

    with pytest.raises(PrefetchUnobtainable) as raised:
        resolve(TEMPLATES, {}, CONTEXT, client_for(fhir), executor)

    assert raised.value.fields == ["prefetch.procedures"]


def test_given_bundle_with_a_next_link_is_completed_from_the_server(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("page2", Reply(json=searchset(patient("p2"))))
    given = {"patients": searchset(patient("p1"), next_url=f"{fhir.base}/page2"), "procedures": None}

    found = resolve(TEMPLATES, given, CONTEXT, client_for(fhir), executor)

    assert sorted(r["id"] for r in found) == ["p1", "p2"]
    assert [(s.path, s.authorization) for s in fhir.seen] == [("/fhir/page2", BEARER)]


def test_search_answered_404_is_no_data(fhir: FakeFhirServer, executor: ThreadPoolExecutor) -> None:
    fhir.route("Procedure", Reply(404, outcome("not-found")))

    assert resolve(TEMPLATES, {"patients": None}, CONTEXT, client_for(fhir), executor) == []
    assert len(fhir.hits("Procedure")) == 1


def test_slow_fetch_is_unobtainable_within_the_deadline(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("Procedure", Reply(json=searchset(), wait=10.0))
    fhir.route("Patient", Reply(json=searchset(), wait=10.0))

    started = time.monotonic()
    with pytest.raises(PrefetchUnobtainable) as raised:
        resolve(TEMPLATES, {}, CONTEXT, client_for(fhir, deadline=DEADLINE), executor)

    assert time.monotonic() - started < DEADLINE + 1.0
    assert raised.value.fields == ["prefetch.patients", "prefetch.procedures"]


# --- resolve_medications ---------------------------------------------------------------------------------------


def order(mid: str, medication: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": "draft",
        "intent": "order",
        "medicationReference": {"reference": medication},
    }


def test_referenced_medication_missing_from_the_request_is_fetched(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("Medication/m1", Reply(json={"resourceType": "Medication", "id": "m1"}))
    present = {"resourceType": "Medication", "id": "m2"}

    found = resolve_medications(
        [order("o1", "Medication/m1"), order("o2", "Medication/m2"), present], client_for(fhir), executor
    )

    assert found == [{"resourceType": "Medication", "id": "m1"}]
    assert [(s.path, s.authorization) for s in fhir.seen] == [("/fhir/Medication/m1", BEARER)]


def test_unresolvable_medication_costs_only_that_medication(
    fhir: FakeFhirServer, executor: ThreadPoolExecutor
) -> None:
    fhir.route("Medication/m1", Reply(500, outcome()))

    assert resolve_medications([order("o1", "Medication/m1")], client_for(fhir), executor) == []
    assert len(fhir.hits("Medication/m1")) == 1


def test_referenced_medication_without_a_server_is_not_fetched(executor: ThreadPoolExecutor) -> None:
    assert resolve_medications([order("o1", "Medication/m1")], None, executor) == []


# --- end to end through the HTTP API ---------------------------------------------------------------------------


def settings_for(tmp_path: Path, **overrides: Any) -> Any:
    return suite_settings(tmp_path, prefetch_deadline_seconds=DEADLINE, **overrides)


def bev_request() -> dict[str, Any]:
    """Bevacizumab draft starting 2026-03-02 (FROZEN_NOW), laparotomy ServiceRequest on 2026-03-16."""
    return copy.deepcopy(load_json(BEV_REQUEST))


def laparotomy() -> dict[str, Any]:
    entry = bev_request()["prefetch"]["serviceRequests"]["entry"][0]
    return dict(entry["resource"])


def with_server(request: dict[str, Any], base: str, token: str = TOKEN) -> dict[str, Any]:
    return with_fhir_server(request, base, token)


def serve_record(fhir: FakeFhirServer, **replies: Reply) -> None:
    """Empty searchsets for every searched type, but the laparotomy ServiceRequest; `replies` override by key."""
    for key, path in ROUTES.items():
        default = Reply(json=searchset(laparotomy())) if key == "serviceRequests" else Reply(json=searchset())
        fhir.route(path, replies.get(key, default))


def call(tmp_path: Path, request: dict[str, Any], **overrides: Any) -> httpx.Response:
    with make_client(settings_for(tmp_path, **overrides)) as client:
        response: httpx.Response = client.post(f"/cds-services/{ORDER_SELECT.id}", json=request)
    return response


def rule_codes(body: dict[str, Any]) -> list[str]:
    return [card["source"]["topic"]["code"] for card in body["cards"]]


def issue_expressions(body: dict[str, Any]) -> list[str]:
    assert body["resourceType"] == "OperationOutcome"
    return [e for issue in body["issue"] for e in issue.get("expression", [])]


def test_api_given_prefetch_is_used_and_the_server_is_not_contacted(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    response = call(tmp_path, with_server(bev_request(), fhir.base))

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == ["BEV-SURG-BEFORE"]
    assert fhir.seen == []


def test_api_key_given_as_null_is_not_fetched(tmp_path: Path, fhir: FakeFhirServer) -> None:
    request = with_server(bev_request(), fhir.base)
    request["prefetch"]["procedures"] = None

    response = call(tmp_path, request)

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == ["BEV-SURG-BEFORE"]
    assert fhir.seen == []


def test_api_absent_key_without_fhir_server_is_412_naming_the_key(tmp_path: Path) -> None:
    request = bev_request()
    del request["prefetch"]["procedures"]

    response = call(tmp_path, request)

    assert response.status_code == 412, response.text
    assert issue_expressions(response.json()) == ["prefetch.procedures"]


def test_api_absent_prefetch_is_fetched_with_the_bearer_token(tmp_path: Path, fhir: FakeFhirServer) -> None:
    serve_record(fhir)
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]

    response = call(tmp_path, request)

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == ["BEV-SURG-BEFORE"]
    assert sorted(s.path.split("?")[0].split("/")[2] for s in fhir.seen) == sorted(SEARCHED_TYPES.values())
    assert all(PATIENT_ID in s.path for s in fhir.seen)
    assert {s.authorization for s in fhir.seen} == {BEARER}


def test_api_operation_outcome_key_is_requeried_once_when_a_server_is_available(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    serve_record(fhir)
    request = with_server(bev_request(), fhir.base)
    request["prefetch"]["serviceRequests"] = outcome()

    response = call(tmp_path, request)

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == ["BEV-SURG-BEFORE"]  # the laparotomy came from the re-query
    assert [(s.path.split("?")[0], s.authorization) for s in fhir.seen] == [("/fhir/ServiceRequest", BEARER)]


def test_api_operation_outcome_key_without_a_server_is_412(tmp_path: Path) -> None:
    request = bev_request()
    request["prefetch"]["serviceRequests"] = outcome()

    response = call(tmp_path, request)

    assert response.status_code == 412, response.text
    assert issue_expressions(response.json()) == ["prefetch.serviceRequests"]


@pytest.mark.parametrize("value", ["a string", 0, ["Bundle"]], ids=repr)
def test_api_prefetch_value_that_is_not_a_fhir_resource_is_400_naming_the_key(
    tmp_path: Path, value: Any
) -> None:
    request = bev_request()
    request["prefetch"]["procedures"] = value

    response = call(tmp_path, request)

    assert response.status_code == 400, response.text
    assert "prefetch.procedures" in issue_expressions(response.json())


SERVER_FAILURES = {
    "401": Reply(401, outcome("security")),
    "403": Reply(403, outcome("forbidden")),
    "500": Reply(500, outcome()),
    "garbage": Reply(raw=b"\x00\xffnot json at all"),
    "not-a-resource": Reply(json={"hello": "world"}),
    "redirect": Reply(302, raw=b"", headers={"Location": "http://127.0.0.1:9/elsewhere"}),
    "too-slow": Reply(json=searchset(), wait=10.0),
}


@pytest.mark.parametrize("failure", list(SERVER_FAILURES), ids=list(SERVER_FAILURES))
def test_api_server_failure_is_412_in_bounded_time(
    tmp_path: Path, fhir: FakeFhirServer, failure: str
) -> None:
    serve_record(fhir, serviceRequests=SERVER_FAILURES[failure])
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]["serviceRequests"]

    started = time.monotonic()
    response = call(tmp_path, request)
    elapsed = time.monotonic() - started

    assert response.status_code == 412, response.text
    assert issue_expressions(response.json()) == ["prefetch.serviceRequests"]
    assert elapsed < DEADLINE + 1.5
    assert len(fhir.hits("ServiceRequest")) == 1


def test_api_every_key_slow_is_412_within_the_deadline(tmp_path: Path, fhir: FakeFhirServer) -> None:
    slow = Reply(json=searchset(), wait=10.0)
    serve_record(fhir, **dict.fromkeys(SEARCHED_TYPES, slow))
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]

    started = time.monotonic()
    response = call(tmp_path, request)

    assert time.monotonic() - started < DEADLINE + 1.5
    assert response.status_code == 412, response.text
    assert sorted(issue_expressions(response.json())) == sorted(f"prefetch.{k}" for k in SEARCHED_TYPES)


def test_api_search_answered_404_is_no_data(tmp_path: Path, fhir: FakeFhirServer) -> None:
    serve_record(fhir, serviceRequests=Reply(404, outcome("not-found")))
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]["serviceRequests"]

    response = call(tmp_path, request)

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == []  # no surgery on record, so no bevacizumab-surgery card
    assert len(fhir.hits("ServiceRequest")) == 1


@pytest.fixture
def no_outbound_http(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL the FHIR client tries to reach (requests.Session is used only by it), answered by an error."""
    attempts: list[str] = []

    def refuse(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        attempts.append(url)
        raise requests.ConnectionError("outbound HTTP is not allowed in this test")

    monkeypatch.setattr(requests.Session, "request", refuse)
    return attempts


@pytest.mark.parametrize(
    ("server", "overrides"),
    [
        ("http://example.org/fhir", {"dev": False}),
        ("http://example.org/fhir", {}),
        ("ftp://127.0.0.1/fhir", {}),
        ("https://other-ehr.example.org/fhir", {"fhir_servers": ["https://ehr.example.org/fhir"]}),
        ("https://ehr.example.org.evil.test/fhir", {"fhir_servers": ["https://ehr.example.org"]}),
    ],
    ids=["http-without-dev", "http-not-loopback", "ftp", "not-in-allowlist", "allowlist-prefix-trick"],
)
def test_api_fhir_server_not_allowed_is_treated_as_absent_and_never_contacted(
    tmp_path: Path, no_outbound_http: list[str], server: str, overrides: dict[str, Any]
) -> None:
    request = with_server(bev_request(), server)
    del request["prefetch"]["procedures"]

    response = call(tmp_path, request, **overrides)

    assert response.status_code == 412, response.text
    assert issue_expressions(response.json()) == ["prefetch.procedures"]
    assert no_outbound_http == []


def test_api_loopback_fhir_server_outside_the_allowlist_is_never_contacted(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    serve_record(fhir)
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]["procedures"]

    response = call(tmp_path, request, fhir_servers=["https://ehr.example.org/fhir"])

    assert response.status_code == 412, response.text
    assert fhir.seen == []


BEVACIZUMAB_CODING = next(
    {"system": c.system, "code": c.code, "display": c.display} for c in DRUGS[Drug.BEVACIZUMAB].codes
)


def bev_request_by_reference() -> dict[str, Any]:
    """The bevacizumab draft, naming its drug only by `medicationReference` to a Medication not in the request."""
    request = bev_request()
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    del draft["medicationCodeableConcept"]
    draft["medicationReference"] = {"reference": "Medication/bev-1"}
    return request


def test_api_medication_reference_is_fetched_and_identifies_bevacizumab(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    medication = {"resourceType": "Medication", "id": "bev-1", "code": {"coding": [BEVACIZUMAB_CODING]}}
    fhir.route("Medication/bev-1", Reply(json=medication))

    response = call(tmp_path, with_server(bev_request_by_reference(), fhir.base))

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == ["BEV-SURG-BEFORE"]
    assert [(s.path, s.authorization) for s in fhir.seen] == [("/fhir/Medication/bev-1", BEARER)]


def test_api_medication_reference_that_cannot_be_fetched_is_not_identified(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    fhir.route("Medication/bev-1", Reply(500, outcome()))

    response = call(tmp_path, with_server(bev_request_by_reference(), fhir.base))

    assert response.status_code == 200, response.text
    assert rule_codes(response.json()) == []
    assert len(fhir.hits("Medication/bev-1")) == 1


def test_api_access_token_never_appears_in_any_log_record(
    tmp_path: Path, fhir: FakeFhirServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outcomes = []
    for name, failure in [("ok", None), *SERVER_FAILURES.items()]:
        serve_record(fhir, **({"serviceRequests": failure} if failure else {}))
        fhir.route("Medication/bev-1", Reply(401, outcome("security")))
        request = with_server(bev_request_by_reference(), fhir.base)
        del request["prefetch"]
        outcomes.append((name, call(tmp_path, request, log_level="DEBUG").status_code))

    assert outcomes == [("ok", 200)] + [(name, 412) for name in SERVER_FAILURES]
    assert caplog.records, "the calls logged nothing: the check below would be vacuous"
    assert len(fhir.seen) >= 1 + len(SERVER_FAILURES)
    for record in caplog.records:
        assert TOKEN not in record.getMessage(), (record.name, record.levelname)
        assert TOKEN not in repr(record.args), (record.name, record.levelname)
    assert TOKEN not in caplog.text


def test_api_patient_id_never_appears_in_any_log_record_at_debug(
    tmp_path: Path, fhir: FakeFhirServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    serve_record(fhir)
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]

    response = call(tmp_path, request, log_level="DEBUG")

    assert response.status_code == 200, response.text
    assert len(fhir.seen) == len(SEARCHED_TYPES)
    leaks = [record.name for record in caplog.records if PATIENT_ID in record.getMessage()]
    assert leaks == []


def test_a_call_waiting_on_its_fhir_server_does_not_hold_the_evaluation_slot(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    """The decision checked: with one evaluation slot, two fetch-mode calls still wait on the FHIR server at the
    same time (the slot is given back during the fetch), so both answer in about one server delay."""
    delay = 0.4
    serve_record(fhir, procedures=Reply(json=searchset(), wait=delay))
    request = with_server(bev_request(), fhir.base)
    del request["prefetch"]
    results: list[int] = []
    with make_client(settings_for(tmp_path, max_concurrent_hooks=1)) as client:

        def post() -> None:
            results.append(client.post(f"/cds-services/{ORDER_SELECT.id}", json=request).status_code)

        started = time.perf_counter()
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    assert results == [200, 200]
    assert elapsed < 2 * delay
