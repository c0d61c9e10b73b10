"""Issue #18, items 11-13, found with the CDS Hooks sandbox as a client: keys registered out of band are used
although the token names a `jku` (behind an egress firewall nothing else can be), a key set that cannot be fetched
is logged as such (not as an unknown `kid`), and an http:// FHIR server is warned of before the running service
refuses it, and the refusal names the server and the reason.

JWK Set fetches go to a recording function, never to the network; refused FHIR servers are never contacted.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from cds_service import cli
from cds_service.app import create_app
from cds_service.auth.caller import AuthFailed
from cds_service.auth.clients import load_trusted_clients
from cds_service.auth.keys import KeyCache
from cds_service.auth.verify import Authenticator
from cds_service.fhir_refusal import url_for_log
from tests.auth_keys import PUBLIC_BASE, ClientKey, jwks, make_key, token, trusted_clients_file
from tests.conftest import FIXTURES, FROZEN_NOW, CheckedClient, load_json, suite_settings, with_fhir_server

NOW = FROZEN_NOW
MIN_REFETCH = 60.0  # KeyCache.min_refetch_seconds default
MAX_AGE = 3600.0  # KeyCache.max_age_seconds default
SANDBOX_ISS = "https://sandbox.cds-hooks.org"
SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"
MIRROR_JKU = "https://keys.sandbox.cds-hooks.org/jwks.json"
SANDBOX = make_key("ES384", "sandbox-es384")
SANDBOX_ROTATED = make_key("ES384", "sandbox-es384-2026")
DISCOVERY = "/cds-services"
SERVICE = "/cds-services/peritoneal-metastasis-order-select"
BEV_REQUEST = (
    FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy" / "request.json"
)
FHIR_TOKEN = "fhir-access-token-3d9b2c"


@dataclass
class RecordingFetcher:
    """Stands in for the JWK Set download: serves the sets it holds, raises `error` for any other URL (an egress
    firewall, a 5xx, an oversized body), and records every URL asked for."""

    sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: Exception = field(default_factory=lambda: requests.ConnectionError("egress blocked"))
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls.append(url)
        if url not in self.sets:
            raise self.error
        return copy.deepcopy(self.sets[url])


@dataclass
class MovableClock:
    """Monotonic seconds for the key cache."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


class MemoryJtis:
    """The replay check, in memory."""

    def __init__(self) -> None:
        self.claimed: set[tuple[str, str]] = set()

    def claim_jti(self, iss: str, jti: str, expires_at: Any) -> bool:
        fresh = (iss, jti) not in self.claimed
        self.claimed.add((iss, jti))
        return fresh


def write_clients(folder: Path, *clients: dict[str, Any]) -> Path:
    path = folder / "clients.json"
    path.write_text(json.dumps({"clients": list(clients)}), encoding="utf-8")
    return path


def sandbox_bearer(key: ClientKey = SANDBOX, jku: str | None = SANDBOX_JKU, path: str = DISCOVERY) -> str:
    headers = {"jku": jku} if jku is not None else {}
    return f"Bearer {token(key, PUBLIC_BASE + path, NOW, iss=SANDBOX_ISS, headers=headers)}"


@dataclass
class Service:
    client: TestClient
    fetcher: RecordingFetcher

    def discovery(self, authorization: str) -> Any:
        return self.client.get(DISCOVERY, headers={"Authorization": authorization})


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Starts the service trusting the given clients, with the given fetcher."""
    started: list[TestClient] = []

    def start(fetcher: RecordingFetcher, *clients: dict[str, Any]) -> Service:
        settings = suite_settings(tmp_path, trusted_clients=write_clients(tmp_path, *clients))
        client = TestClient(create_app(settings, clock=lambda: NOW, fetch_jwks=fetcher))
        started.append(client.__enter__())
        return Service(client, fetcher)

    yield start
    for client in started:
        client.__exit__(None, None, None)


def authenticator(
    folder: Path, fetcher: RecordingFetcher, monotonic: MovableClock, *clients: Any
) -> Authenticator:
    keys = KeyCache(fetch=fetcher, clock=monotonic)
    return Authenticator(
        load_trusted_clients(write_clients(folder, *clients)), keys, MemoryJtis(), lambda: NOW
    )


def check_of(auth: Authenticator, authorization: str) -> str:
    with pytest.raises(AuthFailed) as failed:
        auth.verify(authorization, PUBLIC_BASE + DISCOVERY)
    return failed.value.check


def auth_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("authentication failed")]


# --- 11: keys registered out of band, tokens naming a jku -------------------------------------------------------


@pytest.mark.parametrize("source", ["jwks", "jwks_file"])
def test_configured_key_is_used_although_the_token_names_a_jku_that_cannot_be_fetched(
    tmp_path: Path, serve: Any, caplog: pytest.LogCaptureFixture, source: str
) -> None:
    """Behind an egress firewall: every sandbox (and Epic) token names its jku, and was refused as kid-unknown
    although its key was in the trusted-clients file."""
    caplog.set_level(logging.INFO)
    keys: Any = jwks(SANDBOX)
    if source == "jwks_file":
        (tmp_path / "sandbox.jwks.json").write_text(json.dumps(keys), encoding="utf-8")
        keys = "sandbox.jwks.json"
    service = serve(RecordingFetcher(), {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU], source: keys})

    response = service.discovery(sandbox_bearer())

    assert response.status_code == 200, response.text
    assert service.fetcher.calls == []
    assert auth_failures(caplog) == []


def test_listed_jku_is_fetched_only_for_a_kid_the_configured_keys_lack(serve: Any) -> None:
    fetcher = RecordingFetcher({SANDBOX_JKU: jwks(SANDBOX_ROTATED)})
    service = serve(fetcher, {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU], "jwks": jwks(SANDBOX)})

    assert service.discovery(sandbox_bearer(SANDBOX)).status_code == 200
    assert fetcher.calls == []
    assert service.discovery(sandbox_bearer(SANDBOX_ROTATED)).status_code == 200
    assert fetcher.calls == [SANDBOX_JKU]


def test_jku_off_the_list_is_refused_even_when_the_kid_is_configured(
    serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    service = serve(RecordingFetcher(), {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU], "jwks": jwks(SANDBOX)})

    response = service.discovery(sandbox_bearer(jku="https://attacker.example/jwks.json"))

    assert response.status_code == 401
    assert service.fetcher.calls == []
    assert [f.split(" iss=")[0] for f in auth_failures(caplog)] == ["authentication failed: check=jku"]


# --- 12: a key set that cannot be fetched -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        requests.ConnectionError("egress blocked"),
        requests.HTTPError("503 Server Error"),
        ValueError("JWK Set too large"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_failed_fetch_is_logged_as_such_with_its_url_and_error_class(
    serve: Any, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    caplog.set_level(logging.DEBUG)
    service = serve(RecordingFetcher(error=error), {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU]})
    authorization = sandbox_bearer()

    response = service.discovery(authorization)

    assert response.status_code == 401
    bare = TestClient(service.client.app).get(DISCOVERY)
    assert response.json() == bare.json(), "the body must not differ by reason"
    assert auth_failures(caplog)[0].startswith("authentication failed: check=jwks-fetch-failed ")
    fetch_lines = [r.getMessage() for r in caplog.records if "fetch failed" in r.getMessage()]
    assert fetch_lines == [f"JWK Set fetch failed: url={SANDBOX_JKU} error={type(error).__name__}"]
    assert "kid-unknown" not in caplog.text
    signature = authorization.rsplit(".", 1)[1]
    assert authorization.removeprefix("Bearer ") not in caplog.text and signature not in caplog.text


def test_within_the_refetch_window_the_failed_fetch_is_still_named_and_a_later_fetch_clears_it(
    tmp_path: Path,
) -> None:
    fetcher, monotonic = RecordingFetcher(), MovableClock()
    auth = authenticator(tmp_path, fetcher, monotonic, {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU]})

    assert check_of(auth, sandbox_bearer()) == "jwks-fetch-failed"
    monotonic.now += MIN_REFETCH / 2
    assert check_of(auth, sandbox_bearer()) == "jwks-fetch-failed"
    assert fetcher.calls == [SANDBOX_JKU]

    fetcher.sets[SANDBOX_JKU] = jwks(SANDBOX)
    monotonic.now += MIN_REFETCH
    assert check_of(auth, sandbox_bearer(SANDBOX_ROTATED)) == "kid-unknown"
    assert auth.verify(sandbox_bearer(), PUBLIC_BASE + DISCOVERY).iss == SANDBOX_ISS
    assert fetcher.calls == [SANDBOX_JKU] * 2


def test_stale_key_set_still_serves_its_kids_while_the_refetch_fails(tmp_path: Path) -> None:
    """Only a kid the last fetched set lacks is a failed fetch: the kids it holds keep working offline."""
    fetcher, monotonic = RecordingFetcher({SANDBOX_JKU: jwks(SANDBOX)}), MovableClock()
    auth = authenticator(tmp_path, fetcher, monotonic, {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU]})
    auth.verify(sandbox_bearer(), PUBLIC_BASE + DISCOVERY)

    del fetcher.sets[SANDBOX_JKU]
    monotonic.now += MAX_AGE + 1
    assert auth.verify(sandbox_bearer(), PUBLIC_BASE + DISCOVERY).iss == SANDBOX_ISS
    assert check_of(auth, sandbox_bearer(SANDBOX_ROTATED)) == "jwks-fetch-failed"
    assert fetcher.calls == [SANDBOX_JKU] * 2


@pytest.mark.parametrize(("mirror_holds_the_kid", "check"), [(False, "jwks-fetch-failed"), (True, None)])
def test_token_without_jku_tries_every_listed_url_and_names_a_failed_fetch(
    tmp_path: Path, mirror_holds_the_kid: bool, check: str | None
) -> None:
    fetcher = RecordingFetcher({MIRROR_JKU: jwks(SANDBOX if mirror_holds_the_kid else SANDBOX_ROTATED)})
    client = {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU, MIRROR_JKU]}
    auth = authenticator(tmp_path, fetcher, MovableClock(), client)

    if check is None:
        assert auth.verify(sandbox_bearer(jku=None), PUBLIC_BASE + DISCOVERY).iss == SANDBOX_ISS
    else:
        assert check_of(auth, sandbox_bearer(jku=None)) == check
    assert fetcher.calls == [SANDBOX_JKU, MIRROR_JKU]


# --- 13: http:// FHIR servers -----------------------------------------------------------------------------------


def clients_with_fhir_servers(folder: Path, fhir_servers: list[str]) -> Path:
    """The test EHR's trusted-clients file with these fhir_servers, in a folder of its own (suite_settings writes
    the default file into `folder`)."""
    own = folder / "clients"
    own.mkdir(exist_ok=True)
    return trusted_clients_file(own, fhir_servers=fhir_servers)


def test_check_config_warns_that_an_http_fhir_server_is_refused_outside_dev(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = clients_with_fhir_servers(
        tmp_path, fhir_servers=["http://127.0.0.1:8080/fhir", "https://ehr.example.org/fhir"]
    )

    assert cli.main(["check-config", "--trusted-clients", str(clients)]) == 0

    warnings = [line.strip() for line in capsys.readouterr().out.splitlines() if "warning" in line]
    assert warnings == [
        "warning: http://127.0.0.1:8080/fhir: http:// FHIR servers are refused outside --dev "
        "(use https://, or run with --dev)"
    ]


def test_check_config_of_https_servers_warns_of_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = clients_with_fhir_servers(tmp_path, fhir_servers=["https://ehr.example.org/fhir"])

    assert cli.main(["check-config", "--trusted-clients", str(clients)]) == 0

    assert "warning" not in capsys.readouterr().out


def startup_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused outside --dev" in r.getMessage()]


@pytest.mark.parametrize(("dev", "warned"), [(False, True), (True, False)], ids=["service", "dev"])
def test_start_up_warns_of_http_fhir_servers_outside_dev(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, dev: bool, warned: bool
) -> None:
    caplog.set_level(logging.WARNING)
    clients = clients_with_fhir_servers(
        tmp_path, fhir_servers=["http://127.0.0.1:8080/fhir", "https://ehr.example.org"]
    )
    settings = suite_settings(
        tmp_path,
        dev=dev,
        trusted_clients=clients,
        fhir_servers="http://127.0.0.1:8080,https://ehr.example.org",
    )

    create_app(settings, clock=lambda: NOW)

    expected = [
        "trusted client https://ehr.example.org/: http://127.0.0.1:8080/fhir: http:// FHIR servers are refused "
        "outside --dev (use https://, or run with --dev)",
        "CDS_FHIR_SERVERS: http://127.0.0.1:8080: http:// FHIR servers are refused outside --dev "
        "(use https://, or run with --dev)",
    ]
    assert startup_warnings(caplog) == (expected if warned else [])


@pytest.mark.parametrize(
    ("overrides", "listed", "server", "logged"),
    [
        (
            {"dev": False},
            ["http://127.0.0.1"],
            "http://fhir-user:fhir-secret@127.0.0.1:9/fhir/r4?_secret=q1",
            "fhirServer http://127.0.0.1:9/fhir/r4 not allowed (http:// is refused outside --dev)",
        ),
        (
            {},
            ["https://ehr.example.org/fhir"],
            "http://127.0.0.1:9/fhir",
            "fhirServer http://127.0.0.1:9/fhir not allowed (not on the calling client's fhir_servers list)",
        ),
        (
            {"fhir_servers": "https://ehr.example.org/fhir"},
            ["https://other.example.org"],
            "https://other.example.org:8443/fhir#fragment-secret",
            "fhirServer https://other.example.org:8443/fhir not allowed "
            "(not on the service allow-list (CDS_FHIR_SERVERS))",
        ),
    ],
    ids=["http-outside-dev", "not-on-the-clients-list", "not-on-the-service-allow-list"],
)
def test_refused_fhir_server_is_logged_with_its_base_url_and_the_reason(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    overrides: dict[str, Any],
    listed: list[str],
    server: str,
    logged: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = suite_settings(
        tmp_path, trusted_clients=clients_with_fhir_servers(tmp_path, fhir_servers=listed), **overrides
    )
    request = with_fhir_server(load_json(BEV_REQUEST), server, FHIR_TOKEN)
    del request["prefetch"]

    with CheckedClient(create_app(settings, clock=lambda: NOW), NOW) as client:
        response = client.post(SERVICE, json=request)

    assert response.status_code == 412, response.text
    refusals = [r.getMessage() for r in caplog.records if "not allowed" in r.getMessage()]
    assert refusals == [f"{logged}; answering as if none was given"]
    for secret in ("fhir-user", "fhir-secret", "_secret", "fragment-secret", FHIR_TOKEN):
        assert secret not in caplog.text


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        ("https://u:p@[::1]:8443/fhir?x=1", "https://[::1]:8443/fhir"),
        ("https://ehr.example.org:port/fhir", "https://ehr.example.org/fhir"),
        ("https://ehr.example.org/" + "a" * 500, ("https://ehr.example.org/" + "a" * 500)[:200]),
    ],
    ids=["ipv6-with-credentials-and-query", "port-not-a-number", "long-path-clipped"],
)
def test_url_for_log_keeps_the_server_base_and_drops_what_may_be_secret(url: str, logged: str) -> None:
    assert url_for_log(url) == logged
