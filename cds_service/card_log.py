"""The cards each hook call shows, written to the store in batches off the request path.

Recording a card is for the feedback report, not for the answer: a hook call only appends to a list, and one
thread writes what has gathered every `flush_seconds` (one transaction per service instead of one per call:
a transaction costs more than a small hook call's own work). Readers of the records in this process flush first, so a
feedback post always finds the cards shown just before it. A record that cannot be written is logged and lost,
never the answer; a process that dies loses at most the last `flush_seconds` of records.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from itertools import groupby

from cds_service.store import ShownCard, Store

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25
MAX_PENDING = 20_000
"""Records held at most while the store is slow or down; beyond, new records are dropped (and logged)."""


class ShownCardLog:
    def __init__(
        self, store: Store, flush_seconds: float = FLUSH_SECONDS, max_pending: int = MAX_PENDING
    ) -> None:
        self._store = store
        self._flush_seconds = flush_seconds
        self._max_pending = max_pending
        self._pending: list[tuple[str, ShownCard]] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, service_id: str, cards: Sequence[ShownCard]) -> None:
        """Queue the cards of one hook call (the writer thread starts with the first)."""
        with self._lock:
            if len(self._pending) + len(cards) > self._max_pending:
                log.warning(
                    "cards not recorded for the feedback report: %d records pending", len(self._pending)
                )
                return
            self._pending.extend((service_id, card) for card in cards)
            if self._thread is None and not self._closed.is_set():
                self._thread = threading.Thread(target=self._run, name="card-log", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        """Write everything queued so far, in the caller's thread."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            for service_id, group in groupby(sorted(batch, key=lambda p: p[0]), key=lambda p: p[0]):
                try:
                    self._store.record_cards(service_id, [card for _, card in group])
                except Exception as exc:
                    log.warning("cards not recorded for the feedback report: %s", type(exc).__name__)

    def close(self) -> None:
        """Stop the writer after a last flush (at shutdown)."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._closed.wait(self._flush_seconds):
            self.flush()
