"""The benchmark in one run: floor vs service, 1 and 2 workers, 1 and 8 clients, three sizes, two hooks; then a
linearity check (time per request against 10 → 10,000 prefetched resources) and the fetch path (no prefetch,
a local FHIR server with one slow query, under the hook's deadline).

    .venv/bin/python -m bench              # the full run (about 4 minutes on 2 cores)
    .venv/bin/python -m bench --quick      # a few seconds: proves the script works, numbers mean little
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.hotspots import Profile, layer_table, sample_each
from bench.load import LoadResult, drive, wrk_available
from bench.payloads import SERVICES, SIZES, count, hook_request, record, scaled_record
from bench.peer_env import PEER_PINS, peer_python
from bench.servers import ROOT, SERVICE_APP, Server, running
from bench.stages import FLOOR_PARSE, STAGES

FLOOR_APP = "bench.floor:create_app"
FLOOR_GC_APP = "bench.floor:create_gc_tuned_app"
APPS = (("floor", FLOOR_APP), ("floor-gc", FLOOR_GC_APP), ("service", SERVICE_APP))
"""The service against two floors: the plain one, and the same with the service's garbage-collector settings."""
FLOORS = ("floor", "floor-gc")
PEER = "healthchain"
PEER_APP = "bench.peer_healthchain:create_app"
"""HealthChain doing the same job its documented way (bench/peer_healthchain.py), in its own venv
(bench/peer_env.py)."""
HOOKS = ("patient-view", "order-select")
LINEAR_SIZES = (10, 100, 1000, 3000, 10000)
STARTUPS = 5
"""Starts of each app and worker count; start-up is their median (one start on this 2-core machine varies by
0.1-0.3 s with whatever else runs)."""


@dataclass
class Cell:
    app: str
    workers: int
    size: str
    hook: str
    clients: int
    body_kb: float
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    requests: int
    failures: int
    cards: int
    tool: str
    status: int = 200
    """HTTP status of the first call: a cell whose app did not answer 200 has no load measured (the peer's only)."""


def post(url: str, body: bytes, timeout: float = 30.0) -> tuple[int, Any, float]:
    """Status, JSON answer (only a 200's: an error page may not be JSON) and seconds of one call."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, payload = exc.code, exc.read()
    elapsed = time.perf_counter() - started
    return status, orjson.loads(payload) if status == 200 and payload else None, elapsed


def loaded(
    app: str,
    workers: int,
    size: str,
    hook: str,
    clients: int,
    body: bytes,
    result: LoadResult,
    cpu_ms: float,
    cards: int,
) -> Cell:
    """The cell of one load run of `app`."""
    return Cell(
        app,
        workers,
        size,
        hook,
        clients,
        round(len(body) / 1024, 1),
        result.rps,
        result.p50_ms,
        result.p99_ms,
        cpu_ms,
        result.requests,
        result.failures,
        cards,
        result.tool,
    )


def measure(
    server: Server, url: str, body_file: Path, clients: int, duration: float, tool: str
) -> tuple[LoadResult, float]:
    """One load run; server CPU ms per request from the workers' CPU time before and after (once the calls of the
    run before have been answered)."""
    server.wait_idle()
    before = server.cpu()
    result = drive(url, body_file, clients, duration, tool)
    spent = server.cpu() - before
    return result, (spent * 1000 / result.requests if result.requests else math.nan)


STAGE_CALLS = {"small": 300, "medium": 60, "large": 10}
"""Calls per stage profile: enough for a steady median at each size within a few seconds."""


def stage_profiles(
    args: argparse.Namespace, workdir: Path, bodies: dict[tuple[str, str], Path]
) -> dict[tuple[str, str], dict[str, float]]:
    """`bench.stages` per size and hook, each in a fresh interpreter with the service's environment."""
    env = {**os.environ, **environment(workdir, args.deadline), "PYTHONPATH": str(ROOT)}
    out = {}
    for (size, hook), body_file in bodies.items():
        calls = 5 if args.quick else STAGE_CALLS[size]
        command = [sys.executable, "-m", "bench.stages", str(body_file), SERVICES[hook], str(calls)]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        out[(size, hook)] = json.loads(done.stdout)
    return out


def hotspot_profiles(
    args: argparse.Namespace, workdir: Path, bodies: dict[tuple[str, str], Path]
) -> dict[tuple[str, str], Profile]:
    """py-spy on one serving worker per size and hook (`bench.hotspots`); none where py-spy cannot run, said so."""
    if args.skip_hotspots:
        return {}
    print("  hot spots (py-spy)", flush=True)
    try:
        return sample_each(
            bodies, environment(workdir, args.deadline), workdir, args.hotspot_seconds, args.tool
        )
    except RuntimeError as exc:
        print(f"  hot spots left out: {exc}", flush=True)
        return {}


def environment(workdir: Path, deadline: float) -> dict[str, str]:
    """The service in development mode without trusted clients: authentication is not measured. Bodies up to
    64 MiB (the linearity check sends 10,000 resources); FHIR read timeouts longer than the hook's deadline,
    so that the fetch path shows the deadline at work."""
    env = {
        "CDS_DEV": "true",
        "CDS_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "CDS_MAX_BODY_BYTES": str(64 * 1024 * 1024),
        "CDS_PREFETCH_DEADLINE_SECONDS": str(deadline),
        "CDS_FHIR_CONNECT_TIMEOUT": "1",
        "CDS_FHIR_READ_TIMEOUT": "10",
    }
    for name in ("CDS_TRUSTED_CLIENTS", "CDS_PUBLIC_BASE_URL", "CDS_FHIR_SERVERS"):
        os.environ.pop(name, None)
    return env


def run_matrix(
    args: argparse.Namespace, workdir: Path, bodies: dict[tuple[str, str], Path]
) -> tuple[list[Cell], list[dict[str, Any]], dict[str, Any] | None, dict[str, Any] | None]:
    """The table; the linearity check and the fetch path run on the first service started."""
    cells: list[Cell] = []
    servers: list[dict[str, Any]] = []
    linear: dict[str, Any] | None = None
    fetch: dict[str, Any] | None = None
    env = environment(workdir, args.deadline)
    for workers in args.workers:
        for name, app in APPS:
            log = workdir / f"{name}-{workers}.log"
            startups = [start_up_ms(name, app, workers, env, log) for _ in range(args.startups - 1)]
            with running(name, app, workers, env, log) as server:
                startups.append(server.startup_s * 1000)
                print(
                    f"  {name}, {workers} worker(s): up in {', '.join(f'{ms:.0f}' for ms in startups)} ms",
                    flush=True,
                )
                time.sleep(0.5)  # let the workers settle after start-up before reading their idle memory
                idle_rss = [round(x, 1) for x in server.rss_per_worker()]
                for (size, hook), body_file in bodies.items():
                    url = f"{server.base}/cds-services/{SERVICES[hook]}"
                    body = body_file.read_bytes()
                    status, answer, _ = post(url, body)
                    cards = len(answer["cards"]) if status == 200 else -1
                    if status != 200 or (name == "service" and cards < 1):
                        raise RuntimeError(f"{name} {size} {hook}: HTTP {status}, {cards} cards")
                    if args.warmup > 0:
                        drive(url, body_file, max(args.clients), args.warmup, args.tool)
                    for clients in args.clients:
                        result, cpu_ms = measure(server, url, body_file, clients, args.duration, args.tool)
                        cells.append(loaded(name, workers, size, hook, clients, body, result, cpu_ms, cards))
                        print(
                            f"    {size:6} {hook:12} c={clients}: {result.rps:8.1f} req/s  "
                            f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                            f"cpu {cpu_ms:7.2f} ms/req",
                            flush=True,
                        )
                servers.append(
                    {
                        "app": name,
                        "workers": workers,
                        "startup_ms": round(statistics.median(startups)),
                        "startup_ms_each": [round(ms) for ms in startups],
                        "rss_idle_mb_per_worker": idle_rss,
                        "rss_mb_per_worker": [round(x, 1) for x in server.rss_per_worker()],
                        "rss_peak_mb_per_worker": [round(x, 1) for x in server.peak_rss_per_worker()],
                    }
                )
                if name == "service" and workers == args.workers[0]:
                    if not args.skip_linearity:
                        print("  linearity", flush=True)
                        linear = linearity(args, workdir, server)
                    if not args.skip_fetch:
                        print("  fetch path", flush=True)
                        fetch = fetch_path(args, server)
    return cells, servers, linear, fetch


def run_peer(
    args: argparse.Namespace, workdir: Path, bodies: dict[tuple[str, str], Path]
) -> tuple[list[Cell], dict[str, Any] | None, str | None]:
    """HealthChain on the same request bodies, 1 worker and 1 client: its cells, its server figures, or why it was
    not measured. Never fails the run: a peer that cannot be installed or started, or answers other than 200, is
    reported as such."""
    try:
        python = peer_python()
    except RuntimeError as exc:
        return [], None, str(exc)
    env = environment(workdir, args.deadline)
    cells = []
    try:
        with running(PEER, PEER_APP, 1, env, workdir / f"{PEER}.log", python=python) as server:
            print(f"  {PEER}, 1 worker(s): up in {server.startup_s * 1000:.0f} ms", flush=True)
            time.sleep(0.5)
            idle_rss = [round(x, 1) for x in server.rss_per_worker()]
            for (size, hook), body_file in bodies.items():
                url = f"{server.base}/cds-services/{SERVICES[hook]}"
                body = body_file.read_bytes()
                status, answer, _ = post(url, body)
                if status != 200:
                    nan = math.nan
                    kb = round(len(body) / 1024, 1)
                    cells.append(Cell(PEER, 1, size, hook, 1, kb, nan, nan, nan, nan, 0, 0, -1, "-", status))
                    print(f"    {size:6} {hook:12} c=1: HTTP {status}", flush=True)
                    continue
                if args.warmup > 0:
                    drive(url, body_file, 1, args.warmup, args.tool)
                result, cpu_ms = measure(server, url, body_file, 1, args.duration, args.tool)
                cells.append(loaded(PEER, 1, size, hook, 1, body, result, cpu_ms, len(answer["cards"])))
                print(f"    {size:6} {hook:12} c=1: cpu {cpu_ms:7.2f} ms/req", flush=True)
            info = {
                "app": PEER,
                "workers": 1,
                "startup_ms": round(server.startup_s * 1000),
                "startup_ms_each": [round(server.startup_s * 1000)],
                "rss_idle_mb_per_worker": idle_rss,
                "rss_mb_per_worker": [round(x, 1) for x in server.rss_per_worker()],
                "rss_peak_mb_per_worker": [round(x, 1) for x in server.peak_rss_per_worker()],
            }
    except (RuntimeError, OSError) as exc:  # did not start, or a call timed out
        return cells, None, str(exc)
    return cells, info, None


def _peer_pairs(cells: list[Cell]) -> list[tuple[Cell, Cell]]:
    """(service, peer) cells of the same size and hook, 1 worker, 1 client."""
    ours = _single(cells, "service")
    return [(ours[(p.size, p.hook)], p) for p in cells if p.app == PEER and (p.size, p.hook) in ours]


def peer_factors(cells: list[Cell]) -> dict[tuple[str, str], float]:
    """Peer CPU per call / service CPU per call, by (size, hook), where the peer answered 200."""
    return {(p.size, p.hook): p.cpu_ms / s.cpu_ms for s, p in _peer_pairs(cells) if p.status == 200}


def peer_lines(cells: list[Cell], note: str | None) -> list[str]:
    """Service CPU per call against HealthChain's, per size and hook (1 worker, 1 client)."""
    lines = ["", f"Against {' + '.join(PEER_PINS)} (1 worker, 1 client, the same requests)", ""]
    if note:
        return [*lines, f"- {PEER}: not measured ({note})"]
    for service, peer in _peer_pairs(cells):
        if peer.status != 200:
            versus = f"{PEER} answered HTTP {peer.status}"
        else:
            versus = (
                f"{peer.cpu_ms / service.cpu_ms:.0f}× less ({service.cpu_ms:.2f} vs {peer.cpu_ms:.2f} ms)"
            )
        lines.append(f"- {peer.size} {peer.hook}: service CPU per call vs {PEER}: {versus}")
    return lines


def start_up_ms(name: str, app: str, workers: int, env: dict[str, str], log: Path) -> float:
    """One start of the app, stopped as soon as it answers (every worker started)."""
    with running(name, app, workers, env, log) as server:
        return server.startup_s * 1000


def linearity(args: argparse.Namespace, workdir: Path, server: Server) -> dict[str, Any]:
    """CPU ms per order-select request against the number of resources the rules read."""
    today = datetime.now(UTC).date()
    points = []
    url = f"{server.base}/cds-services/{SERVICES['order-select']}"
    for n in args.linear_sizes:
        resources = scaled_record(n, today)
        body_file = workdir / f"linear-{n}.json"
        body_file.write_bytes(orjson.dumps(hook_request("order-select", resources, today)))
        status, answer, _ = post(url, body_file.read_bytes())
        if status != 200 or not answer["cards"]:
            raise RuntimeError(f"linearity n={n}: HTTP {status}")
        duration = args.duration if n >= 1000 else min(args.duration, 2.0)
        post(url, body_file.read_bytes())
        result, cpu_ms = measure(server, url, body_file, 1, duration, args.tool)
        points.append(
            {
                "resources": count(resources),
                "cpu_ms": cpu_ms,
                "p50_ms": result.p50_ms,
                "requests": result.requests,
            }
        )
    xs = [float(p["resources"]) for p in points]
    ys = [float(p["cpu_ms"]) for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    mean = statistics.fmean(ys)
    ss_tot = sum((y - mean) ** 2 for y in ys) or 1.0
    r2 = 1 - sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True)) / ss_tot
    # growth exponent between the two largest records (1 = linear, 2 = quadratic)
    (x1, y1), (x2, y2) = (xs[-2], ys[-2]), (xs[-1], ys[-1])
    exponent = math.log(max(y2 - intercept, 1e-9) / max(y1 - intercept, 1e-9)) / math.log(x2 / x1)
    return {
        "points": points,
        "slope_us_per_resource": slope * 1000,
        "intercept_ms": intercept,
        "r2": r2,
        "exponent_top": exponent,
    }


def fetch_path(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    """No prefetch: the service queries a local FHIR server, every prefetch key at once, one of them slow."""
    sys.path.insert(0, str(ROOT))
    from tests.fake_fhir import Reply, running_fake_fhir, searchset

    deadline = args.deadline
    today = datetime.now(UTC).date()
    resources = record(SIZES["small"], today)
    from cds_service.prefetch.resolve import render
    from hooks.services import SERVICES_BY_ID

    templates = SERVICES_BY_ID[SERVICES["order-select"]].prefetch
    context = {"patientId": resources["patient"][0]["id"]}
    paths = {key: (render(t, context) or "").split("?", 1)[0] for key, t in templates.items()}
    slow_key = "procedures" if "procedures" in paths else sorted(paths)[0]
    rows = []
    url = f"{server.base}/cds-services/{SERVICES['order-select']}"
    for slow in args.slow_queries:
        with running_fake_fhir() as fhir:
            for key, path in paths.items():
                wait = slow if key == slow_key else 0.005
                found = resources.get(key, [])
                answer = found[0] if "/" in path and found else searchset(*found)
                fhir.route(path, Reply(json=answer, wait=wait))
            request = hook_request("order-select", {}, today)
            request.pop("prefetch")
            request["fhirServer"] = fhir.base
            body = orjson.dumps(request)
            latencies, statuses, cards = [], set(), 0
            for _ in range(args.fetch_repeats):
                status, answer, elapsed = post(url, body)
                latencies.append(elapsed * 1000)
                statuses.add(status)
                cards = len(answer["cards"]) if status == 200 else 0
            queries = len(fhir.seen) // args.fetch_repeats
        rows.append(
            {
                "slowest_query_ms": slow * 1000,
                "queries_per_hook": queries,
                "status": sorted(statuses),
                "cards": cards,
                "hook_p50_ms": statistics.median(latencies),
                "hook_max_ms": max(latencies),
                "overhead_ms": statistics.median(latencies) - min(slow, deadline) * 1000,
                "within_deadline": max(latencies) <= deadline * 1000 + args.deadline_slack_ms,
            }
        )
    return {"deadline_ms": deadline * 1000, "rows": rows}


def ratios(cells: list[Cell]) -> list[dict[str, Any]]:
    """Service / floor per cell, against each floor."""
    floors = {(c.app, c.workers, c.size, c.hook, c.clients): c for c in cells if c.app in FLOORS}
    out = []
    for c in cells:
        for floor_name in FLOORS:
            f = floors.get((floor_name, c.workers, c.size, c.hook, c.clients))
            if c.app != "service" or f is None:
                continue
            out.append(
                {
                    "floor": floor_name,
                    "workers": c.workers,
                    "size": c.size,
                    "hook": c.hook,
                    "clients": c.clients,
                    "cpu_ratio": c.cpu_ms / f.cpu_ms if f.cpu_ms else math.nan,
                    "p50_ratio": c.p50_ms / f.p50_ms if f.p50_ms else math.nan,
                    "rps_ratio": f.rps / c.rps if c.rps else math.nan,
                }
            )
    return out


TARGET_FLOOR = "floor-gc"
TARGET_RATIO = {"small": 2.0, "medium": 1.0, "large": 1.0}
"""Service / GC-tuned floor CPU per request, all rules active and cards produced (issue #19; issue #7 asked 1.3x
for medium and large, against either floor)."""
TARGET_P99_MS = 25.0
"""p99 latency for medium payloads at 8 clients on 2 workers (issue #19; 50 ms in issue #7)."""
TARGET_EXPONENT = 1.1
"""Growth exponent of CPU per request between the two largest records (1 = linear)."""
TARGET_PEER_FACTOR = 20.0
"""At least this many times less CPU per call than the peer (HealthChain), at every size and hook."""
TARGET_STARTUP_MS = 1000.0
TARGET_RSS_MB = 150.0


def targets(
    cells: list[Cell],
    servers: list[dict[str, Any]],
    linear: dict[str, Any] | None,
    fetch: dict[str, Any] | None,
) -> list[str]:
    """Each target of the issue with the figures measured in this run, and whether it is met."""
    rows = ratios(cells)
    lines = []
    for size, limit in TARGET_RATIO.items():
        got = [r["cpu_ratio"] for r in rows if r["size"] == size and r["floor"] == TARGET_FLOOR]
        if got:
            lines.append(
                f"- {size} within {limit:g}x of {TARGET_FLOOR}: {_met(max(got) <= limit)} "
                f"(ratios {min(got):.2f}-{max(got):.2f} over {len(got)} cells)"
            )
    p99 = [c for c in cells if (c.app, c.size, c.clients, c.workers) == ("service", "medium", 8, 2)]
    if p99:
        worst = max(c.p99_ms for c in p99)
        floor_p99 = [
            c.p99_ms for c in cells if (c.app, c.size, c.clients, c.workers) == ("floor-gc", "medium", 8, 2)
        ]
        lines.append(
            f"- p99 < {TARGET_P99_MS:g} ms, medium, 8 clients, 2 workers: {_met(worst < TARGET_P99_MS)} "
            f"({', '.join(f'{c.hook} {c.p99_ms:.1f}' for c in p99)} ms; floor-gc "
            f"{', '.join(f'{x:.1f}' for x in floor_p99)} ms)"
        )
    service = [s for s in servers if s["app"] == "service"]
    if service:
        slowest = max(s["startup_ms"] for s in service)
        heaviest = max(max(s["rss_mb_per_worker"]) for s in service)
        lines.append(
            f"- start-up < {TARGET_STARTUP_MS:.0f} ms: {_met(slowest < TARGET_STARTUP_MS)} "
            f"({', '.join(_startup(s) for s in service)} ms)"
        )
        lines.append(
            f"- under {TARGET_RSS_MB:g} MB per worker: {_met(heaviest < TARGET_RSS_MB)} (at most {heaviest} MB)"
        )
    factors = peer_factors(cells)
    if factors:
        lines.append(
            f"- at least {TARGET_PEER_FACTOR:g}x less CPU per call than {PEER}: "
            f"{_met(min(factors.values()) >= TARGET_PEER_FACTOR)} "
            f"({', '.join(f'{size} {hook} {f:.0f}x' for (size, hook), f in factors.items())})"
        )
    if linear:
        lines.append(
            f"- cost linear in the record: {_met(linear['exponent_top'] <= TARGET_EXPONENT)} (growth exponent "
            f"{linear['exponent_top']:.2f}, R² {linear['r2']:.4f})"
        )
    if fetch:
        lines.append(
            f"- fetch path within its deadline: {_met(all(r['within_deadline'] for r in fetch['rows']))} "
            f"(longest hook {max(r['hook_max_ms'] for r in fetch['rows']):.0f} ms, deadline "
            f"{fetch['deadline_ms']:.0f} ms)"
        )
    return lines


def _startup(server: dict[str, Any]) -> str:
    return f"{server['workers']} worker(s) {server['startup_ms']}"


def _met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def table(
    cells: list[Cell],
    servers: list[dict[str, Any]],
    linear: dict[str, Any] | None,
    fetch: dict[str, Any] | None,
    machine: dict[str, Any],
    stages: dict[tuple[str, str], dict[str, float]],
    hotspots: dict[tuple[str, str], Profile],
    peer: str | None = None,
) -> str:
    """The results in markdown; `peer` is why HealthChain was not measured (when it was asked for)."""
    floors = {(c.app, c.workers, c.size, c.hook, c.clients): c for c in cells if c.app in FLOORS}
    lines = [
        f"# Benchmark, {machine['date']}",
        "",
        f"Machine: {machine['cpu']} ({machine['cores']} cores), Python {machine['python']}, load: "
        f"{machine['tool']}. Service in dev mode without trusted clients (authentication not measured).",
        "Ratio = service / floor on server CPU ms per request. The floor parses the body with orjson and answers "
        '{"cards": []}; floor-gc is the same app with the service\'s garbage-collector settings.',
        "",
        "| workers | size | hook | clients | body KB | app | req/s | p50 ms | p99 ms | CPU ms/req | ratio floor "
        "| ratio floor-gc |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cells:
        ratio = ["", ""]
        for i, floor_name in enumerate(FLOORS):
            f = floors.get((floor_name, c.workers, c.size, c.hook, c.clients))
            if c.app == "service" and f and f.cpu_ms:
                ratio[i] = f"{c.cpu_ms / f.cpu_ms:.2f}"
        cpu = f"{c.cpu_ms:.2f}" if c.status == 200 else f"HTTP {c.status}"
        lines.append(
            f"| {c.workers} | {c.size} | {c.hook} | {c.clients} | {c.body_kb:.0f} | {c.app} | {c.rps:.1f} | "
            f"{c.p50_ms:.2f} | {c.p99_ms:.2f} | {cpu} | {ratio[0]} | {ratio[1]} |"
        )
    if peer is not None or any(c.app == PEER for c in cells):
        lines += peer_lines(cells, peer)
    lines += [
        "",
        "| app | workers | start-up ms, median | start-ups ms | RSS MB per worker, idle | RSS MB per worker, "
        "after load | RSS MB per worker, peak |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in servers:
        lines.append(
            f"| {s['app']} | {s['workers']} | {s['startup_ms']} | {', '.join(map(str, s['startup_ms_each']))} | "
            f"{', '.join(map(str, s['rss_idle_mb_per_worker']))} | {', '.join(map(str, s['rss_mb_per_worker']))} | "
            f"{', '.join(map(str, s['rss_peak_mb_per_worker']))} |"
        )
    if linear:
        lines += [
            "",
            "Linearity (order-select, 1 worker, 1 client): CPU ms per request vs resources the rules read",
            "",
            "| resources | CPU ms/req | p50 ms |",
            "|---|---|---|",
        ]
        lines += [f"| {p['resources']} | {p['cpu_ms']:.2f} | {p['p50_ms']:.2f} |" for p in linear["points"]]
        lines += [
            "",
            f"Fit: {linear['intercept_ms']:.2f} ms + {linear['slope_us_per_resource']:.2f} µs × "
            f"resources, R² = {linear['r2']:.4f}; growth exponent between the two largest records "
            f"{linear['exponent_top']:.2f} (1 = linear, 2 = quadratic).",
        ]
    if fetch:
        lines += [
            "",
            f"Fetch path (no prefetch, concurrent queries, one slow, deadline {fetch['deadline_ms']:.0f} ms)",
            "",
            "| slowest query ms | queries | status | cards | hook p50 ms | hook max ms | p50 − min(slowest, "
            "deadline) ms | within deadline |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['slowest_query_ms']:.0f} | {r['queries_per_hook']} | {r['status']} | {r['cards']} | "
            f"{r['hook_p50_ms']:.1f} | {r['hook_max_ms']:.1f} | {r['overhead_ms']:.1f} | {r['within_deadline']} |"
            for r in fetch["rows"]
        ]
    lines += stage_table(cells, stages)
    lines += budget_table(cells, stages)
    lines += hotspot_table(hotspots)
    lines += ["", "Targets (issue #19)", "", *targets(cells, servers, linear, fetch)]
    return "\n".join(lines) + "\n"


HOT_FUNCTIONS = 12
"""Functions listed per size and hook, by self time."""


def hotspot_table(hotspots: dict[tuple[str, str], Profile]) -> list[str]:
    """The share of a serving worker's samples by layer, then its hottest functions."""
    if not hotspots:
        return []
    lines = [
        "",
        "Where a serving worker's time goes (py-spy, 1 worker, 1 client): % of the worker's samples by the layer "
        "of the innermost Python function (time in C counts for the function that called it). "
        "`python -m bench.hotspots --size S --hook H` lists the functions.",
        "",
        *layer_table(hotspots),
        "",
        "Hottest functions by self time, % of samples:",
        "",
    ]
    for (size, hook), profile in hotspots.items():
        hottest = ", ".join(
            f"{name} {profile.share(n):.1f}" for name, n in profile.self_time.most_common(HOT_FUNCTIONS)
        )
        lines.append(f"- {size} {hook}: {hottest}")
    return lines


def stage_table(cells: list[Cell], stages: dict[tuple[str, str], dict[str, float]]) -> list[str]:
    """Median CPU ms per stage of the service, and what the server spends beyond them (HTTP, middleware, the
    audit line, metrics, the card log): its CPU per request at 1 worker and 1 client minus the stages."""
    if not stages:
        return []
    lines = [
        "",
        "Where the service's CPU goes: median CPU ms per stage over many calls in one process set up like a "
        "worker (`python -m bench.stages`); beyond = the server's CPU ms/req (1 worker, 1 client) minus the "
        "stages: HTTP, middleware, the audit line, metrics, the card log.",
        "",
        f"| size | hook | {' | '.join(STAGES)} | stages | server | beyond |",
        "|---|---|" + "---|" * (len(STAGES) + 3),
    ]
    served = _single(cells, "service")
    for (size, hook), spent in stages.items():
        total = sum(spent[s] for s in STAGES)
        server = served[(size, hook)].cpu_ms if (size, hook) in served else math.nan
        lines.append(
            f"| {size} | {hook} | {' | '.join(f'{spent[s]:.2f}' for s in STAGES)} | {total:.2f} | "
            f"{server:.2f} | {server - total:.2f} |"
        )
    return lines


def budget_table(cells: list[Cell], stages: dict[tuple[str, str], dict[str, float]]) -> list[str]:
    """What 1.0x the GC-tuned floor leaves for the service's work. The floor's CPU per request beyond its own
    parse+free of the body is HTTP and the framework, which the service pays too; at 1.0x, the service's decode
    and free and all its other work (facts, rules, cards, middleware, the audit line) must fit in what the floor
    spends on parse+free."""
    floor, served = _single(cells, TARGET_FLOOR), _single(cells, "service")
    rows = [(key, spent) for key, spent in stages.items() if key in floor and key in served]
    if not rows:
        return []
    lines = [
        "",
        f"What 1.0x {TARGET_FLOOR} leaves for the service's work (CPU ms per request, 1 worker, 1 client): the "
        f"floor's HTTP and framework = its CPU minus its parse+free of the body ({FLOOR_PARSE}, timed by "
        "`bench.stages`); left = its parse+free minus the service's parse and free; the rest = the service's CPU "
        "minus the floor's HTTP and framework and the service's parse and free.",
        "",
        f"| size | hook | {TARGET_FLOOR} | its parse+free | its HTTP, framework | service parse+free | "
        "left at 1.0x | the rest now |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (size, hook), spent in rows:
        floor_ms, served_ms = floor[(size, hook)].cpu_ms, served[(size, hook)].cpu_ms
        fixed = floor_ms - spent[FLOOR_PARSE]
        decoded = spent["parse"] + spent["free"]
        lines.append(
            f"| {size} | {hook} | {floor_ms:.2f} | {spent[FLOOR_PARSE]:.2f} | {fixed:.2f} | {decoded:.2f} | "
            f"{spent[FLOOR_PARSE] - decoded:.2f} | {served_ms - fixed - decoded:.2f} |"
        )
    return lines


def _single(cells: list[Cell], app: str) -> dict[tuple[str, str], Cell]:
    """The cells of `app` at 1 worker and 1 client, by (size, hook)."""
    return {(c.size, c.hook): c for c in cells if (c.app, c.workers, c.clients) == (app, 1, 1)}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of a few seconds: small size, 1 worker, short runs, Python client",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per size and hook")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["small", "medium", "large"])
    parser.add_argument(
        "--tool",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk when installed (auto), else a Python client process",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=1.0,
        help="CDS_PREFETCH_DEADLINE_SECONDS for the fetch path (default 1.0)",
    )
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="HealthChain on the same requests, 1 worker 1 client (default: on, off with --quick; its venv is "
        "made once under ~/.cache/peritoneal-cds, which needs PyPI)",
    )
    parser.add_argument("--skip-linearity", action="store_true")
    parser.add_argument("--skip-fetch", action="store_true")
    parser.add_argument("--skip-hotspots", action="store_true", help="no py-spy profile of a serving worker")
    parser.add_argument(
        "--hotspot-seconds", type=float, default=5.0, help="seconds of py-spy sampling per size and hook"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results", help="folder for the results (.json and .md)"
    )
    args = parser.parse_args(argv)
    args.linear_sizes = LINEAR_SIZES
    args.startups = STARTUPS
    args.slow_queries = [0.05, 0.2, 0.5, 2.0]
    args.fetch_repeats = 5
    args.deadline_slack_ms = 150.0
    if args.peer is None:
        args.peer = not args.quick
    if args.quick:
        args.duration, args.warmup, args.workers, args.clients = 0.5, 0.0, [1], [1, 8]
        args.sizes, args.tool = ["small"], "python" if args.tool == "auto" else args.tool
        args.startups = 2
        args.skip_hotspots = True
        args.linear_sizes, args.slow_queries, args.fetch_repeats = (10, 100, 300), [0.05, 1.5], 2
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    today = datetime.now(UTC).date()
    machine = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "host": platform.node(),
        "tool": args.tool if args.tool != "auto" else ("wrk" if wrk_available() else "python"),
        "quick": args.quick,
        "duration_s": args.duration,
    }
    with tempfile.TemporaryDirectory(prefix="cds-bench-") as tmp:
        workdir = Path(tmp)
        bodies: dict[tuple[str, str], Path] = {}
        for size in args.sizes:
            resources = record(SIZES[size], today)
            for hook in HOOKS:
                path = workdir / f"{size}-{hook}.json"
                path.write_bytes(orjson.dumps(hook_request(hook, resources, today)))
                bodies[(size, hook)] = path
        print(f"floor vs service ({machine['tool']}, {args.duration:g} s per measurement)", flush=True)
        cells, servers, linear, fetch = run_matrix(args, workdir, bodies)
        peer_note = None
        if args.peer:
            peer_cells, peer_server, peer_note = run_peer(args, workdir, bodies)
            cells += peer_cells
            servers += [peer_server] if peer_server else []
        print("  stage profiles", flush=True)
        stages = stage_profiles(args, workdir, bodies)
        hotspots = hotspot_profiles(args, workdir, bodies)
    report = table(cells, servers, linear, fetch, machine, stages, hotspots, peer_note)
    print()
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = ("quick-" if args.quick else "") + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.out / f"{stem}.md").write_text(report)
    (args.out / f"{stem}.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "cells": [asdict(c) for c in cells],
                "ratios": ratios(cells),
                "peer_not_measured": peer_note,
                "servers": servers,
                "linearity": linear,
                "fetch": fetch,
                "stages": [{"size": size, "hook": hook, **ms} for (size, hook), ms in stages.items()],
                "hotspots": [
                    {
                        "size": size,
                        "hook": hook,
                        "samples": p.samples,
                        "layers_percent": {layer: p.share(n) for layer, n in p.layers.most_common()},
                        "self_percent": {
                            name: p.share(n) for name, n in p.self_time.most_common(HOT_FUNCTIONS)
                        },
                    }
                    for (size, hook), p in hotspots.items()
                ],
            },
            indent=2,
        )
    )
    print(f"results: {args.out / stem}.md and .json")
    failed = fetch is not None and not all(r["within_deadline"] for r in fetch["rows"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
