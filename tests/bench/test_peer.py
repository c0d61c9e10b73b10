"""The HealthChain peer answers a small request through the benchmark's own server start. Opt-in
(CDS_BENCH_PEER=1): its venv is made from PyPI the first time (about 15 s) and each start imports HealthChain
(a few seconds), too slow and too networked for every run of the suite."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import orjson
import pytest

from bench.payloads import SERVICES, SIZES, hook_request, record
from bench.peer_env import peer_python
from bench.run import PEER, PEER_APP, environment, post
from bench.servers import running

pytestmark = pytest.mark.skipif(
    os.environ.get("CDS_BENCH_PEER") != "1",
    reason="CDS_BENCH_PEER=1 runs the HealthChain peer (its venv needs PyPI the first time)",
)


def test_the_peer_answers_a_small_request(tmp_path: Path) -> None:
    try:
        python = peer_python()
    except RuntimeError as exc:
        pytest.skip(f"the peer's venv cannot be made here: {exc}")
    today = date(2031, 1, 6)
    body = orjson.dumps(hook_request("order-select", record(SIZES["small"], today), today))
    env = environment(tmp_path, 1.0)
    with running(PEER, PEER_APP, 1, env, tmp_path / "peer.log", python=python) as server:
        status, answer, _ = post(f"{server.base}/cds-services/{SERVICES['order-select']}", body)
    assert status == 200, (tmp_path / "peer.log").read_text()
    assert answer["cards"][0]["summary"] == "5 conditions on record"
