"""Shared test fixtures: an app with a frozen clock and counting uuids, schema validators from ../shared."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds_service.app import create_app
from cds_service.protocol.models import CardsResponse, DiscoveryResponse
from cds_service.settings import Settings
from tests.auth_keys import ES384, PUBLIC_BASE, token, trusted_clients_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
SCHEMAS = SHARED / "cds-hooks" / "json-schemas"
FROZEN_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run_python(script: str, *args: str, env: Mapping[str, str]) -> str:
    """Run `script` in a fresh interpreter from the repository root and return what it printed; a failure shows
    the script's stderr."""
    run = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def counting_uuids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


FEEDBACK_CARD = "4e0a3a1e-3283-4575-ab82-028d55fe2719"


def feedback_item(**fields: Any) -> dict[str, Any]:
    """One item of a feedback body: an overridden card, with `fields` changed (a field given as None is left out)."""
    item: dict[str, Any] = {
        "card": FEEDBACK_CARD,
        "outcome": "overridden",
        "outcomeTimestamp": "2026-03-02T09:05:00Z",
    }
    item.update(fields)
    return {key: value for key, value in item.items() if value is not None}


def suite_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings the suite runs with: authentication on (the test keys trusted), dev mode only so that the
    loopback http:// FHIR servers of the tests may be called."""
    values: dict[str, Any] = {
        "dev": True,
        "database_url": f"sqlite:///{folder / 'cds.sqlite3'}",
        "public_base_url": PUBLIC_BASE,
        "trusted_clients": trusted_clients_file(folder),
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return suite_settings(tmp_path)


class CheckedClient(TestClient):
    """A test client that validates every 200 answer of a service call and of discovery: against the
    project's own models always, and against the CDS Hooks 2.0 JSON Schemas where ../shared is present."""

    def __init__(self, app: Any, now: datetime = FROZEN_NOW, **options: Any) -> None:
        super().__init__(app, **options)
        self.now = now

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        """Signs every call to /cds-services as a trusted client would, unless the test sets Authorization."""
        path = str(url).split("?")[0]
        method = method.upper()
        headers = dict(kwargs.pop("headers", None) or {})
        cds_call = path.startswith("/cds-services") and method in ("GET", "POST")
        if cds_call and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {token(ES384, PUBLIC_BASE + path, self.now)}"
        response = super().request(method, url, *args, headers=headers, **kwargs)
        if response.status_code == 200 and cds_call:
            body = response.json()
            if method == "POST" and not path.endswith("/feedback"):
                CardsResponse.model_validate(body)
                _schema_check("service-response.schema.json", body)
            elif path.rstrip("/") == "/cds-services":
                DiscoveryResponse.model_validate(body)
                _schema_check("discovery-response.schema.json", body)
        return response


def make_client(settings: Settings, now: datetime = FROZEN_NOW) -> CheckedClient:
    return CheckedClient(create_app(settings, clock=lambda: now, new_uuid=counting_uuids()), now)


@pytest.fixture
def client(settings: Settings) -> Iterator[CheckedClient]:
    with make_client(settings) as test_client:
        yield test_client


def _validators() -> dict[str, Any] | None:
    if not SCHEMAS.is_dir():
        return None
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    docs = [json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")]
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    return {
        d["$id"].rsplit("/", 1)[1]: Draft202012Validator(d, registry=registry, format_checker=FormatChecker())
        for d in docs
    }


_VALIDATORS = _validators()
SHARED_MISSING = "../shared/cds-hooks/json-schemas is absent (a fresh clone without the shared folder)"


def _schema_check(name: str, document: Any) -> None:
    if _VALIDATORS is None:
        return
    errors = sorted(_VALIDATORS[name].iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def schema_checker() -> Callable[[str, Any], None] | None:
    """The JSON Schema checker, or None where ../shared is absent."""
    return _schema_check if _VALIDATORS is not None else None


@pytest.fixture
def schema() -> Callable[[str, Any], None]:
    """Validate a document against a CDS Hooks 2.0 JSON Schema of ../shared; skip where it is absent."""
    if _VALIDATORS is None:
        pytest.skip(SHARED_MISSING)

    return _schema_check


def update_golden() -> bool:
    """Set CDS_UPDATE_GOLDEN=1 to rewrite golden files (a reviewed change)."""
    return os.environ.get("CDS_UPDATE_GOLDEN") == "1"


def with_fhir_server(request: dict[str, Any], base: str, access_token: str) -> dict[str, Any]:
    """`request` (changed in place) naming a FHIR server and the access token an EHR would grant for it."""
    request["fhirServer"] = base
    request["fhirAuthorization"] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "cds-service",
    }
    return request
