"""CORS, for browser-based EHRs and the CDS Hooks sandbox: the origins of `Settings.cors_origins` are allowed on
every route, including the preflight of a hook call that carries a JWT; other origins are not; `*` only in dev
when no origin is configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_service.app import create_app
from tests.auth_keys import PUBLIC_BASE, trusted_clients_file
from tests.conftest import FROZEN_NOW, CheckedClient, counting_uuids, suite_settings

EHR = "https://ehr.example.org"
SANDBOX = "https://sandbox.cds-hooks.org"
STRANGER = "https://evil.example.net"
SERVICE = "peritoneal-metastasis-order-sign"

# (method, path) of every route; the hook call and feedback get bodies that are answered without FHIR I/O
ROUTES = [
    ("GET", "/cds-services"),
    ("POST", f"/cds-services/{SERVICE}"),
    ("POST", f"/cds-services/{SERVICE}/feedback"),
    ("GET", "/sources/CRC-PM-REVIEW"),
]
FEEDBACK_BODY = {
    "feedback": [{"card": "card-1", "outcome": "overridden", "outcomeTimestamp": "2026-03-02T09:05:00Z"}]
}


def _cors_client(tmp_path: Path, **settings: Any) -> TestClient:
    app = create_app(
        suite_settings(tmp_path, **settings), clock=lambda: FROZEN_NOW, new_uuid=counting_uuids()
    )
    return CheckedClient(app, raise_server_exceptions=False)


@pytest.fixture
def production(tmp_path: Path) -> Iterator[TestClient]:
    with _cors_client(tmp_path, dev=False, cors_origins=[EHR, SANDBOX]) as client:
        yield client


def _preflight(client: TestClient, path: str, origin: str, method: str = "POST") -> Any:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def _call(client: TestClient, method: str, path: str, origin: str) -> Any:
    body = FEEDBACK_BODY if path.endswith("/feedback") else {}
    if method == "POST":
        return client.post(path, json=body, headers={"Origin": origin})
    return client.get(path, headers={"Origin": origin})


def _allowed_headers(response: Any) -> set[str]:
    return {h.strip().lower() for h in response.headers.get("access-control-allow-headers", "").split(",")}


# --- configured origins -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [EHR, SANDBOX])
def test_preflight_of_a_hook_call_with_a_jwt_is_allowed_for_a_configured_origin(
    production: TestClient, origin: str
) -> None:
    response = _preflight(production, f"/cds-services/{SERVICE}", origin)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert {"authorization", "content-type"} <= _allowed_headers(response)
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_answers_a_preflight_from_a_configured_origin(
    production: TestClient, method: str, path: str
) -> None:
    response = _preflight(production, path, EHR, method)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == EHR
    assert method in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_allows_a_configured_origin_to_read_its_answer(
    production: TestClient, method: str, path: str
) -> None:
    response = _call(production, method, path, EHR)

    assert response.status_code < 500, response.text
    assert response.headers["access-control-allow-origin"] == EHR
    assert response.headers["access-control-allow-origin"] != "*"


def test_error_answers_carry_cors_headers_so_the_ehr_can_read_them(production: TestClient) -> None:
    not_found = production.post("/cds-services/no-such-service", json={}, headers={"Origin": EHR})
    unsupported = production.post(
        f"/cds-services/{SERVICE}/feedback",
        content=b"x",
        headers={"Origin": EHR, "Content-Type": "text/plain"},
    )

    assert (not_found.status_code, unsupported.status_code) == (404, 415)
    assert not_found.headers["access-control-allow-origin"] == EHR
    assert unsupported.headers["access-control-allow-origin"] == EHR


class _BrokenStore:
    def add(self, service_id: str, items: Any) -> int:
        raise RuntimeError("database unavailable")

    def items(self, service_id: str) -> list[dict[str, Any]]:
        return []

    def claim_jti(self, iss: str, jti: str, expires_at: Any) -> bool:
        return True

    def ping(self) -> None:
        raise RuntimeError("database unavailable")

    def record_cards(self, service_id: str, cards: Any) -> None:
        raise RuntimeError("database unavailable")

    def feedback_by_rule(self) -> list[dict[str, Any]]:
        raise RuntimeError("database unavailable")

    def rules_of_cards(self, card_uuids: Any) -> dict[str, str]:
        raise RuntimeError("database unavailable")


def test_an_internal_error_answer_carries_cors_headers(tmp_path: Path) -> None:
    app = create_app(
        suite_settings(tmp_path, dev=False, cors_origins=[EHR]),
        store=_BrokenStore(),
        clock=lambda: FROZEN_NOW,
    )
    with CheckedClient(app, raise_server_exceptions=False) as client:
        response = client.post(
            f"/cds-services/{SERVICE}/feedback", json=FEEDBACK_BODY, headers={"Origin": EHR}
        )

    assert response.status_code == 500
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.headers.get("access-control-allow-origin") == EHR


# --- other origins ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [STRANGER, "http://ehr.example.org", "https://ehr.example.org.evil.net"])
def test_preflight_from_an_origin_not_listed_is_refused(production: TestClient, origin: str) -> None:
    response = _preflight(production, f"/cds-services/{SERVICE}", origin)

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_answers_to_an_origin_not_listed_carry_no_allow_origin(
    production: TestClient, method: str, path: str
) -> None:
    response = _call(production, method, path, STRANGER)

    assert "access-control-allow-origin" not in response.headers


def test_cors_origins_come_from_the_environment_as_a_comma_separated_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDS_CORS_ORIGINS", f"{EHR}, {SANDBOX}")
    monkeypatch.setenv("CDS_DEV", "false")
    monkeypatch.setenv("CDS_DATABASE_URL", f"sqlite:///{tmp_path / 'cds.sqlite3'}")
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(trusted_clients_file(tmp_path)))
    monkeypatch.setenv("CDS_PUBLIC_BASE_URL", PUBLIC_BASE)

    with TestClient(create_app()) as client:
        allowed = _preflight(client, f"/cds-services/{SERVICE}", SANDBOX)
        refused = _preflight(client, f"/cds-services/{SERVICE}", STRANGER)

    assert allowed.headers["access-control-allow-origin"] == SANDBOX
    assert "access-control-allow-origin" not in refused.headers


# --- the wildcard -----------------------------------------------------------------------------------------------


def test_dev_without_configured_origins_allows_any_origin(tmp_path: Path) -> None:
    with _cors_client(tmp_path, dev=True, cors_origins=[]) as client:
        preflight = _preflight(client, f"/cds-services/{SERVICE}", STRANGER)
        answer = client.get("/cds-services", headers={"Origin": STRANGER})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in _allowed_headers(preflight)
    assert answer.headers["access-control-allow-origin"] == "*"


def test_dev_with_configured_origins_allows_only_those(tmp_path: Path) -> None:
    with _cors_client(tmp_path, dev=True, cors_origins=[EHR]) as client:
        allowed = _preflight(client, f"/cds-services/{SERVICE}", EHR)
        refused = _preflight(client, f"/cds-services/{SERVICE}", STRANGER)

    assert allowed.headers["access-control-allow-origin"] == EHR
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_outside_dev_without_configured_origins_no_origin_is_allowed(tmp_path: Path) -> None:
    with _cors_client(tmp_path, dev=False, cors_origins=[]) as client:
        preflight = _preflight(client, f"/cds-services/{SERVICE}", EHR)
        answer = client.get("/cds-services", headers={"Origin": EHR})

    assert answer.status_code == 200
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in answer.headers


def test_credentials_are_not_allowed_so_the_wildcard_never_exposes_cookies(tmp_path: Path) -> None:
    with _cors_client(tmp_path, dev=True, cors_origins=[]) as client:
        preflight = _preflight(client, f"/cds-services/{SERVICE}", STRANGER)

    assert "access-control-allow-credentials" not in preflight.headers
