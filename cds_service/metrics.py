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
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from hooks.services import SERVICES_BY_ID

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
"""Seconds; fine below 100 ms (a prefetched call), and up past the 2 s fetch deadline of fetch mode."""
UNKNOWN = "unknown"


class Metrics:
    """The service's metrics, in a registry of their own (one per app, so apps built in one process - tests -
    do not share counters; in multiprocess mode the samples of every process are read from the directory)."""

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir or os.environ.get(MULTIPROC_ENV) or None
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "cds_request_duration_seconds",
            "Latency of CDS Hooks requests, by service id, endpoint (discovery, hook, feedback) and HTTP status.",
            ["service", "endpoint", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.prefetch_fetches = Counter(
            "cds_prefetch_fetches",
            "Prefetch keys the service fetched from fhirServer itself (absent or failed in the request).",
            ["key"],
            registry=self.registry,
        )
        self.prefetch_failures = Counter(
            "cds_prefetch_failures",
            "Prefetch keys whose fetch from fhirServer failed or passed the deadline.",
            ["key"],
            registry=self.registry,
        )
        self.cards = Counter(
            "cds_cards",
            "Cards returned, by rule id and indicator.",
            ["rule_id", "indicator"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "cds_feedback",
            "Feedback items received, by rule id of the card (unknown: a card not recorded) and outcome.",
            ["rule_id", "outcome"],
            registry=self.registry,
        )

    def prefetch_fetched(self, key: str, ok: bool) -> None:
        """The observer the prefetch resolver calls once per key it fetched."""
        self.prefetch_fetches.labels(key=key).inc()
        if not ok:
            self.prefetch_failures.labels(key=key).inc()

    def cards_returned(self, cards: Iterable[tuple[str, str]]) -> None:
        for rule_id, indicator in cards:
            self.cards.labels(rule_id=rule_id, indicator=indicator).inc()

    def feedback_received(self, outcomes: Iterable[tuple[str | None, str]]) -> None:
        for rule_id, outcome in outcomes:
            self.feedback.labels(rule_id=rule_id or UNKNOWN, outcome=outcome).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


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
            metrics.requests.labels(service=service, endpoint=endpoint, status=str(status)).observe(seconds)

    return observe


def metrics_of(state: Any) -> Metrics | None:
    """The app's Metrics (None for an app built without them)."""
    metrics = getattr(state, "metrics", None)
    return metrics if isinstance(metrics, Metrics) else None
