"""The prometheus-client objects behind `cds_service.metrics.Metrics`, imported at their first use (see there)."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
"""Seconds; fine below 100 ms (a prefetched call), and up past the 2 s fetch deadline of fetch mode."""


class Instruments:
    """One app's histogram and counters, in a registry of their own."""

    def __init__(self) -> None:
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
        self.replay_degraded = Counter(
            "cds_replay_degraded_checks",
            "JWT replay checks made against a worker's own cache while the shared store was unreachable.",
            registry=self.registry,
        )
        self.feedback = Counter(
            "cds_feedback",
            "Feedback items received, by rule id of the card (unknown: a card not recorded) and outcome.",
            ["rule_id", "outcome"],
            registry=self.registry,
        )

    def exposition(self, multiprocess_dir: str | None) -> tuple[bytes, str]:
        """The text exposition format and its content type: this registry's samples, or in multiprocess mode
        those every process wrote to `multiprocess_dir`."""
        if multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=multiprocess_dir)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
