"""Public keys of trusted clients: static key sets, and `jku` key sets fetched and cached.

Configured keys (`jwks`, `jwks_file`) are tried first, so a client whose keys were registered out of band is
trusted behind an egress firewall even though its tokens name a `jku`. Only URLs on the issuer's `jku` list are
ever fetched. An unknown `kid` triggers one refetch, at most once per `min_refetch_seconds` per URL, so a flood
of tokens with made-up kids cannot turn the service into a fetcher.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from cds_service.auth.clients import TrustedClient, public_keys

if TYPE_CHECKING:
    from jwt import PyJWK

log = logging.getLogger(__name__)

JWKS_MAX_BYTES = 256 * 1024

Fetch = Callable[[str], dict[str, Any]]


def fetch_jwks(url: str) -> dict[str, Any]:
    """GET a JWK Set: short timeouts, no redirects, a size cap."""
    import requests  # only once a key set is fetched: most apps never do, and it costs start-up time

    with requests.get(
        url, timeout=(1.0, 2.0), allow_redirects=False, stream=True, headers={"Accept": "application/json"}
    ) as response:
        response.raise_for_status()
        body = response.raw.read(JWKS_MAX_BYTES + 1, decode_content=True)
    if len(body) > JWKS_MAX_BYTES:
        raise ValueError("JWK Set too large")
    data = orjson.loads(body)
    if not isinstance(data, dict):
        raise ValueError("JWK Set is not an object")
    return data


class KeySetUnavailable(Exception):
    """A key set could not be fetched: the reason a `kid` went unfound is the fetch, not the token."""


@dataclass
class _Entry:
    keys: dict[str, PyJWK]
    fetched_at: float


class KeyCache:
    def __init__(
        self,
        fetch: Fetch = fetch_jwks,
        clock: Callable[[], float] = time.monotonic,
        max_age_seconds: float = 3600.0,
        min_refetch_seconds: float = 60.0,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._max_age = max_age_seconds
        self._min_refetch = min_refetch_seconds
        self._entries: dict[str, _Entry] = {}
        self._attempts: dict[str, float] = {}
        self._failures: dict[str, str] = {}
        """URL -> class name of what its last fetch raised (never its message: it may quote the server), while
        that fetch failed."""
        self._lock = threading.Lock()

    def key(self, client: TrustedClient, jku: str | None, kid: str) -> PyJWK | None:
        """The key `kid` of `client`: its configured keys first (no network: an egress firewall cannot break
        them), else the named `jku` (which must be on its list), else its listed key-set URLs. None when no
        source has it, even after a refetch; KeySetUnavailable when a key set that might have it could not be
        fetched."""
        if kid in client.static_keys:
            return client.static_keys[kid]
        if jku is not None:
            return self._from_url(jku, kid) if jku in client.jku else None
        unavailable: KeySetUnavailable | None = None
        for url in client.jku:
            try:
                found = self._from_url(url, kid)
            except KeySetUnavailable as exc:
                unavailable = unavailable or exc
                continue
            if found is not None:
                return found
        if unavailable is not None:
            raise unavailable
        return None

    def _from_url(self, url: str, kid: str) -> PyJWK | None:
        with self._lock:
            entry = self._entries.get(url)
            now = self._clock()
            fresh = entry is not None and now - entry.fetched_at < self._max_age
            if fresh and entry is not None and kid in entry.keys:
                return entry.keys[kid]
            last = self._attempts.get(url)
            if last is not None and now - last < self._min_refetch:
                return self._cached(url, entry, kid)
            self._attempts[url] = now
        try:
            document = self._fetch(url)
        except Exception as exc:  # network, HTTP status, size, JSON: the key set is unavailable, never a 500
            log.warning("JWK Set fetch failed: url=%s error=%s", url, type(exc).__name__)
            with self._lock:
                self._failures[url] = type(exc).__name__
                return self._cached(url, entry, kid)
        with self._lock:
            self._failures.pop(url, None)
        try:
            keys = public_keys(document, url)
        except Exception:  # an unusable key set is never used, nor a 500: the kid stays unknown
            return entry.keys.get(kid) if entry is not None else None
        with self._lock:
            self._entries[url] = _Entry(keys, self._clock())
        return keys.get(kid)

    def _cached(self, url: str, entry: _Entry | None, kid: str) -> PyJWK | None:
        """`kid` from the key set last fetched from `url`; KeySetUnavailable when it lacks it and the last
        fetch failed (called with the lock held)."""
        found = entry.keys.get(kid) if entry is not None else None
        if found is None and url in self._failures:
            raise KeySetUnavailable(f"{url}: {self._failures[url]}")
        return found
