"""Two replicas of the service (two uvicorn processes, authentication on, `CDS_DEV=false`) sharing one PostgreSQL:
a JWT accepted by one is refused by the other, and feedback stored through one is seen by the other.

PostgreSQL comes from CDS_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); when it cannot be
reached the tests are skipped, unless CDS_REQUIRE_POSTGRES=1 (CI), where they fail. The module gets its own schema
(first on the search path of the URL both processes are given), dropped afterwards. Tokens are signed against the
real clock: the processes run on it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cds_service.sql_store import SqlStore
from tests.auth_keys import ES384, PUBLIC_BASE, token, trusted_clients_file
from tests.conftest import ROOT
from tests.live_server import free_port
from tests.postgres import libpq, own_schema, reachable_postgres

pytestmark = pytest.mark.postgres

SERVICE = "peritoneal-metastasis-order-sign"
START_TIMEOUT = 30.0
CALL_TIMEOUT = 10.0


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with own_schema(reachable_postgres(), "cds_replicas") as url:
        yield libpq(url)


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def wait_until_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"replica {self.name} exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        pytest.fail(f"replica {self.name} did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_replica(name: str, folder: Path, environment: dict[str, str]) -> Replica:
    port = free_port()
    log = folder / f"replica-{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "cds_service.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Replica(name, process, port, log)


@pytest.fixture(scope="module")
def replicas(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Replica, Replica]]:
    folder = tmp_path_factory.mktemp("replicas")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CDS_")}
    environment.update(
        CDS_DATABASE_URL=database_url,
        CDS_TRUSTED_CLIENTS=str(trusted_clients_file(folder)),
        CDS_PUBLIC_BASE_URL=PUBLIC_BASE,
        CDS_DEV="false",
        CDS_LOG_LEVEL="WARNING",
    )
    started: list[Replica] = []
    try:
        for name in ("A", "B"):
            started.append(start_replica(name, folder, environment))
        deadline = time.monotonic() + START_TIMEOUT
        for replica in started:
            replica.wait_until_ready(deadline)
        yield started[0], started[1]
    finally:
        for replica in started:
            replica.stop()


def signed(path: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(ES384, PUBLIC_BASE + path, datetime.now(UTC), **claims)}"}


FEEDBACK_ITEM = {
    "card": f"{uuid.uuid4()}",
    "outcome": "overridden",
    "outcomeTimestamp": "2026-03-02T09:05:00Z",
}


def test_replicas_refuse_unsigned_calls(replicas: tuple[Replica, Replica]) -> None:
    for replica in replicas:
        assert httpx.get(f"{replica.url}/cds-services", timeout=CALL_TIMEOUT).status_code == 401


def test_token_accepted_by_one_replica_is_refused_as_a_replay_by_the_other(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    headers = signed("/cds-services")

    first = httpx.get(f"{a.url}/cds-services", headers=headers, timeout=CALL_TIMEOUT)
    second = httpx.get(f"{b.url}/cds-services", headers=headers, timeout=CALL_TIMEOUT)

    assert first.status_code == 200, first.text
    assert second.status_code == 401, second.text
    assert second.headers["www-authenticate"] == "Bearer"


def test_replay_is_refused_in_the_other_direction_on_a_service_call(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    path = f"/cds-services/{SERVICE}/feedback"
    headers = signed(path)
    body = {"feedback": [{**FEEDBACK_ITEM, "card": str(uuid.uuid4())}]}

    first = httpx.post(f"{b.url}{path}", json=body, headers=headers, timeout=CALL_TIMEOUT)
    second = httpx.post(f"{a.url}{path}", json=body, headers=headers, timeout=CALL_TIMEOUT)

    assert (first.status_code, second.status_code) == (200, 401), (first.text, second.text)


def test_fresh_tokens_are_accepted_by_both_replicas(replicas: tuple[Replica, Replica]) -> None:
    statuses = [
        httpx.get(
            f"{replica.url}/cds-services", headers=signed("/cds-services"), timeout=CALL_TIMEOUT
        ).status_code
        for replica in (*replicas, *replicas)
    ]

    assert statuses == [200, 200, 200, 200]


def test_feedback_stored_through_one_replica_is_seen_by_the_other(
    replicas: tuple[Replica, Replica], database_url: str
) -> None:
    a, b = replicas
    path = f"/cds-services/{SERVICE}/feedback"
    item = {**FEEDBACK_ITEM, "card": str(uuid.uuid4())}

    through_a = httpx.post(
        f"{a.url}{path}", json={"feedback": [item]}, headers=signed(path), timeout=CALL_TIMEOUT
    )
    through_b = httpx.post(
        f"{b.url}{path}", json={"feedback": [item]}, headers=signed(path), timeout=CALL_TIMEOUT
    )

    assert through_a.json() == {"received": 1, "stored": 1}, through_a.text
    assert through_b.json() == {"received": 1, "stored": 0}, "B did not see the item A stored"
    store = SqlStore(database_url, clock=lambda: datetime.now(UTC))
    try:
        assert [row["card_uuid"] for row in store.items(SERVICE) if row["card_uuid"] == item["card"]] == [
            item["card"]
        ]
    finally:
        store.dispose()
