"""Client authentication (CDS Hooks 2.0 §Trusting CDS Clients): the real clients' tokens are accepted, everything
else is a bare 401, the log names the failed check but never the token, and start-up refuses an unsafe or
malformed trusted-clients file.

Through the HTTP API (discovery, a service call, feedback) and at the Authenticator level, where the key cache's
clock can be moved. JWK Set fetches go to a recording function passed as `fetch_jwks`, never to the network.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
import yaml
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from cds_service.app import create_app
from cds_service.auth.caller import AuthFailed
from cds_service.auth.clients import load_trusted_clients
from cds_service.auth.keys import KeyCache
from cds_service.auth.verify import Authenticator
from cds_service.errors import ConfigError
from cds_service.settings import Settings
from tests.auth_keys import ES384, ISSUER, PUBLIC_BASE, RS384, ClientKey, jwks, make_key, token
from tests.conftest import (
    FIXTURES,
    FROZEN_NOW,
    SHARED,
    CheckedClient,
    counting_uuids,
    load_json,
    suite_settings,
    with_fhir_server,
)
from tests.fake_fhir import FakeFhirServer, Reply, running_fake_fhir, searchset

NOW = FROZEN_NOW
LEEWAY = 30  # Settings.jwt_leeway_seconds default
MAX_LIFETIME = 3600  # Settings.jwt_max_lifetime_seconds default
MIN_REFETCH = 60.0  # KeyCache.min_refetch_seconds default

SANDBOX_ISS = "https://sandbox.cds-hooks.org"
SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"
EPIC_ISS = "https://fhir.epic.example.org/interconnect-fhir-oauth/"
TENANT = "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"

SANDBOX = make_key("ES384", "sandbox-es384")
SANDBOX_ROTATED = make_key("ES384", "sandbox-es384-2026")
EPIC = make_key("RS384", "epic-rs384")
ROGUE = make_key("ES384", ES384.kid)  # not trusted, but names a trusted kid

SPEC_EXAMPLES = SHARED / "cds-hooks" / "spec-examples" / "spec-2.0.1"
SPEC_TOKEN = SPEC_EXAMPLES / "33-jwt-example-token.json"
SPEC_JWKS = SPEC_EXAMPLES / "26-jwks-public.json"
SPEC_ISS = "https://fhir-ehr.example.com/"
SPEC_JKU = "https://fhir-ehr.example.com/jwk_uri"

SERVICE = "peritoneal-metastasis-order-select"
BEV_REQUEST = (
    FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy" / "request.json"
)
FHIR_TOKEN = "fhir-access-token-6f1c9e0b7a"


# --- clients, endpoints, tokens ---------------------------------------------------------------------------------


@dataclass
class RecordingFetcher:
    """Stands in for the JWK Set download: serves the sets it holds and records every URL asked for."""

    sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls.append(url)
        if url not in self.sets:
            raise requests.ConnectionError(f"no JWK Set at {url}")
        return copy.deepcopy(self.sets[url])


@pytest.fixture
def fetcher() -> RecordingFetcher:
    return RecordingFetcher({SANDBOX_JKU: jwks(SANDBOX)})


def clients_document(**extra_client: Any) -> dict[str, Any]:
    """The test EHR (static ES384 + RS384 keys, a tenant), the CDS Hooks sandbox (keys only by jku) and an
    Epic-style issuer (static RS384 key)."""
    return {
        "clients": [
            {
                "iss": ISSUER,
                "jwks": jwks(ES384, RS384),
                "tenant": TENANT,
                "fhir_servers": ["http://127.0.0.1"],
                **extra_client,
            },
            {"iss": SANDBOX_ISS, "jku": [SANDBOX_JKU]},
            {"iss": EPIC_ISS, "jwks": jwks(EPIC)},
        ]
    }


def write_clients(folder: Path, document: dict[str, Any] | None = None, name: str = "clients.json") -> Path:
    content = document if document is not None else clients_document()
    path = folder / name
    text = yaml.safe_dump(content) if name.endswith((".yaml", ".yml")) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def settings_for(folder: Path, clients: Path | None = None, **overrides: Any) -> Settings:
    return suite_settings(folder, trusted_clients=clients or write_clients(folder), **overrides)


@pytest.fixture
def service(tmp_path: Path, fetcher: RecordingFetcher) -> Iterator[CheckedClient]:
    app = create_app(settings_for(tmp_path), clock=lambda: NOW, new_uuid=counting_uuids(), fetch_jwks=fetcher)
    with CheckedClient(app, NOW) as client:
        yield client


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    other: str
    """Path of another endpoint of this service (for a token meant for somewhere else)."""

    @property
    def aud(self) -> str:
        return PUBLIC_BASE + self.path

    def body(self) -> Any:
        if self.name == "service":
            return load_json(BEV_REQUEST)
        if self.name == "feedback":
            item = {"card": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "outcome": "overridden"}
            return {"feedback": [{**item, "outcomeTimestamp": "2026-03-02T09:05:00Z"}]}
        return None


DISCOVERY = Endpoint("discovery", "GET", "/cds-services", f"/cds-services/{SERVICE}")
SERVICE_CALL = Endpoint("service", "POST", f"/cds-services/{SERVICE}", "/cds-services")
FEEDBACK = Endpoint("feedback", "POST", f"/cds-services/{SERVICE}/feedback", f"/cds-services/{SERVICE}")
ENDPOINTS = [DISCOVERY, SERVICE_CALL, FEEDBACK]


def send(client: TestClient, endpoint: Endpoint, authorization: str | None) -> Any:
    """One call; `None` sends no Authorization header at all (the CheckedClient would otherwise sign it)."""
    target: TestClient = client if authorization is not None else TestClient(client.app)
    headers = {"Authorization": authorization} if authorization is not None else {}
    if endpoint.method == "GET":
        return target.get(endpoint.path, headers=headers)
    return target.post(endpoint.path, json=endpoint.body(), headers=headers)


def bearer(value: str) -> str:
    return f"Bearer {value}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(aud: str | list[str], iss: str = ISSUER, **extra: Any) -> dict[str, Any]:
    issued = int(NOW.timestamp())
    body = {"iss": iss, "aud": aud, "exp": issued + 300, "iat": issued, "jti": str(uuid.uuid4())}
    return {**body, **extra}


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    """A compact JWS put together by hand (for what no JWT library will sign)."""
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url(signature)}"


def alg_none(endpoint: Endpoint) -> str:
    return bearer(unsigned({"alg": "none", "typ": "JWT", "kid": ES384.kid}, claims(endpoint.aud)))


def hs256_with_public_key(endpoint: Endpoint) -> str:
    """The classic key-confusion attack: HMAC over the token with the issuer's public key PEM as the secret."""
    pem = ES384.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": ES384.kid}).encode())
    payload = b64url(json.dumps(claims(endpoint.aud)).encode())
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return bearer(f"{header}.{payload}.{b64url(mac)}")


def signed(key: ClientKey, payload: dict[str, Any], **header: Any) -> str:
    """Exact control of the header: a value of None removes that header parameter."""
    full = {"kid": key.kid, "typ": "JWT", **header}
    present = {k: v for k, v in full.items() if v is not None}
    return jwt.encode(payload, key.private, algorithm=key.alg, headers=present | {"typ": full["typ"]})


def signed_by_hand(key: ClientKey, payload: dict[str, Any], **header: Any) -> str:
    """Signed with the key's algorithm, for payloads a JWT library refuses to encode (e.g. a numeric iss)."""
    head = b64url(json.dumps({"alg": key.alg, "typ": "JWT", "kid": key.kid, **header}).encode())
    body = b64url(json.dumps(payload).encode())
    algorithm = jwt.algorithms.get_default_algorithms()[key.alg]
    signature = algorithm.sign(f"{head}.{body}".encode(), key.private)
    return f"{head}.{body}.{b64url(signature)}"


def at(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


def signature_of(authorization: str | None) -> str | None:
    if not authorization or "." not in authorization:
        return None
    return authorization.rsplit(".", 1)[1] or None


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    return [*texts, caplog.text]


def assert_not_logged(caplog: pytest.LogCaptureFixture, *secrets: str | None) -> None:
    for secret in filter(None, secrets):
        leaks = [text[:80] for text in log_texts(caplog) if secret in text]
        assert leaks == [], f"a secret reached the log: {leaks}"


def auth_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("authentication failed")]


# --- accepted ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    build: Callable[[Endpoint], str]
    fetches: tuple[str, ...] = ()


ACCEPTED: dict[str, Accepted] = {
    "es384": Accepted(lambda e: bearer(token(ES384, e.aud, NOW))),
    "rs384": Accepted(lambda e: bearer(token(RS384, e.aud, NOW))),
    # The CDS Hooks sandbox: no sub; its key set is named by jku and fetched once.
    "sandbox-shape": Accepted(
        lambda e: bearer(token(SANDBOX, e.aud, NOW, iss=SANDBOX_ISS, headers={"jku": SANDBOX_JKU})),
        fetches=(SANDBOX_JKU,),
    ),
    # Epic: RS384, with nbf and sub (the client id).
    "epic-shape": Accepted(
        lambda e: bearer(
            token(EPIC, e.aud, NOW, iss=EPIC_ISS, nbf=int(NOW.timestamp()), sub="epic-client-id")
        )
    ),
    "aud-array-containing-the-endpoint": Accepted(
        lambda e: bearer(token(ES384, ["https://other.example.org/cds-services", e.aud], NOW))
    ),
    "tenant-present": Accepted(lambda e: bearer(token(ES384, e.aud, NOW, tenant=TENANT))),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("shape", ACCEPTED, ids=str)
def test_token_of_a_trusted_client_is_accepted(
    service: CheckedClient,
    fetcher: RecordingFetcher,
    caplog: pytest.LogCaptureFixture,
    shape: str,
    endpoint: Endpoint,
) -> None:
    caplog.set_level(logging.DEBUG)
    case = ACCEPTED[shape]
    authorization = case.build(endpoint)

    response = send(service, endpoint, authorization)

    assert response.status_code == 200, response.text
    assert fetcher.calls == list(case.fetches)
    assert auth_failures(caplog) == []
    assert_not_logged(caplog, authorization.removeprefix("Bearer "), signature_of(authorization))


def test_fetched_key_set_is_cached_across_calls(service: CheckedClient, fetcher: RecordingFetcher) -> None:
    for _ in range(3):
        authorization = bearer(
            token(SANDBOX, SERVICE_CALL.aud, NOW, iss=SANDBOX_ISS, headers={"jku": SANDBOX_JKU})
        )
        assert send(service, SERVICE_CALL, authorization).status_code == 200

    assert fetcher.calls == [SANDBOX_JKU]


def test_bearer_scheme_is_case_insensitive(service: CheckedClient) -> None:
    authorization = "bearer " + token(ES384, DISCOVERY.aud, NOW)

    assert send(service, DISCOVERY, authorization).status_code == 200


@pytest.mark.parametrize(
    ("expires_in", "status"),
    [(-LEEWAY + 1, 200), (-LEEWAY - 1, 401)],
    ids=["expired-within-leeway", "expired-past-leeway"],
)
def test_expiry_leeway_boundary(service: CheckedClient, expires_in: int, status: int) -> None:
    authorization = bearer(token(ES384, DISCOVERY.aud, at(expires_in - 300), lifetime=300))

    assert send(service, DISCOVERY, authorization).status_code == status


@pytest.mark.parametrize(
    ("lifetime", "status"), [(MAX_LIFETIME, 200), (MAX_LIFETIME + 1, 401)], ids=["at-maximum", "past-maximum"]
)
def test_lifetime_boundary(service: CheckedClient, lifetime: int, status: int) -> None:
    authorization = bearer(token(ES384, DISCOVERY.aud, NOW, lifetime=lifetime))

    assert send(service, DISCOVERY, authorization).status_code == status


# --- rejected ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    check: str
    """The check the log line must name."""
    build: Callable[[Endpoint], str | None]
    fetches: tuple[str, ...] = ()


REJECTED: dict[str, Rejected] = {
    "missing-header": Rejected("bearer", lambda e: None),
    "not-bearer": Rejected("bearer", lambda e: "Basic " + base64.b64encode(b"ehr:secret").decode()),
    "bearer-without-token": Rejected("bearer", lambda e: "Bearer "),
    "garbage-token": Rejected("malformed", lambda e: bearer("this-is.not-a.jwt")),
    "expired-past-leeway": Rejected(
        "exp", lambda e: bearer(token(ES384, e.aud, at(-300 - LEEWAY - 1), lifetime=300))
    ),
    "not-yet-valid": Rejected(
        "nbf", lambda e: bearer(token(ES384, e.aud, NOW, nbf=int(at(LEEWAY + 60).timestamp())))
    ),
    "issued-in-the-future": Rejected("iat", lambda e: bearer(token(ES384, e.aud, at(LEEWAY + 60)))),
    "lifetime-over-maximum": Rejected("lifetime", lambda e: bearer(token(ES384, e.aud, NOW, lifetime=7200))),
    "wrong-aud": Rejected("aud", lambda e: bearer(token(ES384, "https://other.example.org" + e.path, NOW))),
    "aud-of-another-endpoint": Rejected("aud", lambda e: bearer(token(ES384, PUBLIC_BASE + e.other, NOW))),
    "unknown-iss": Rejected(
        "iss", lambda e: bearer(token(ES384, e.aud, NOW, iss="https://rogue.example.org/"))
    ),
    "jku-not-on-the-clients-list": Rejected(
        "jku",
        lambda e: bearer(
            token(SANDBOX, e.aud, NOW, iss=SANDBOX_ISS, headers={"jku": "https://attacker.example/jwks.json"})
        ),
    ),
    "unknown-kid-after-refetch": Rejected(
        "kid-unknown",
        lambda e: bearer(token(SANDBOX_ROTATED, e.aud, NOW, iss=SANDBOX_ISS, headers={"jku": SANDBOX_JKU})),
        fetches=(SANDBOX_JKU,),
    ),
    "alg-none": Rejected("alg", alg_none),
    "hs256-signed-with-the-public-key": Rejected("alg", hs256_with_public_key),
    "bad-signature": Rejected("signature", lambda e: bearer(token(ROGUE, e.aud, NOW))),
    "missing-jti": Rejected("jti", lambda e: bearer(token(ES384, e.aud, NOW, jti=None))),
    "typ-not-jwt": Rejected("typ", lambda e: bearer(signed(ES384, claims(e.aud), typ="at+jwt"))),
    "typ-missing": Rejected("typ", lambda e: bearer(signed(ES384, claims(e.aud), typ=None))),
    "missing-kid": Rejected("kid", lambda e: bearer(signed(ES384, claims(e.aud), kid=None))),
    "tenant-of-another-client": Rejected(
        "tenant", lambda e: bearer(token(ES384, e.aud, NOW, tenant="other"))
    ),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("case_name", REJECTED, ids=str)
def test_rejected_token_is_a_bare_401_and_the_log_names_the_check_but_not_the_token(
    service: CheckedClient,
    fetcher: RecordingFetcher,
    caplog: pytest.LogCaptureFixture,
    case_name: str,
    endpoint: Endpoint,
) -> None:
    caplog.set_level(logging.DEBUG)
    case = REJECTED[case_name]
    authorization = case.build(endpoint)

    response = send(service, endpoint, authorization)

    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["resourceType"] == "OperationOutcome"
    issues = response.json()["issue"]
    assert all(
        case.check not in issue.get("diagnostics", "") and "expression" not in issue for issue in issues
    )
    assert response.json() == send(service, endpoint, None).json(), "the body must not differ by reason"
    assert fetcher.calls == list(case.fetches)
    failures = auth_failures(caplog)
    assert len(failures) == 2  # this call and the reference call without a header
    assert f"check={case.check} " in failures[0]
    assert_not_logged(
        caplog, (authorization or "").removeprefix("Bearer ").strip(), signature_of(authorization)
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_replayed_jti_is_refused_the_second_time(
    service: CheckedClient, caplog: pytest.LogCaptureFixture, endpoint: Endpoint
) -> None:
    caplog.set_level(logging.DEBUG)
    authorization = bearer(token(ES384, endpoint.aud, NOW))

    first = send(service, endpoint, authorization)
    second = send(service, endpoint, authorization)

    assert (first.status_code, second.status_code) == (200, 401)
    assert second.headers["www-authenticate"] == "Bearer"
    assert [f.split(" iss=")[0] for f in auth_failures(caplog)] == ["authentication failed: check=jti-replay"]
    assert_not_logged(caplog, authorization.removeprefix("Bearer "), signature_of(authorization))


def test_same_jti_from_another_issuer_is_not_a_replay(service: CheckedClient) -> None:
    jti = "shared-jti-0001"
    ours = bearer(token(ES384, DISCOVERY.aud, NOW, jti=jti))
    epics = bearer(token(EPIC, DISCOVERY.aud, NOW, iss=EPIC_ISS, jti=jti))

    assert [send(service, DISCOVERY, a).status_code for a in (ours, epics)] == [200, 200]


def test_unknown_kid_refetch_is_rate_limited(
    service: CheckedClient, fetcher: RecordingFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    """A flood of made-up kids cannot turn the service into a fetcher: one download, then none in the window."""
    caplog.set_level(logging.WARNING)
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        authorization = bearer(
            token(
                make_key("ES384", kid), SERVICE_CALL.aud, NOW, iss=SANDBOX_ISS, headers={"jku": SANDBOX_JKU}
            )
        )
        assert send(service, SERVICE_CALL, authorization).status_code == 401

    assert fetcher.calls == [SANDBOX_JKU]
    assert all("check=kid-unknown " in f for f in auth_failures(caplog))


def test_spec_example_token_is_refused(tmp_path: Path) -> None:
    if not SPEC_TOKEN.is_file():
        pytest.skip(f"{SPEC_TOKEN} is absent (a fresh clone without ../shared)")
    authorization = load_json(SPEC_TOKEN)["authorization_header"]
    app = create_app(settings_for(tmp_path), clock=lambda: NOW)
    with TestClient(app) as client:
        response = client.post(
            "/cds-services/some-service", json={}, headers={"Authorization": authorization}
        )

    assert response.status_code == 401


@pytest.fixture
def spec_issuer_trusted(tmp_path: Path) -> tuple[Path, RecordingFetcher]:
    if not (SPEC_TOKEN.is_file() and SPEC_JWKS.is_file()):
        pytest.skip(f"{SPEC_EXAMPLES} is absent (a fresh clone without ../shared)")
    document = {"clients": [{"iss": SPEC_ISS, "jku": [SPEC_JKU]}]}
    return write_clients(tmp_path, document), RecordingFetcher({SPEC_JKU: load_json(SPEC_JWKS)})


def test_spec_example_token_of_a_trusted_issuer_is_refused_as_expired(
    tmp_path: Path, spec_issuer_trusted: tuple[Path, RecordingFetcher], caplog: pytest.LogCaptureFixture
) -> None:
    clients, fetcher = spec_issuer_trusted
    caplog.set_level(logging.WARNING)
    authorization = load_json(SPEC_TOKEN)["authorization_header"]
    app = create_app(settings_for(tmp_path, clients), clock=lambda: NOW, fetch_jwks=fetcher)
    with TestClient(app) as client:
        response = client.post(
            "/cds-services/some-service", json={}, headers={"Authorization": authorization}
        )

    assert response.status_code == 401
    assert fetcher.calls == [SPEC_JKU]
    assert [f.split(" iss=")[0] for f in auth_failures(caplog)] == ["authentication failed: check=exp"]


def test_spec_example_token_passes_every_other_check_at_the_time_it_was_issued(
    tmp_path: Path, spec_issuer_trusted: tuple[Path, RecordingFetcher]
) -> None:
    """Interoperability of the ES384 check: at its `iat` (and with its 3.5-year lifetime allowed) the spec's token,
    signed elsewhere, is authentic; the call then reaches routing, which knows no 'some-service' (404)."""
    clients, fetcher = spec_issuer_trusted
    payload = jwt.decode(load_json(SPEC_TOKEN)["jwt"], options={"verify_signature": False})
    issued = datetime.fromtimestamp(payload["iat"], tz=NOW.tzinfo)
    settings = settings_for(tmp_path, clients, jwt_max_lifetime_seconds=payload["exp"] - payload["iat"])
    app = create_app(settings, clock=lambda: issued, fetch_jwks=fetcher)
    with TestClient(app) as client:
        response = client.post(
            "/cds-services/some-service",
            json={},
            headers={"Authorization": load_json(SPEC_TOKEN)["authorization_header"]},
        )

    assert response.status_code == 404, response.text


# --- regressions: two 500s found by these tests -------------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_token_with_a_nan_time_claim_is_401_not_500(service: CheckedClient, claim: str) -> None:
    """A NaN NumericDate (which JSON parsers in Python accept) passed every time comparison, then was a 500."""
    nan: dict[str, Any] = {claim: float("nan")}
    authorization = bearer(token(ES384, SERVICE_CALL.aud, NOW, **nan))

    response = send(service, SERVICE_CALL, authorization)

    assert response.status_code == 401, response.text


@pytest.fixture
def truncating_jwks_server() -> Iterator[str]:
    """A JWK Set endpoint that promises 1000 bytes, sends 10 and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1.0)
                try:
                    connection.recv(65536)
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        b'{"keys": ['
                    )
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/jwks.json"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def test_jku_endpoint_that_breaks_off_its_answer_is_401_not_500(
    tmp_path: Path, truncating_jwks_server: str
) -> None:
    """The real fetcher read the body with urllib3, whose ProtocolError is no requests exception: it escaped
    the key cache as a 500."""
    document = {"clients": [{"iss": SANDBOX_ISS, "jku": [truncating_jwks_server]}]}
    app = create_app(
        settings_for(tmp_path, write_clients(tmp_path, document)), clock=lambda: NOW
    )  # real fetcher
    authorization = bearer(
        token(SANDBOX, DISCOVERY.aud, NOW, iss=SANDBOX_ISS, headers={"jku": truncating_jwks_server})
    )
    with TestClient(app) as client:
        response = client.get("/cds-services", headers={"Authorization": authorization})

    assert response.status_code == 401, response.text


# --- the Authenticator ------------------------------------------------------------------------------------------


class MemoryStore:
    """The Store's JWT-id half, in memory."""

    def __init__(self) -> None:
        self.claimed: dict[tuple[str, str], datetime] = {}

    def add(self, service_id: str, items: Any) -> int:
        return 0

    def items(self, service_id: str) -> list[dict[str, Any]]:
        return []

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        if (iss, jti) in self.claimed:
            return False
        self.claimed[(iss, jti)] = expires_at
        return True

    def ping(self) -> None:
        return None

    def record_cards(self, service_id: str, cards: Any) -> None:
        return None

    def feedback_by_rule(self) -> list[dict[str, Any]]:
        return []

    def rules_of_cards(self, card_uuids: Any) -> dict[str, str]:
        return {}


@dataclass
class MovableClock:
    """Monotonic seconds for the key cache."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def authenticator(
    folder: Path, fetcher: RecordingFetcher, monotonic: MovableClock | None = None, **options: Any
) -> Authenticator:
    keys = KeyCache(fetch=fetcher, clock=monotonic or MovableClock())
    return Authenticator(
        load_trusted_clients(write_clients(folder)), keys, MemoryStore(), lambda: NOW, **options
    )


def check_of(auth: Authenticator, authorization: str | None, audience: str = DISCOVERY.aud) -> str:
    with pytest.raises(AuthFailed) as failed:
        auth.verify(authorization, audience)
    return failed.value.check


def sandbox_token(key: ClientKey = SANDBOX) -> str:
    return bearer(token(key, DISCOVERY.aud, NOW, iss=SANDBOX_ISS, headers={"jku": SANDBOX_JKU}))


def test_verified_caller_carries_iss_jti_sub_and_tenant(tmp_path: Path, fetcher: RecordingFetcher) -> None:
    auth = authenticator(tmp_path, fetcher)

    epic = auth.verify(
        bearer(token(EPIC, DISCOVERY.aud, NOW, iss=EPIC_ISS, sub="epic-app", jti="j-1")), DISCOVERY.aud
    )
    ours = auth.verify(bearer(token(ES384, DISCOVERY.aud, NOW, tenant=TENANT, jti="j-2")), DISCOVERY.aud)
    sandbox = auth.verify(sandbox_token(), DISCOVERY.aud)

    assert (epic.iss, epic.jti, epic.sub, epic.tenant) == (EPIC_ISS, "j-1", "epic-app", None)
    assert (ours.iss, ours.jti, ours.sub, ours.tenant) == (ISSUER, "j-2", None, TENANT)
    assert (sandbox.iss, sandbox.sub) == (SANDBOX_ISS, None)
    assert sandbox.client.iss == SANDBOX_ISS


def test_unknown_kid_triggers_exactly_one_refetch_then_none_within_the_window(
    tmp_path: Path, fetcher: RecordingFetcher
) -> None:
    monotonic = MovableClock()
    auth = authenticator(tmp_path, fetcher, monotonic)
    auth.verify(sandbox_token(), DISCOVERY.aud)
    assert fetcher.calls == [SANDBOX_JKU]

    monotonic.now += MIN_REFETCH + 1
    assert check_of(auth, sandbox_token(make_key("ES384", "unknown-1"))) == "kid-unknown"
    assert fetcher.calls == [SANDBOX_JKU] * 2

    monotonic.now += MIN_REFETCH / 2
    assert check_of(auth, sandbox_token(make_key("ES384", "unknown-2"))) == "kid-unknown"
    assert fetcher.calls == [SANDBOX_JKU] * 2


def test_rotated_key_is_found_by_the_refetch_on_its_unknown_kid(
    tmp_path: Path, fetcher: RecordingFetcher
) -> None:
    monotonic = MovableClock()
    auth = authenticator(tmp_path, fetcher, monotonic)
    auth.verify(sandbox_token(), DISCOVERY.aud)

    fetcher.sets[SANDBOX_JKU] = jwks(SANDBOX, SANDBOX_ROTATED)
    monotonic.now += MIN_REFETCH + 1
    caller = auth.verify(sandbox_token(SANDBOX_ROTATED), DISCOVERY.aud)

    assert caller.iss == SANDBOX_ISS
    assert fetcher.calls == [SANDBOX_JKU] * 2


@pytest.mark.parametrize(
    "served",
    [
        {"keys": [{"kty": "oct", "kid": SANDBOX.kid, "k": "c2VjcmV0"}]},
        {"keys": [{**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(SANDBOX.private)), "kid": SANDBOX.kid}]},
        {"keys": "not-a-list"},
        {"no": "keys"},
    ],
    ids=["symmetric-key", "private-key", "keys-not-a-list", "no-keys"],
)
def test_unusable_fetched_key_set_is_never_used(
    tmp_path: Path, fetcher: RecordingFetcher, served: dict[str, Any]
) -> None:
    fetcher.sets[SANDBOX_JKU] = served
    auth = authenticator(tmp_path, fetcher)

    assert check_of(auth, sandbox_token()) == "kid-unknown"


def test_unreachable_key_set_is_a_refusal_not_an_error(tmp_path: Path) -> None:
    auth = authenticator(tmp_path, RecordingFetcher({}))

    assert check_of(auth, sandbox_token()) == "jwks-fetch-failed"


def test_jku_off_the_list_is_never_fetched(tmp_path: Path, fetcher: RecordingFetcher) -> None:
    auth = authenticator(tmp_path, fetcher)
    elsewhere = "https://attacker.example/jwks.json"
    fetcher.sets[elsewhere] = jwks(SANDBOX)

    authorization = bearer(token(SANDBOX, DISCOVERY.aud, NOW, iss=SANDBOX_ISS, headers={"jku": elsewhere}))

    assert check_of(auth, authorization) == "jku"
    assert fetcher.calls == []


def test_jku_of_another_issuer_is_not_on_this_issuers_list(tmp_path: Path, fetcher: RecordingFetcher) -> None:
    auth = authenticator(tmp_path, fetcher)
    authorization = bearer(token(ES384, DISCOVERY.aud, NOW, headers={"jku": SANDBOX_JKU}))

    assert check_of(auth, authorization) == "jku"
    assert fetcher.calls == []


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(LEEWAY - 1, True), (LEEWAY + 1, False)],
    ids=["within-leeway", "past-leeway"],
)
def test_nbf_and_iat_leeway(tmp_path: Path, fetcher: RecordingFetcher, offset: int, accepted: bool) -> None:
    auth = authenticator(tmp_path, fetcher)
    future = int(at(offset).timestamp())
    nbf = bearer(token(ES384, DISCOVERY.aud, NOW, nbf=future))
    iat = bearer(token(ES384, DISCOVERY.aud, NOW, iat=future))

    for authorization, check in ((nbf, "nbf"), (iat, "iat")):
        if accepted:
            auth.verify(authorization, DISCOVERY.aud)
        else:
            assert check_of(auth, authorization) == check


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "tomorrow"),
        ("exp", True),
        ("iat", None),
        ("iat", "0"),
        ("nbf", "now"),
        ("aud", None),
        ("iss", 7),
    ],
)
def test_claim_of_the_wrong_type_or_missing_is_refused(
    tmp_path: Path, fetcher: RecordingFetcher, claim: str, value: Any
) -> None:
    auth = authenticator(tmp_path, fetcher)
    payload = claims(DISCOVERY.aud)
    if value is None:
        del payload[claim]
    else:
        payload[claim] = value

    with pytest.raises(AuthFailed):
        auth.verify(bearer(signed_by_hand(ES384, payload)), DISCOVERY.aud)


def test_algorithm_not_configured_is_refused(tmp_path: Path, fetcher: RecordingFetcher) -> None:
    auth = authenticator(tmp_path, fetcher, algorithms=("ES384",))

    assert check_of(auth, bearer(token(RS384, DISCOVERY.aud, NOW))) == "alg"


@pytest.mark.parametrize("unsafe", ["none", "HS256", "HS384", "HS512"])
def test_unsafe_algorithm_cannot_be_configured(
    tmp_path: Path, fetcher: RecordingFetcher, unsafe: str
) -> None:
    with pytest.raises(ValueError, match=unsafe):
        authenticator(tmp_path, fetcher, algorithms=("ES384", unsafe))


def test_failure_names_iss_and_jti_for_the_log(tmp_path: Path, fetcher: RecordingFetcher) -> None:
    auth = authenticator(tmp_path, fetcher)
    with pytest.raises(AuthFailed) as failed:
        auth.verify(bearer(token(ROGUE, DISCOVERY.aud, NOW, jti="jti-for-the-log")), DISCOVERY.aud)

    assert (failed.value.check, failed.value.iss, failed.value.jti) == (
        "signature",
        ISSUER,
        "jti-for-the-log",
    )


# --- start-up validation ----------------------------------------------------------------------------------------


def test_outside_dev_without_trusted_clients_the_app_does_not_start(tmp_path: Path) -> None:
    settings = Settings(
        dev=False,
        trusted_clients=None,
        public_base_url=PUBLIC_BASE,
        database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}",
    )

    with pytest.raises(ConfigError, match="CDS_TRUSTED_CLIENTS"):
        create_app(settings)


def test_outside_dev_without_a_public_base_url_the_app_does_not_start(tmp_path: Path) -> None:
    settings = Settings(
        dev=False,
        trusted_clients=write_clients(tmp_path),
        public_base_url=None,
        database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}",
    )

    with pytest.raises(ConfigError, match="CDS_PUBLIC_BASE_URL"):
        create_app(settings)


def test_outside_dev_with_trusted_clients_calls_are_authenticated(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, dev=False)
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        unsigned_call = client.get("/cds-services")
        signed_call = client.get(
            "/cds-services", headers={"Authorization": bearer(token(ES384, DISCOVERY.aud, NOW))}
        )

    assert (unsigned_call.status_code, signed_call.status_code) == (401, 200)


VALID_CLIENT = {"iss": "https://valid.example.org/", "jwks": jwks(ES384)}
PRIVATE_JWK = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ES384.private)), "kid": "leaked"}


@pytest.mark.parametrize(
    ("second_client", "named"),
    [
        ({"iss": "https://b.example.org/", "jwks": jwks(ES384), "colour": "red"}, "clients[1].colour"),
        ({"iss": "https://b.example.org/"}, "clients[1]"),
        (
            {
                "iss": "https://b.example.org/",
                "jwks": {"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]},
            },
            "clients[1]",
        ),
        ({"iss": "https://b.example.org/", "jwks": {"keys": [PRIVATE_JWK]}}, "clients[1]"),
        ({"iss": VALID_CLIENT["iss"], "jwks": jwks(RS384)}, "clients[1]"),
        ({"iss": "https://b.example.org/", "jku": ["http://keys.example.org/jwks.json"]}, "clients[1].jku"),
        (
            {
                "iss": "https://b.example.org/",
                "jwks": jwks(ES384),
                "fhir_servers": ["http://ehr.example.org"],
            },
            "clients[1].fhir_servers",
        ),
        ({"iss": "https://b.example.org/", "jwks_file": "absent.json"}, "clients[1].jwks_file"),
        ({"iss": "", "jwks": jwks(ES384)}, "clients[1].iss"),
        ({"iss": "https://b.example.org/", "jwks": jwks(ES384), "jwks_file": "keys.json"}, "clients[1]"),
    ],
    ids=[
        "unknown-field",
        "no-key-source",
        "symmetric-oct-key",
        "private-key-with-d",
        "duplicate-iss",
        "jku-over-plain-http",
        "fhir-server-over-plain-http",
        "jwks-file-missing",
        "empty-iss",
        "both-jwks-and-jwks-file",
    ],
)
def test_malformed_trusted_clients_file_stops_start_up_naming_the_entry(
    tmp_path: Path, second_client: dict[str, Any], named: str
) -> None:
    clients = write_clients(tmp_path, {"clients": [VALID_CLIENT, second_client]})

    with pytest.raises(ConfigError) as raised:
        create_app(settings_for(tmp_path, clients, dev=False))

    assert named in str(raised.value)
    assert "clients.json" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "named"),
    [("{", "clients.json"), ("[]", "(top level)"), ('{"clients": []}', "clients"), ("null", "(top level)")],
    ids=["bad-json", "not-an-object", "no-clients", "null"],
)
def test_unreadable_trusted_clients_file_stops_start_up(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "clients.json"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        create_app(settings_for(tmp_path, path))

    assert named in str(raised.value)


def test_missing_trusted_clients_file_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.json"):
        create_app(settings_for(tmp_path, tmp_path / "absent.json"))


def test_yaml_trusted_clients_file_is_accepted(tmp_path: Path) -> None:
    clients = write_clients(tmp_path, clients_document(), name="clients.yaml")
    app = create_app(settings_for(tmp_path, clients, dev=False), clock=lambda: NOW)

    with CheckedClient(app, NOW) as client:
        assert client.get("/cds-services").status_code == 200  # signed by CheckedClient with ES384


def test_jwks_file_is_read_relative_to_the_trusted_clients_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    (config / "keys").mkdir(parents=True)
    (config / "keys" / "ehr.jwks.json").write_text(json.dumps(jwks(ES384)), encoding="utf-8")
    clients = write_clients(config, {"clients": [{"iss": ISSUER, "jwks_file": "keys/ehr.jwks.json"}]})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    app = create_app(settings_for(tmp_path, clients, dev=False), clock=lambda: NOW)
    with CheckedClient(app, NOW) as client:
        assert client.get("/cds-services").status_code == 200


# --- FHIR access per client -------------------------------------------------------------------------------------


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    with running_fake_fhir() as server:
        for rtype in (
            "Appointment",
            "MedicationAdministration",
            "MedicationRequest",
            "Procedure",
            "ServiceRequest",
        ):
            server.route(rtype, Reply(json=searchset()))
        yield server


def fetch_mode_request(fhir_server: str) -> dict[str, Any]:
    request: dict[str, Any] = load_json(BEV_REQUEST)
    del request["prefetch"]
    with_fhir_server(request, fhir_server, FHIR_TOKEN)
    return request


def call_as_client(tmp_path: Path, fhir_servers: list[str], request: dict[str, Any]) -> Any:
    clients = write_clients(tmp_path, clients_document(fhir_servers=fhir_servers))
    app = create_app(settings_for(tmp_path, clients), clock=lambda: NOW, new_uuid=counting_uuids())
    with CheckedClient(app, NOW) as client:
        return client.post(f"/cds-services/{SERVICE}", json=request)


def test_fhir_server_not_on_the_calling_clients_list_is_treated_as_absent_and_never_contacted(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    response = call_as_client(tmp_path, ["https://ehr.example.org/fhir"], fetch_mode_request(fhir.base))

    assert response.status_code == 412, response.text
    assert fhir.seen == []


def test_fhir_server_on_the_calling_clients_list_is_fetched_with_the_access_token(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    response = call_as_client(tmp_path, [fhir.origin], fetch_mode_request(fhir.base))

    assert response.status_code == 200, response.text
    assert fhir.seen != []
    assert {s.authorization for s in fhir.seen} == {f"Bearer {FHIR_TOKEN}"}


@pytest.mark.parametrize(
    ("listed", "disguise"),
    [
        ("http://[::1]", "http://[::1]:1@127.0.0.1:{port}/fhir"),
        ("http://localhost", "http://localhost:1@127.0.0.1:{port}/fhir"),
        ("http://localhost", "http://127.0.0.1:{port}/fhir"),
        ("http://127.0.0.1:1", "http://127.0.0.1:{port}/fhir"),
        ("http://127.0.0.1:{port}/fh", "http://127.0.0.1:{port}/fhir"),
        ("http://127.0.0.1:{port}/fhir/tenant-a", "http://127.0.0.1:{port}/fhir"),
    ],
    ids=[
        "userinfo-names-listed-ip",
        "userinfo-names-listed-host",
        "other-host",
        "other-port",
        "path-prefix",
        "parent-path",
    ],
)
def test_fhir_server_only_resembling_a_listed_one_is_never_contacted(
    tmp_path: Path, fhir: FakeFhirServer, listed: str, disguise: str
) -> None:
    """The list is matched on scheme, host, port and path, not as a string prefix: a userinfo part that names
    a listed host ('http://[::1]:1@127.0.0.1:PORT') once passed the entry 'http://[::1]' and was called."""
    port = fhir.origin.rsplit(":", 1)[1]

    response = call_as_client(
        tmp_path, [listed.format(port=port)], fetch_mode_request(disguise.format(port=port))
    )

    assert fhir.seen == []
    assert response.status_code == 412, response.text
