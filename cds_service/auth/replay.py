"""JWT replay protection that survives a database outage.

Every worker keeps its own cache of the `jti`s it accepted, for the tokens' lifetime, and checks it first; the
shared store (which sees every worker's claims) is asked too whenever it answers. When the store cannot be
reached, calls are checked against the local cache alone: a token replayed to the same worker is still refused,
one replayed to another worker during the outage is not. That is logged once per outage (WARNING), each such check
is counted (metric `cds_replay_degraded_checks`), and /readyz answers 503 meanwhile (the store's ping fails).
`CDS_REPLAY_STRICT=true` refuses calls instead (503, OperationOutcome `transient`). Never a 500.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cds_service.errors import CdsError

log = logging.getLogger(__name__)


class JtiClaims(Protocol):
    """What the Authenticator needs for replay protection (a ReplayGuard; a bare Store in unit tests)."""

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool: ...


@dataclass
class ReplayCheckUnavailable(CdsError):
    """The shared replay store is down and CDS_REPLAY_STRICT asks to fail closed."""

    status: int = 503
    issue_code: str = "transient"


class ReplayGuard:
    """`claim_jti` for the Authenticator: the local cache always, the shared store when it answers."""

    def __init__(
        self,
        store: JtiClaims,
        clock: Callable[[], datetime],
        strict: bool = False,
        on_degraded: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._strict = strict
        self._on_degraded = on_degraded
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], datetime] = {}
        self._expiries: list[tuple[datetime, tuple[str, str]]] = []
        self._outage = False

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        """True when the token's id is new (and is now recorded); False for a replay."""
        key = (iss, jti)
        with self._lock:
            self._forget_expired()
            if key in self._seen:
                return False
            self._seen[key] = expires_at
            heapq.heappush(self._expiries, (expires_at, key))
        try:
            claimed = self._store.claim_jti(iss, jti, expires_at)
        except Exception as exc:  # any store failure: the outage path, never a 500
            self._degraded(exc)
            if self._strict:
                with self._lock:
                    self._seen.pop(key, None)  # refused unchecked: the same token may be retried
                raise ReplayCheckUnavailable("the replay check is unavailable; try again shortly") from exc
            return True
        self._recovered()
        return claimed

    def _forget_expired(self) -> None:
        now = self._clock()
        while self._expiries and self._expiries[0][0] < now:
            expires_at, key = heapq.heappop(self._expiries)
            if self._seen.get(key) == expires_at:
                del self._seen[key]

    def _degraded(self, exc: Exception) -> None:
        with self._lock:
            first = not self._outage
            self._outage = True
        if first:
            log.warning(
                "replay store unreachable (%s): JWT ids are checked against this worker's cache only%s",
                type(exc).__name__,
                "; CDS_REPLAY_STRICT refuses calls" if self._strict else "",
            )
        if self._on_degraded is not None:
            self._on_degraded()

    def _recovered(self) -> None:
        if self._outage:
            with self._lock:
                was, self._outage = self._outage, False
            if was:
                log.warning("replay store reachable again: JWT ids are checked against it")
