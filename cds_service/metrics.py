"""Prometheus metrics (prometheus-client): request latency per service and status, prefetch fetches and failures
per key, cards by rule id and indicator, feedback outcomes by rule id.

Every label value comes from a closed set (service ids, endpoint kinds, prefetch keys of the service's own
templates, rule ids, indicators, feedback outcomes): nothing a caller sends becomes a label, nothing about a
patient is ever recorded.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty directory writable by every worker (before
they start, and emptied at each start of the service); each process then writes its samples there and
`/metrics` adds them up across workers (prometheus-client multiprocess mode).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from hooks.services import SERVICES_BY_ID

if TYPE_CHECKING:
    from cds_service.instruments import Instruments

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNKNOWN = "unknown"


class Metrics:
    """The service's metrics, in a registry of their own (one per app, so apps built in one process - tests -
    do not share counters; in multiprocess mode the samples of every process are read from the directory).

    The prometheus-client objects are made at their first use, not at start-up: importing prometheus-client
    would delay every worker's first answer, and the first request is only recorded once it is answered. The
    settle timer of the app imports it a second after start-up."""

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir or os.environ.get(MULTIPROC_ENV) or None
        self._lock = threading.Lock()
        self._instruments: Instruments | None = None

    @property
    def instruments(self) -> Instruments:
        instruments = self._instruments
        if instruments is None:
            with self._lock:  # two threads must not register the same metric names twice
                if self._instruments is None:
                    from cds_service.instruments import Instruments

                    self._instruments = Instruments()
                instruments = self._instruments
        return instruments

    def observe_request(self, service: str, endpoint: str, status: int, seconds: float) -> None:
        self.instruments.requests.labels(service=service, endpoint=endpoint, status=str(status)).observe(
            seconds
        )

    def prefetch_fetched(self, key: str, ok: bool) -> None:
        """The observer the prefetch resolver calls once per key it fetched."""
        instruments = self.instruments
        instruments.prefetch_fetches.labels(key=key).inc()
        if not ok:
            instruments.prefetch_failures.labels(key=key).inc()

    def cards_returned(self, cards: Iterable[tuple[str, str]]) -> None:
        counter = self.instruments.cards
        for rule_id, indicator in cards:
            counter.labels(rule_id=rule_id, indicator=indicator).inc()

    def replay_degraded(self) -> None:
        """Told of each JWT replay check made without the shared store (cds_service.auth.replay)."""
        self.instruments.replay_degraded.inc()

    def feedback_received(self, outcomes: Iterable[tuple[str | None, str]]) -> None:
        counter = self.instruments.feedback
        for rule_id, outcome in outcomes:
            counter.labels(rule_id=rule_id or UNKNOWN, outcome=outcome).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return self.instruments.exposition(self.multiprocess_dir)


RequestObserver = Callable[[str, int, float], None]


def classify(path: str) -> tuple[str, str] | None:
    """(service label, endpoint) of a CDS Hooks path; None for other paths (not measured)."""
    parts = path.strip("/").split("/")
    if parts[0] != "cds-services":
        return None
    if len(parts) == 1:
        return ("discovery", "discovery")
    service = parts[1] if parts[1] in SERVICES_BY_ID else UNKNOWN
    if len(parts) == 2:
        return (service, "hook")
    if len(parts) == 3 and parts[2] == "feedback":
        return (service, "feedback")
    return (UNKNOWN, UNKNOWN)


def request_observer(metrics: Metrics) -> RequestObserver:
    """Times every CDS Hooks request (discovery, hook calls, feedback) into the latency histogram; called by
    the audit middleware, which already captures each call's status and duration."""

    def observe(path: str, status: int, seconds: float) -> None:
        kind = classify(path)
        if kind is not None:
            service, endpoint = kind
            metrics.observe_request(service, endpoint, status, seconds)

    return observe


def metrics_of(state: Any) -> Metrics | None:
    """The app's Metrics (None for an app built without them)."""
    metrics = getattr(state, "metrics", None)
    return metrics if isinstance(metrics, Metrics) else None
