"""A small FHIR REST client for fetch-on-missing: bounded in time, size and pages, and careful with the token.

The bearer token is only ever attached to URLs under the request's own `fhirServer`, as written and as requests
will send them (no dot segments: cds_service.fhir_urls); next-links pointing elsewhere are not followed,
redirects are not followed, and nothing here logs a URL query or a token.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult

import orjson

from cds_service.fhir_urls import path_under, split_url
from fhir_mappings.resources import Resource, as_list, bundle_resources

if TYPE_CHECKING:
    import requests

FHIR_JSON = "application/fhir+json"
log = logging.getLogger(__name__)


class FhirUnavailable(Exception):
    """The server could not give the data: refused (401/403), failed, timed out or sent something unreadable."""


@dataclass(frozen=True)
class FhirLimits:
    connect_timeout: float = 0.5
    read_timeout: float = 1.5
    max_pages: int = 20
    max_bytes: int = 10 * 1024 * 1024


class FhirClient:
    def __init__(self, base: str, token: str | None, limits: FhirLimits, deadline: float) -> None:
        self.base = base.rstrip("/")
        self._base_parts = split_url(self.base)
        """None for a base the token may not go to: then every GET is refused."""
        self._token = token
        self._limits = limits
        self._deadline = deadline
        self._session: requests.Session | None = None
        """Made at the first GET: a call whose prefetch is complete never fetches (nor imports requests)."""
        self._session_lock = threading.Lock()  # keys are fetched in parallel: one session for them all

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def _http(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                import requests  # only once something is fetched: calls that bring their prefetch never do

                self._session = requests.Session()
            return self._session

    def owns(self, url: str) -> bool:
        """True for URLs under this server's base (the only place the token may go): same scheme, host and port,
        a path at or under the base path, and no dot segment that a client or server would resolve elsewhere."""
        parts, base = split_url(url), self._base_parts
        return (
            parts is not None
            and base is not None
            and _origin(parts) == _origin(base)
            and path_under(parts.path, base.path)
        )

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def get(self, relative_or_absolute: str) -> dict[str, Any] | None:
        """GET a resource or Bundle; None on 404/410 (the server has no such data)."""
        url = relative_or_absolute
        if not url.startswith(("http://", "https://")):
            url = f"{self.base}/{url.lstrip('/')}"
        if not (self.owns(url) and self.owns(_as_sent(url))):
            raise FhirUnavailable("URL outside the FHIR server")
        remaining = self.remaining()
        if remaining <= 0:
            raise FhirUnavailable("deadline passed")
        headers = {"Accept": FHIR_JSON}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        timeout = (min(self._limits.connect_timeout, remaining), min(self._limits.read_timeout, remaining))
        try:
            with self._http().get(
                url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
            ) as response:
                if response.status_code in (404, 410):
                    return None
                if response.status_code != 200:
                    raise FhirUnavailable(f"HTTP {response.status_code}")
                # The read timeout is per socket read: a server that drips its body would outlast the
                # deadline, so a watchdog shuts the socket when the deadline passes.
                watchdog = threading.Timer(max(self.remaining(), 0.0), _shut, args=(response,))
                watchdog.daemon = True
                watchdog.start()
                try:
                    body = self._read_capped(response)
                finally:
                    watchdog.cancel()
        except OSError as exc:  # requests.RequestException included: it is an OSError
            raise FhirUnavailable(type(exc).__name__) from exc
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise FhirUnavailable("response is not JSON") from exc
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            raise FhirUnavailable("response is not a FHIR resource")
        if data["resourceType"] == "OperationOutcome":
            raise FhirUnavailable("server answered with an OperationOutcome")
        return data

    def _read_capped(self, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self._limits.max_bytes:
                raise FhirUnavailable("response too large")
            if self.remaining() <= 0:
                raise FhirUnavailable("deadline passed")
            chunks.append(chunk)
        return b"".join(chunks)

    def pages(self, first: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The rest of a searchset after `first`: next-links on this server, at most `max_pages` in all.

        Past the cap the pages read so far are used (a record that large is still mostly there); a next-link
        to another server is never followed with the token. Both are logged, as the record is then partial.
        """
        page = first
        for _ in range(self._limits.max_pages - 1):
            url = next_link(page)
            if url is None:
                return
            if not self.owns(url):
                log.warning(
                    "next-link outside the FHIR server (or with dot segments) not followed: the record is partial"
                )
                return
            following = self.get(url)
            if following is None:
                return
            yield following
            page = following
        if next_link(page) is not None:
            log.warning("page cap of %d reached: the record is partial", self._limits.max_pages)

    def search_all(self, query: str) -> list[Resource]:
        """Every resource of a query (a read gives one, a search every page)."""
        first = self.get(query)
        if first is None:
            return []
        if first.get("resourceType") != "Bundle":
            return [first]
        out = list(bundle_resources(first))
        for page in self.pages(first):
            out += bundle_resources(page)
        return out


def _origin(parts: SplitResult) -> tuple[str, str | None, int]:
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def _as_sent(url: str) -> str:
    """`url` as requests will send it ("" if it refuses it): checked too, so that the token goes exactly where
    the check says, whatever requests re-encodes or normalises."""
    from requests.models import PreparedRequest

    prepared = PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except ValueError:  # requests' InvalidURL and MissingSchema are ValueErrors
        return ""
    return prepared.url or ""


def _shut(response: requests.Response) -> None:
    """Unblock a read in progress on the response's socket (called from the watchdog thread)."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:  # urllib3 2 hands the socket to http.client's reader once the response has begun
        reader = getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(reader, "_sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def next_link(bundle: dict[str, Any]) -> str | None:
    for link in as_list(bundle.get("link")):
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None
