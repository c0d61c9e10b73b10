"""A real FHIR R4 server process for tests: sekmet-fhir on a free loopback port, bearer auth, in-memory data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import free_port

TOKEN = "sekmet-test-token-6b1f"  # a test server's static token, not a secret
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class FhirServer:
    base: str
    token: str

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/fhir+json"},
            timeout=10,
        )

    def load(self, bundle: dict[str, Any]) -> None:
        with self.client() as client:
            response = client.post("", json=bundle)
            response.raise_for_status()

    def search(self, query: str) -> dict[str, Any]:
        with self.client() as client:
            response = client.get(query)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data


def sekmet_executable() -> str | None:
    beside = Path(sys.executable).parent / "sekmet"
    return str(beside) if beside.exists() else shutil.which("sekmet")


@contextmanager
def running_sekmet(workdir: Path) -> Iterator[FhirServer]:
    executable = sekmet_executable()
    if executable is None:
        raise RuntimeError("sekmet-fhir is not installed")
    port = free_port()
    base = f"http://127.0.0.1:{port}/fhir"
    config = workdir / "sekmet.yaml"
    config.write_text(
        "host: 127.0.0.1\n"
        f"server_auth: {{types: [bearer], tokens: [{TOKEN}]}}\n"
        "simulator: {enabled: false}\n"
        "log_inbound: false\n"
    )
    env = dict(os.environ, SEKMET_BASE_URL=base, SEKMET_DB=":memory:")
    log = (workdir / "sekmet.log").open("w")
    process = subprocess.Popen(
        [executable, "serve", "-c", str(config), "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"sekmet exited with {process.returncode}; see {workdir / 'sekmet.log'}")
            try:
                if httpx.get(f"{base}/metadata", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("sekmet did not start in time")
            time.sleep(0.1)
        yield FhirServer(base, TOKEN)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def sekmet_holding(workdir: Path, bundles: Iterable[dict[str, Any]]) -> Iterator[FhirServer]:
    """A running sekmet-fhir loaded with `bundles` (for a module-scoped fixture); the test skips where
    sekmet-fhir is not installed."""
    if sekmet_executable() is None:
        pytest.skip("sekmet-fhir is not installed (pip install -e '.[dev]')")
    with running_sekmet(workdir) as server:
        for bundle in bundles:
            server.load(bundle)
        yield server
