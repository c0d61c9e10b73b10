"""The store of everything that must outlive a process: feedback items, the cards shown and seen JWT ids.

`Store` is what the service needs of it; `cds_service.sql_store.SqlStore` keeps it in SQLite or PostgreSQL. The
app opens that through `DeferredSqlStore`, off the start-up path: SQLAlchemy alone takes about a fifth of a
second to import, and the service answers discovery and (unauthenticated) hook calls without it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cds_service.protocol.models import FeedbackItem

log = logging.getLogger(__name__)


class Store(Protocol):
    def add(self, service_id: str, items: Sequence[FeedbackItem]) -> int:
        """Store the items; return how many were new."""

    def items(self, service_id: str) -> list[dict[str, Any]]:
        """Stored items of a service, oldest first."""

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        """Record a JWT id; False if it was already recorded for this issuer (a replay)."""

    def ping(self) -> None:
        """Raise if the database cannot be reached."""

    def record_cards(self, service_id: str, cards: Sequence[ShownCard]) -> None:
        """Record the cards returned by a hook call (a uuid already recorded is kept as it was)."""

    def feedback_by_rule(self) -> list[dict[str, Any]]:
        """Per rule id (None: feedback on cards never recorded): cards shown, and the card_uuid, outcome and
        override_reason (JSON) of each feedback item on its cards. `cds_service.analytics` builds the report."""

    def rules_of_cards(self, card_uuids: Sequence[str]) -> dict[str, str]:
        """The rule id of each recorded card among `card_uuids`."""


@dataclass(frozen=True)
class ShownCard:
    card_uuid: str
    rule_id: str
    indicator: str


class DeferredSqlStore:
    """The SQL store of `url`, opened (SQLAlchemy imported, tables made) at its first use, not at start-up: work
    in a background thread at start-up would compete with the first requests for the GIL. In a worker the first
    use is /readyz, the first authenticated call or feedback post, or the card log's first write.

    A database that cannot be opened is logged the first time (ERROR, naming CDS_DATABASE_URL) and every call
    that needs it raises (so /readyz answers 503); each such call tries to open it again, so the store recovers
    when the database comes up. `peritoneal-cds serve` opens it once before any worker starts.
    """

    def __init__(self, url: str, clock: Callable[[], datetime]) -> None:
        self._url = url
        self._clock = clock
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._reported = False

    def _open(self) -> Store:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                from cds_service.sql_store import SqlStore  # SQLAlchemy: kept off the start-up path

                try:
                    self._store = SqlStore(self._url, self._clock)
                except Exception as exc:
                    if not self._reported:
                        self._reported = True
                        log.error("CDS_DATABASE_URL cannot be opened: %s: %s", type(exc).__name__, exc)
                    raise
            return self._store

    def add(self, service_id: str, items: Sequence[FeedbackItem]) -> int:
        return self._open().add(service_id, items)

    def items(self, service_id: str) -> list[dict[str, Any]]:
        return self._open().items(service_id)

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        return self._open().claim_jti(iss, jti, expires_at)

    def ping(self) -> None:
        self._open().ping()

    def record_cards(self, service_id: str, cards: Sequence[ShownCard]) -> None:
        self._open().record_cards(service_id, cards)

    def feedback_by_rule(self) -> list[dict[str, Any]]:
        return self._open().feedback_by_rule()

    def rules_of_cards(self, card_uuids: Sequence[str]) -> dict[str, str]:
        return self._open().rules_of_cards(card_uuids)
