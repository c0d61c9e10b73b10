"""Where a hook call's CPU goes, stage by stage: the profile that says what each part of the service costs.

The server's CPU per request (the benchmark's table) includes HTTP, middleware and the audit line; this profile
times the rest in one process set up like a worker (same app factory, garbage-collector settings and freeze),
calling the code that serves calls (`Serving.evaluate_parsed`, which names its stages as they end). Each stage is the
median of its CPU time over many calls, so one noisy call does not move it.

    python -m bench.stages BODY_FILE SERVICE_ID CALLS    # prints {"stage": ms, ...} as JSON
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from cds_service.serving import Serving
    from hooks.services import ServiceDeclaration

STAGES = ("parse", "envelope", "prefetch", "picture", "rules", "cards", "response", "free")
"""parse: the body's JSON; envelope: the CDS Hooks request validated; prefetch: resolved; picture: facts extracted;
rules: run; cards: built, suggestions validated as FHIR; response: the cards' JSON form made and serialized; free:
the parsed body released."""
FLOOR_PARSE = "floor parse+free"
"""Beside the stages: the floor's own work on the same body (orjson builds the whole tree, which is then freed),
timed in the same loop. The floor's CPU per request beyond it is HTTP and the framework, which the service pays
too: what is left of the floor's CPU for the service's work at 1.0x (bench.run's budget table)."""
WARM_UP_CALLS = 3
BASE_URL = "http://127.0.0.1/"


def profile(body: bytes, service_id: str, calls: int) -> dict[str, float]:
    """Median CPU ms of each stage over `calls` calls of `service_id` with `body`, in this process, and of the
    floor's parse+free of the same body (FLOOR_PARSE). (The service is imported here, not at the top: the
    benchmark's driver reads STAGES without loading it.)"""
    from cds_service.app import create_app, load_deferred
    from cds_service.gc_settings import raise_gen0_threshold
    from hooks.services import SERVICES_BY_ID

    serving = create_app().state.serving
    service = SERVICES_BY_ID[service_id]
    raise_gen0_threshold()
    load_deferred()
    spent: dict[str, list[int]] = {stage: [] for stage in (*STAGES, FLOOR_PARSE)}
    for call in range(WARM_UP_CALLS + calls):
        marks = _one_call(body, service, serving)
        floor = _floor_parse(body)
        if call >= WARM_UP_CALLS:
            for (_, before), (stage, after) in itertools.pairwise(marks):
                spent[stage].append(after - before)
            spent[FLOOR_PARSE].append(floor)
    return {stage: statistics.median(ns) / 1e6 for stage, ns in spent.items()}


def _one_call(body: bytes, service: ServiceDeclaration, serving: Serving) -> list[tuple[str, int]]:
    """The CPU clock at the end of each stage of one call, after a start mark (the body parsed as the server
    parses a hook call's)."""
    from cds_service.protocol.parse import parse_hook_body

    clock = time.thread_time_ns
    marks: list[tuple[str, int]] = [("", clock())]
    data = parse_hook_body(body, "application/json", service.prefetch_keys)
    marks.append(("parse", clock()))
    result = serving.evaluate_parsed(
        service, data, BASE_URL, lap=lambda stage: marks.append((stage, clock()))
    )
    orjson.dumps(result.to_json())
    marks.append(("response", clock()))
    del data, result
    marks.append(("free", clock()))
    return marks


def _floor_parse(body: bytes) -> int:
    """CPU ns of what the floor does with a body: parse it whole with orjson, then free it."""
    clock = time.thread_time_ns
    started = clock()
    data = orjson.loads(body)
    del data
    return clock() - started


def main(argv: list[str]) -> int:
    body_file, service_id, calls = argv
    print(json.dumps(profile(Path(body_file).read_bytes(), service_id, int(calls))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
