"""The card log: cards shown are written off the request path, in batches, and never cost an answer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import pytest

from cds_service.card_log import ShownCardLog
from cds_service.store import ShownCard


class RecordingStore:
    """Only what the card log uses of a store: record_cards, with a switch to fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.fail = False
        self.written = threading.Event()

    def record_cards(self, service_id: str, cards: Sequence[ShownCard]) -> None:
        if self.fail:
            raise OSError("disk full")
        self.calls.append((service_id, [c.card_uuid for c in cards]))
        self.written.set()


def card(n: int, rule: str = "PM-GENERAL") -> ShownCard:
    return ShownCard(f"c0ffee00-0000-4000-8000-{n:012d}", rule, "info")


def test_adding_cards_writes_nothing_in_the_callers_thread_until_a_flush() -> None:
    store = RecordingStore()
    log = ShownCardLog(store, flush_seconds=3600)  # type: ignore[arg-type]
    log.add("svc-a", [card(1)])
    assert store.calls == []
    log.flush()
    assert store.calls == [("svc-a", [card(1).card_uuid])]
    log.close()


def test_one_flush_writes_one_batch_per_service() -> None:
    store = RecordingStore()
    log = ShownCardLog(store, flush_seconds=3600)  # type: ignore[arg-type]
    log.add("svc-b", [card(1)])
    log.add("svc-a", [card(2), card(3)])
    log.add("svc-b", [card(4)])
    log.flush()
    assert store.calls == [
        ("svc-a", [card(2).card_uuid, card(3).card_uuid]),
        ("svc-b", [card(1).card_uuid, card(4).card_uuid]),
    ]
    log.flush()
    assert len(store.calls) == 2  # nothing is written twice
    log.close()


def test_the_writer_thread_flushes_on_its_own() -> None:
    store = RecordingStore()
    log = ShownCardLog(store, flush_seconds=0.01)  # type: ignore[arg-type]
    log.add("svc-a", [card(1)])
    assert store.written.wait(timeout=5)
    log.close()
    assert store.calls == [("svc-a", [card(1).card_uuid])]


def test_close_writes_what_is_pending() -> None:
    store = RecordingStore()
    log = ShownCardLog(store, flush_seconds=3600)  # type: ignore[arg-type]
    log.add("svc-a", [card(1)])
    log.close()
    assert store.calls == [("svc-a", [card(1).card_uuid])]


def test_a_failing_store_costs_the_batch_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    store = RecordingStore()
    store.fail = True
    log = ShownCardLog(store, flush_seconds=3600)  # type: ignore[arg-type]
    log.add("svc-a", [card(1)])
    with caplog.at_level(logging.WARNING):
        log.flush()
    assert "cards not recorded for the feedback report: OSError" in caplog.text
    store.fail = False
    log.add("svc-a", [card(2)])
    log.close()
    assert store.calls == [("svc-a", [card(2).card_uuid])]


def test_past_the_pending_limit_new_records_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    store = RecordingStore()
    log = ShownCardLog(store, flush_seconds=3600, max_pending=2)  # type: ignore[arg-type]
    log.add("svc-a", [card(1), card(2)])
    with caplog.at_level(logging.WARNING):
        log.add("svc-a", [card(3)])
    assert "2 records pending" in caplog.text
    log.close()
    assert store.calls == [("svc-a", [card(1).card_uuid, card(2).card_uuid])]
