"""Where a serving worker's CPU goes, function by function: py-spy samples one service worker (1 worker, 1 client)
while the load generator drives it, and the samples are summed by function and by layer.

The stage profile (`bench.stages`) times the pipeline alone, in a loop; this one samples everything a worker does
for a call, as it serves: HTTP, the framework, middleware, the audit line, the card log's thread, the JSON parse
and the pipeline. Only the thread holding the interpreter lock is sampled (`--gil`), so a sample is CPU spent in
Python or in C called with the lock held (orjson, pydantic-core). py-spy's default counts every thread that is not
asleep in the kernel, and a thread waiting for the lock is not: it put 9-11 % of a small call's samples on the
card log's thread, which /proc measured at 2.5 % of the worker's CPU. What C does without the lock (SQLite's
writes) is not seen. A sample counts for the innermost Python function on the stack ("self"; C counts for the
Python function that called it) and once for every function on the stack ("inclusive").

    python -m bench.hotspots [--size small] [--hook patient-view] [--seconds 8] [--top 25]

Needs py-spy (a dev dependency) and the right to trace another process (root, or CAP_SYS_PTRACE in a container).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.load import drive
from bench.payloads import SERVICES, SIZES, hook_request, record
from bench.servers import ROOT, SERVICE_APP, Server, running

SAMPLES_PER_SECOND = 250
WARM_UP_SECONDS = 2.0
"""Load before sampling: past the first calls (which build what is built on first use) and past the settling of
the worker a second after start-up (cds_service.app.SETTLE_AFTER_SECONDS: deferred imports, the collector's
freeze), neither of which a steady worker pays."""
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("HTTP server", ("uvicorn/", "asyncio/", "uvloop/", "httptools/", "h11/", "selectors", "<frozen runpy>")),
    ("web framework", ("fastapi/", "starlette/", "anyio/")),
    (
        "our web layer",
        ("cds_service/web/routes", "cds_service/app", "cds_service/serving"),
    ),
    ("JSON parse", ("cds_service/protocol/parse", "cds_service/protocol/decode")),
    (
        "audit, metrics",
        (
            "logging/",
            "cds_service/web/audit",
            "cds_service/web/observe",
            "cds_service/metrics",
            "cds_service/instruments",
            "prometheus_client/",
        ),
    ),
    (
        "card log",
        ("cds_service/card_log", "cds_service/store", "cds_service/sql_store", "sqlalchemy/", "sqlite3/"),
    ),
    ("facts", ("fhir_mappings/",)),
    ("rules", ("hooks/", "cds_service/engine/run")),
    ("cards", ("cds_service/engine/", "cds_service/clock")),  # the clock module makes the cards' uuids
    ("validation", ("pydantic/", "pydantic_core/", "fhir_core/", "fhir/resources/")),
    ("pipeline", ("cds_service/",)),
)
"""Layers by the module of a sample's innermost frame; the first whose prefix matches wins (so the engine's rule
runner counts as rules, the rest of the engine as cards). A frame of no layer counts as "other"."""
OTHER = "other"
_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*?)(?::\d+)?\)$")
_PREFIXES = ("site-packages/", "dist-packages/", str(ROOT) + "/")  # a virtualenv may lie in the checkout
_STDLIB = re.compile(r"^.*/lib/python3\.\d+/")


@dataclass(frozen=True)
class Profile:
    samples: int
    inclusive: Counter[str]
    self_time: Counter[str]
    layers: Counter[str]

    def share(self, count: int) -> float:
        return 100 * count / self.samples if self.samples else 0.0


def module_path(path: str) -> str:
    """A frame's file as a module path: relative to this checkout, site-packages or the standard library."""
    for prefix in _PREFIXES:
        if prefix in path:
            return path.split(prefix, 1)[1]
    return _STDLIB.sub("", path)


def frame_name(frame: str) -> tuple[str, str]:
    """(function, module path) of one py-spy frame, `function (path:line)`; the line is dropped, so that the
    samples of one function add up."""
    match = _FRAME.match(frame)
    if match is None:
        return frame, ""
    return match["function"], module_path(match["path"])


def layer_of(path: str) -> str:
    for layer, prefixes in LAYERS:
        if path.startswith(prefixes):
            return layer
    return OTHER


def read_collapsed(lines: Iterable[str]) -> Profile:
    """Sum py-spy's raw output: one `frame;frame;…;frame count` line per distinct stack, outermost first."""
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    samples = 0
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        names = [frame_name(f) for f in stack.split(";")]
        samples += count
        for function, path in set(names):  # a recursive function counts once per sample
            inclusive[f"{function} ({path})"] += count
        function, path = names[-1]
        self_time[f"{function} ({path})"] += count
        layers[layer_of(path)] += count
    return Profile(samples, inclusive, self_time, layers)


def py_spy() -> str | None:
    """The py-spy beside this interpreter (a virtualenv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def sample(server: Server, url: str, body_file: Path, seconds: float, tool: str = "auto") -> Profile:
    """py-spy on the server's one worker for `seconds` while one client posts `body_file` in a loop. Raises
    RuntimeError with py-spy's own message when it cannot trace (not installed, no ptrace permission)."""
    executable = py_spy()
    if executable is None:
        raise RuntimeError("py-spy is not installed (pip install -e '.[dev]')")
    [pid] = server.worker_pids()
    load = threading.Thread(target=drive, args=(url, body_file, 1, seconds + 2, tool), daemon=True)
    load.start()
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        command = [
            executable,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(SAMPLES_PER_SECOND),
            "--gil",
            "--format",
            "raw",
            "--output",
            out.name,
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        load.join()
        if done.returncode != 0:
            raise RuntimeError(f"py-spy failed: {(done.stderr or done.stdout).strip()[-300:]}")
        return read_collapsed(Path(out.name).read_text().splitlines())


def layer_table(profiles: dict[tuple[str, str], Profile]) -> list[str]:
    """One row per size and hook: the share of the worker's samples in each layer."""
    names = [layer for layer, _ in LAYERS] + [OTHER]
    lines = [
        "| size | hook | samples | " + " | ".join(names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for (size, hook), profile in profiles.items():
        shares = " | ".join(f"{profile.share(profile.layers[n]):.1f}" for n in names)
        lines.append(f"| {size} | {hook} | {profile.samples} | {shares} |")
    return lines


def function_table(profile: Profile, top: int) -> list[str]:
    lines = ["| inclusive % | function |", "|---|---|"]
    lines += [f"| {profile.share(n):.1f} | {name} |" for name, n in profile.inclusive.most_common(top)]
    lines += ["", "| self % | function |", "|---|---|"]
    lines += [f"| {profile.share(n):.1f} | {name} |" for name, n in profile.self_time.most_common(top)]
    return lines


def sample_each(
    bodies: dict[tuple[str, str], Path],
    env: dict[str, str],
    workdir: Path,
    seconds: float,
    tool: str = "auto",
) -> dict[tuple[str, str], Profile]:
    """One service worker, started once, warmed up and sampled under each body in turn."""
    with running("service", SERVICE_APP, 1, env, workdir / "hotspots.log") as server:
        profiles = {}
        for (size, hook), body_file in bodies.items():
            url = f"{server.base}/cds-services/{SERVICES[hook]}"
            drive(url, body_file, 1, WARM_UP_SECONDS, tool)
            profiles[(size, hook)] = sample(server, url, body_file, seconds, tool)
        return profiles


def main(argv: list[str] | None = None) -> int:
    from bench.run import environment

    parser = argparse.ArgumentParser(
        prog="python -m bench.hotspots",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--hook", choices=sorted(SERVICES), default="patient-view")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of sampling (default 8)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    args = parser.parse_args(argv)
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="cds-hotspots-") as tmp:
        workdir = Path(tmp)
        body_file = workdir / "body.json"
        body_file.write_bytes(orjson.dumps(hook_request(args.hook, record(SIZES[args.size], today), today)))
        try:
            [profile] = sample_each(
                {(args.size, args.hook): body_file}, environment(workdir, 1.0), workdir, args.seconds
            ).values()
        except RuntimeError as exc:
            print(f"hot spots: {exc}", file=sys.stderr)
            return 2
    print(f"{args.size} {args.hook}: {profile.samples} samples over {args.seconds:g} s, 1 worker, 1 client\n")
    print(
        "\n".join([*layer_table({(args.size, args.hook): profile}), "", *function_table(profile, args.top)])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
