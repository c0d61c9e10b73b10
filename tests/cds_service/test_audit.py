"""The audit log: one JSON line per CDS call on the `peritoneal_cds.audit` logger (time, method, path, status,
latency, service, hookInstance, iss, jti, the rule ids of the cards returned), with no patient data and no token;
and a full run (fetch mode with a FHIR access token, feedback, a refused token) whose logs, at DEBUG everywhere,
hold neither the JWTs nor the access token."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from cds_service.app import create_app
from cds_service.web.audit import MAX_FIELD
from hooks.services import SERVICES_BY_ID
from tests.auth_keys import ES384, ISSUER, PUBLIC_BASE, make_key, token
from tests.conftest import (
    FIXTURES,
    FROZEN_NOW,
    CheckedClient,
    counting_uuids,
    load_json,
    suite_settings,
    with_fhir_server,
)
from tests.fake_fhir import FakeFhirServer, Reply, running_fake_fhir, searchset

AUDIT = "peritoneal_cds.audit"
SERVICE = "peritoneal-metastasis-order-select"
SERVICE_PATH = f"/cds-services/{SERVICE}"
FEEDBACK_PATH = f"{SERVICE_PATH}/feedback"
SCENARIO = FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy"
PATIENT_ID = "pm-cervical-001"
FHIR_TOKEN = "fhir-access-token-a9d3c2e1f0b7"
ROGUE = make_key("ES384", ES384.kid)
FIELDS = {"time", "method", "path", "status", "latency_ms", "service", "hookInstance", "iss", "jti", "rules"}


def bev_request() -> dict[str, Any]:
    request: dict[str, Any] = copy.deepcopy(load_json(SCENARIO / "request.json"))
    return request


def feedback_body() -> dict[str, Any]:
    item = {"card": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "outcome": "overridden"}
    return {"feedback": [{**item, "outcomeTimestamp": "2026-03-02T09:05:00Z"}]}


def signed(path: str, **claims: Any) -> tuple[str, dict[str, str]]:
    jwt_ = token(ES384, PUBLIC_BASE + path, FROZEN_NOW, **claims)
    return jwt_, {"Authorization": f"Bearer {jwt_}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[CheckedClient]:
    app = create_app(suite_settings(tmp_path), clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())
    with CheckedClient(app, FROZEN_NOW) as test_client:
        yield test_client


@pytest.fixture
def audit(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=AUDIT)
    return caplog


def audit_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    lines = []
    for record in caplog.records:
        if record.name == AUDIT:
            line = json.loads(record.getMessage())
            assert isinstance(line, dict)
            lines.append(line)
    return lines


def rule_ids(response: Any) -> list[str]:
    return [card["source"]["topic"]["code"] for card in response.json()["cards"]]


# --- one line per call ------------------------------------------------------------------------------------------


def test_service_call_is_one_json_audit_line_with_who_what_and_the_rules_of_the_cards(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    request = bev_request()
    _, headers = signed(SERVICE_PATH, jti="jti-audit-service-call")

    response = client.post(SERVICE_PATH, json=request, headers=headers)

    assert response.status_code == 200, response.text
    [line] = audit_lines(audit)
    assert set(line) == FIELDS
    assert line["time"] == FROZEN_NOW.isoformat()
    assert (line["method"], line["path"], line["status"]) == ("POST", SERVICE_PATH, 200)
    assert isinstance(line["latency_ms"], int | float) and line["latency_ms"] >= 0
    assert (line["service"], line["hookInstance"]) == (SERVICE, request["hookInstance"])
    assert (line["iss"], line["jti"]) == (ISSUER, "jti-audit-service-call")
    assert line["rules"] == rule_ids(response)
    assert "BEV-SURG-BEFORE" in line["rules"]


def test_audit_line_holds_no_patient_data_and_no_token(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    request = bev_request()
    jwt_, headers = signed(SERVICE_PATH)

    client.post(SERVICE_PATH, json=request, headers=headers)

    [record] = [r for r in audit.records if r.name == AUDIT]
    text = record.getMessage()
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    for private in (PATIENT_ID, request["context"]["userId"], request["context"]["encounterId"], draft["id"]):
        assert private not in text
    assert jwt_ not in text
    assert jwt_.rsplit(".", 1)[1] not in text


def test_service_call_without_cards_audits_an_empty_rule_list(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    request = bev_request()
    request["prefetch"]["serviceRequests"] = searchset()  # no surgery planned: no card

    response = client.post(SERVICE_PATH, json=request)

    assert response.json() == {"cards": []}
    [line] = audit_lines(audit)
    assert (line["status"], line["rules"]) == (200, [])


def test_discovery_call_is_audited_with_iss_and_jti(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    _, headers = signed("/cds-services", jti="jti-audit-discovery")

    assert client.get("/cds-services", headers=headers).status_code == 200

    [line] = audit_lines(audit)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/cds-services", 200)
    assert (line["iss"], line["jti"]) == (ISSUER, "jti-audit-discovery")


def test_feedback_call_is_audited_with_its_service(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    _, headers = signed(FEEDBACK_PATH, jti="jti-audit-feedback")

    assert client.post(FEEDBACK_PATH, json=feedback_body(), headers=headers).status_code == 200

    [line] = audit_lines(audit)
    assert (line["path"], line["status"], line["service"]) == (FEEDBACK_PATH, 200, SERVICE)
    assert (line["iss"], line["jti"]) == (ISSUER, "jti-audit-feedback")


def test_refused_call_is_audited_with_status_401(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    expired = token(ES384, PUBLIC_BASE + SERVICE_PATH, FROZEN_NOW - timedelta(hours=1))

    response = client.post(SERVICE_PATH, json=bev_request(), headers={"Authorization": f"Bearer {expired}"})

    assert response.status_code == 401
    [line] = audit_lines(audit)
    assert (line["method"], line["path"], line["status"]) == ("POST", SERVICE_PATH, 401)
    assert expired not in json.dumps(line)


@pytest.mark.parametrize(
    ("path", "content", "status"),
    [
        (SERVICE_PATH, b"{not json", 400),
        ("/cds-services/no-such-service", b"{}", 404),
        (SERVICE_PATH, json.dumps({**bev_request(), "prefetch": {}}).encode(), 412),
    ],
    ids=["malformed-400", "unknown-service-404", "data-unobtainable-412"],
)
def test_error_answers_are_audited_with_their_status(
    client: CheckedClient, audit: pytest.LogCaptureFixture, path: str, content: bytes, status: int
) -> None:
    response = client.post(path, content=content, headers={"Content-Type": "application/json"})

    assert response.status_code == status, response.text
    [line] = audit_lines(audit)
    assert (line["path"], line["status"], line["iss"]) == (path, status, ISSUER)


def test_every_call_is_one_line_in_order(client: CheckedClient, audit: pytest.LogCaptureFixture) -> None:
    statuses = [
        client.get("/cds-services").status_code,
        client.post(SERVICE_PATH, json=bev_request()).status_code,
        client.post(FEEDBACK_PATH, json=feedback_body()).status_code,
        client.get("/cds-services", headers={"Authorization": "Bearer nope"}).status_code,
        client.post(SERVICE_PATH, content=b"[]", headers={"Content-Type": "application/json"}).status_code,
    ]

    assert [line["status"] for line in audit_lines(audit)] == statuses == [200, 200, 200, 401, 400]


def test_caller_supplied_strings_are_truncated_in_the_audit_line(
    client: CheckedClient, audit: pytest.LogCaptureFixture
) -> None:
    request = bev_request()
    request["hookInstance"] = "h" * 10_000
    long_path = "/cds-services/" + "x" * 10_000

    client.post(SERVICE_PATH, json=request)
    client.post(long_path, json={})

    first, second = audit_lines(audit)
    assert 0 < len(first["hookInstance"]) <= MAX_FIELD
    assert 0 < len(second["path"]) <= MAX_FIELD
    assert second["status"] in (401, 404)


# --- a full run: no secret anywhere in the logs ----------------------------------------------------------------


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    """Serves the scenario's record: each prefetch query answered with the bundle the request would carry."""
    prefetch = bev_request()["prefetch"]
    with running_fake_fhir() as server:
        for key, template in SERVICES_BY_ID[SERVICE].prefetch.items():
            resource_type = template.split("?")[0].split("/")[0]
            server.route(resource_type, Reply(json=prefetch.get(key) or searchset()))
        yield server


def every_log_text(caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    for record in caplog.records:
        yield record.getMessage()
        yield repr(record.args)
        yield repr(vars(record))
        if record.exc_info:
            yield logging.Formatter().formatException(record.exc_info)
    yield caplog.text


def test_full_run_logs_neither_the_jwts_nor_the_fhir_access_token_at_debug(
    tmp_path: Path, fhir: FakeFhirServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        suite_settings(tmp_path, log_level="DEBUG"), clock=lambda: FROZEN_NOW, new_uuid=counting_uuids()
    )
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):  # also those the app quietens (urllib3, httpx…)
        caplog.set_level(logging.DEBUG, logger=name)
    request = bev_request()
    del request["prefetch"]
    with_fhir_server(request, fhir.base, FHIR_TOKEN)
    call_jwt, call_headers = signed(SERVICE_PATH)
    feedback_jwt, feedback_headers = signed(FEEDBACK_PATH)
    rogue_jwt = jwt.encode(
        {"iss": ISSUER, "aud": PUBLIC_BASE + SERVICE_PATH, "exp": int(FROZEN_NOW.timestamp()) + 60},
        ROGUE.private,
        algorithm="ES384",
        headers={"kid": ROGUE.kid, "typ": "JWT"},
    )

    with CheckedClient(app, FROZEN_NOW) as client:
        fetched = client.post(SERVICE_PATH, json=request, headers=call_headers)
        feedback = client.post(FEEDBACK_PATH, json=feedback_body(), headers=feedback_headers)
        replayed = client.post(FEEDBACK_PATH, json=feedback_body(), headers=feedback_headers)
        refused = client.post(SERVICE_PATH, json=request, headers={"Authorization": f"Bearer {rogue_jwt}"})

    assert (fetched.status_code, feedback.status_code, replayed.status_code, refused.status_code) == (
        200,
        200,
        401,
        401,
    ), fetched.text
    assert "BEV-SURG-BEFORE" in rule_ids(fetched)
    assert fhir.seen and {s.authorization for s in fhir.seen} == {f"Bearer {FHIR_TOKEN}"}
    assert any(r.levelno == logging.DEBUG for r in caplog.records), (
        "nothing at DEBUG: the check would be vacuous"
    )
    assert len(audit_lines(caplog)) == 4
    secrets = {FHIR_TOKEN: "FHIR access token"}
    for name, jwt_ in (
        ("service-call JWT", call_jwt),
        ("feedback JWT", feedback_jwt),
        ("refused JWT", rogue_jwt),
    ):
        secrets[jwt_] = name
        secrets[jwt_.rsplit(".", 1)[1]] = f"{name} signature"
    leaks = {name for text in every_log_text(caplog) for secret, name in secrets.items() if secret in text}
    assert leaks == set()
