"""A database outage must not stop CDS answers (issue #18, item 3): JWT ids are checked against each worker's own
cache while the shared replay store is down, a warning is logged once per outage, a metric counts the degraded
checks and /readyz says 503; CDS_REPLAY_STRICT=true refuses calls with 503 `transient` instead. Never a 500.

Before the fix, a hook call during an outage answered 500 (68 of 69 calls in the red team's run)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cds_service.app import create_app
from cds_service.auth.replay import ReplayCheckUnavailable, ReplayGuard
from cds_service.store import DeferredSqlStore
from tests.auth_keys import ES384, PUBLIC_BASE, token
from tests.conftest import FIXTURES, FROZEN_NOW, CheckedClient, counting_uuids, load_json, suite_settings

SERVICE = "/cds-services/peritoneal-metastasis-order-select"
REQUEST = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"
EXPIRES = FROZEN_NOW + timedelta(minutes=5)


class OutageError(Exception):
    """What a database driver raises when its server is gone."""


class SwitchableStore(DeferredSqlStore):
    """The real SQLite store, with an outage switch."""

    down = False

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        if self.down:
            raise OutageError("connection refused")
        return super().claim_jti(iss, jti, expires_at)

    def ping(self) -> None:
        if self.down:
            raise OutageError("connection refused")
        super().ping()


class Memory:
    """A shared replay store in memory, with an outage switch and a count of the claims it saw."""

    def __init__(self) -> None:
        self.down = False
        self.seen: set[tuple[str, str]] = set()

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        if self.down:
            raise OutageError("connection refused")
        new = (iss, jti) not in self.seen
        self.seen.add((iss, jti))
        return new


def test_during_an_outage_a_replay_to_the_same_worker_is_still_refused() -> None:
    store, degraded = Memory(), []
    guard = ReplayGuard(store, lambda: FROZEN_NOW, on_degraded=lambda: degraded.append(1))
    store.down = True
    assert guard.claim_jti("iss", "a", EXPIRES) is True
    assert guard.claim_jti("iss", "a", EXPIRES) is False
    assert guard.claim_jti("iss", "b", EXPIRES) is True
    assert len(degraded) == 2, (
        "each check that could not reach the store is counted (the replay is refused first)"
    )


def test_the_local_cache_is_used_even_when_the_store_answers() -> None:
    """Another worker's claim is in the store; this worker's own claim is refused without asking it again."""
    store = Memory()
    guard = ReplayGuard(store, lambda: FROZEN_NOW)
    assert guard.claim_jti("iss", "a", EXPIRES) is True
    store.seen.clear()  # the store forgot it (say, a restore): the worker's cache still knows
    assert guard.claim_jti("iss", "a", EXPIRES) is False
    store.seen.add(("iss", "other-worker"))
    assert guard.claim_jti("iss", "other-worker", EXPIRES) is False


def test_ids_are_forgotten_once_their_tokens_have_expired() -> None:
    now = [FROZEN_NOW]
    store = Memory()
    guard = ReplayGuard(store, lambda: now[0])
    store.down = True
    assert guard.claim_jti("iss", "a", EXPIRES) is True
    now[0] = EXPIRES + timedelta(seconds=1)
    assert guard.claim_jti("iss", "a", EXPIRES) is True, "an expired token is refused by its exp, not here"


def test_the_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    store = Memory()
    guard = ReplayGuard(store, lambda: FROZEN_NOW)
    store.down = True
    with caplog.at_level(logging.WARNING, logger="cds_service.auth.replay"):
        for jti in ("a", "b", "c"):
            guard.claim_jti("iss", jti, EXPIRES)
        store.down = False
        guard.claim_jti("iss", "d", EXPIRES)
        guard.claim_jti("iss", "e", EXPIRES)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("replay store unreachable (OutageError)")
    assert messages[1] == "replay store reachable again: JWT ids are checked against it"


def test_strict_mode_refuses_unchecked_and_lets_the_same_token_through_once_the_store_is_back() -> None:
    store = Memory()
    guard = ReplayGuard(store, lambda: FROZEN_NOW, strict=True)
    store.down = True
    with pytest.raises(ReplayCheckUnavailable) as refused:
        guard.claim_jti("iss", "a", EXPIRES)
    assert (refused.value.status, refused.value.issue_code) == (503, "transient")
    store.down = False
    assert guard.claim_jti("iss", "a", EXPIRES) is True


def _service(tmp_path: Path, **settings: Any) -> tuple[CheckedClient, SwitchableStore]:
    options = suite_settings(tmp_path, **settings)
    store = SwitchableStore(options.database_url, lambda: FROZEN_NOW)
    app = create_app(options, clock=lambda: FROZEN_NOW, new_uuid=counting_uuids(), store=store)
    return CheckedClient(app, FROZEN_NOW), store


def test_hook_calls_are_answered_during_an_outage_and_readyz_says_503(tmp_path: Path) -> None:
    client, store = _service(tmp_path)
    with client:
        assert client.post(SERVICE, json=load_json(REQUEST)).status_code == 200
        store.down = True
        answers = [client.post(SERVICE, json=load_json(REQUEST)).status_code for _ in range(5)]
        ready = client.get("/readyz").status_code
        metrics = client.get("/metrics").text
        replayed = token(ES384, PUBLIC_BASE + SERVICE, FROZEN_NOW)
        headers = {"Authorization": f"Bearer {replayed}"}
        first = client.post(SERVICE, json=load_json(REQUEST), headers=headers).status_code
        again = client.post(SERVICE, json=load_json(REQUEST), headers=headers).status_code
    assert answers == [200] * 5
    assert ready == 503
    assert "cds_replay_degraded_checks_total 5.0" in metrics
    assert (first, again) == (200, 401), "a replay to this worker is refused during the outage"


def test_strict_mode_answers_503_transient_during_an_outage(tmp_path: Path) -> None:
    client, store = _service(tmp_path, replay_strict=True)
    with client:
        store.down = True
        response = client.post(SERVICE, json=load_json(REQUEST))
    assert response.status_code == 503
    assert response.json()["issue"][0]["code"] == "transient"


def test_the_setting_reads_cds_replay_strict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CDS_REPLAY_STRICT", "true")
    assert suite_settings(tmp_path).replay_strict is True
