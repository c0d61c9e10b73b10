"""The benchmark script works: `python -m bench --quick` runs end to end in a few seconds (the numbers of a
smoke run mean nothing; the full run is `python -m bench`, never part of the test suite)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.payloads import SERVICES, SIZES, count, hook_request, record, scaled_record
from bench.run import Cell, budget_table, main, targets
from bench.servers import Server
from bench.stages import FLOOR_PARSE, STAGES


def test_payload_sizes_follow_the_issue() -> None:
    from datetime import date

    large = record(SIZES["large"], date(2031, 1, 6))
    assert len(large["conditions"]) == 50 and len(large["bodyMeasurements"]) == 3000
    assert len(large["medicationRequests"]) == 300
    assert count(scaled_record(10_000, date(2031, 1, 6))) == 10_000
    request = hook_request("order-select", large, date(2031, 1, 6))
    assert request["context"]["selections"] == ["MedicationRequest/bev-draft-1"]
    assert set(SERVICES) == {"patient-view", "order-select"}


def test_quick_run_writes_results_and_keeps_the_fetch_deadline(tmp_path: Path) -> None:
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    [results] = list(tmp_path.glob("quick-*.json"))
    data = json.loads(results.read_text())
    services = [c for c in data["cells"] if c["app"] == "service"]
    assert services and all(c["cards"] >= 1 and c["failures"] == 0 for c in services)
    assert all(r["cpu_ratio"] > 0 for r in data["ratios"])
    assert {r["floor"] for r in data["ratios"]} == {"floor", "floor-gc"}  # against both floors
    assert data["linearity"]["points"] and data["fetch"]["rows"]
    assert all(r["within_deadline"] for r in data["fetch"]["rows"])
    [pv, os_] = data["stages"]  # the small size's two hooks, each stage timed
    assert (pv["hook"], os_["hook"]) == ("patient-view", "order-select")
    assert all(pv[stage] > 0 and os_[stage] > 0 for stage in (*STAGES, FLOOR_PARSE))
    for server in data["servers"]:  # start-up is the median of its starts
        assert (
            len(server["startup_ms_each"]) == 2
            and abs(server["startup_ms"] - sum(server["startup_ms_each"]) / 2) <= 1
        )
    for server in data["servers"]:  # the peak since start-up is at least any moment's resident size
        assert all(
            peak >= now
            for peak, now in zip(server["rss_peak_mb_per_worker"], server["rss_mb_per_worker"], strict=True)
        )
    report = (tmp_path / results.name.replace(".json", ".md")).read_text()
    assert report.startswith("# Benchmark")
    assert "| small | order-select | " in report.split("Where the service's CPU goes")[1]
    assert "| small | order-select | " in report.split("What 1.0x floor-gc leaves")[1]
    assert "- small within 2x of floor-gc: " in report and "- start-up < 1000 ms: " in report


def test_a_measurement_starts_once_the_server_has_finished_the_calls_before_it() -> None:
    burner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\ntime.sleep(60)",
        ]
    )
    try:
        server = Server("busy", "-", 1, 0, burner)
        time.sleep(0.05)
        server.wait_idle()
        assert server.cpu() >= 0.5  # it waited for the half second of work to end
    finally:
        burner.kill()
        burner.wait()


def _cell(
    app: str, size: str, cpu_ms: float, *, workers: int = 1, clients: int = 1, p99: float = 5.0
) -> Cell:
    return Cell(app, workers, size, "order-select", clients, 1.0, 100.0, 1.0, p99, cpu_ms, 10, 0, 1, "wrk")


def test_targets_are_issue_19s_against_the_gc_tuned_floor_and_the_peer() -> None:
    """Medium at 1.05x the GC-tuned floor misses 1.0x (issue #7's 1.3x would pass it); small at 1.9x meets 2x;
    the peer at 19x less misses 20x; a p99 of 26 ms misses 25 ms."""
    cells = [
        _cell("floor-gc", "small", 1.0),
        _cell("service", "small", 1.9),
        _cell("floor-gc", "medium", 4.0),
        _cell("service", "medium", 4.2),
        _cell("service", "medium", 4.2, workers=2, clients=8, p99=26.0),
        _cell("healthchain", "medium", 4.2 * 19),
    ]
    lines = targets(cells, [], None, None)
    assert "- small within 2x of floor-gc: MET (ratios 1.90-1.90 over 1 cells)" in lines
    assert "- medium within 1x of floor-gc: NOT MET (ratios 1.05-1.05 over 1 cells)" in lines
    assert any(line.startswith("- p99 < 25 ms, medium, 8 clients, 2 workers: NOT MET") for line in lines)
    assert "- at least 20x less CPU per call than healthchain: NOT MET (medium order-select 19x)" in lines
    cells[-1] = _cell("healthchain", "medium", 4.2 * 21)
    assert "- at least 20x less CPU per call than healthchain: MET (medium order-select 21x)" in targets(
        cells, [], None, None
    )


def test_the_budget_at_one_times_the_floor_is_what_its_parse_leaves_after_the_service_s_decode() -> None:
    """Floor 2.2 ms of which 1.5 parse+free: its HTTP and framework 0.7; the service decodes and frees in 1.2, so
    0.3 is left for the rest at 1.0x; the service's 4.3 ms spend 4.3 - 0.7 - 1.2 = 2.4 on the rest now."""
    cells = [_cell("floor-gc", "medium", 2.2), _cell("service", "medium", 4.3), _cell("floor", "medium", 2.0)]
    spent = dict.fromkeys(STAGES, 0.1) | {"parse": 0.9, "free": 0.3, FLOOR_PARSE: 1.5}
    lines = budget_table(cells, {("medium", "order-select"): spent})
    assert lines[-1] == "| medium | order-select | 2.20 | 1.50 | 0.70 | 1.20 | 0.30 | 2.40 |"
    assert budget_table(cells, {("small", "order-select"): spent}) == []  # no load run of that cell
