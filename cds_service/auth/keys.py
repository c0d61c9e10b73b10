"""Public keys of trusted clients: static key sets, and `jku` key sets fetched and cached.

Only URLs on the issuer's `jku` list are ever fetched. An unknown `kid` triggers one refetch, at most once per
`min_refetch_seconds` per URL, so a flood of tokens with made-up kids cannot turn the service into a fetcher.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from cds_service.auth.clients import TrustedClient, public_keys

if TYPE_CHECKING:
    from jwt import PyJWK

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
        self._lock = threading.Lock()

    def key(self, client: TrustedClient, jku: str | None, kid: str) -> PyJWK | None:
        """The key `kid` of `client`: from the named `jku` (which must be on its list), else its static keys,
        else its listed key-set URLs. None when no source has it, even after a refetch."""
        if jku is not None:
            return self._from_url(jku, kid) if jku in client.jku else None
        if kid in client.static_keys:
            return client.static_keys[kid]
        for url in client.jku:
            found = self._from_url(url, kid)
            if found is not None:
                return found
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
                return entry.keys.get(kid) if entry is not None else None
            self._attempts[url] = now
        try:
            keys = public_keys(self._fetch(url), url)
        except Exception:  # any failure to get the key set means "no such key", never a 500
            return entry.keys.get(kid) if entry is not None else None
        with self._lock:
            self._entries[url] = _Entry(keys, self._clock())
        return keys.get(kid)
