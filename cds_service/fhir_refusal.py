"""Why a fhirServer is refused, for the log line of a refused call and the warnings of start-up and check-config.

The decision stays with Settings.fhir_server_allowed and TrustedClient.allows_fhir_server: this module only names
the reason, so that an operator can tell a missing allow-list entry from a server the service will never call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cds_service.settings import Settings, is_loopback

if TYPE_CHECKING:
    from cds_service.auth.clients import TrustedClient

MAX_LOGGED_URL = 200
"""Characters of a URL that reach the log: a fhirServer comes from the caller."""


def url_for_log(url: str) -> str:
    """`url` as scheme://host[:port]/path: credentials, query and fragment may carry secrets and are dropped."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is no number names no server: the host alone does
        port = None
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path}"[:MAX_LOGGED_URL]


def fhir_server_refusal(url: str, settings: Settings, client: TrustedClient | None) -> str | None:
    """Why the service refuses to call `url` for `client` (None: unauthenticated, --dev); None when it does not."""
    if not settings.fhir_server_allowed(url):
        return _service_refusal(url, settings)
    if client is not None and not client.allows_fhir_server(url):
        return "not on the calling client's fhir_servers list"
    return None


def _service_refusal(url: str, settings: Settings) -> str:
    parts = urlsplit(url)
    if parts.scheme == "http" and not settings.dev:
        return "http:// is refused outside --dev"
    if parts.scheme == "http" and not (parts.hostname and is_loopback(parts.hostname)):
        return "http:// only on loopback, even in --dev"
    if parts.scheme in ("http", "https") and parts.hostname and settings.fhir_servers:
        return "not on the service allow-list (CDS_FHIR_SERVERS)"
    return "not an https:// server URL the service accepts"


def plain_http_warnings(servers: Iterable[str]) -> list[str]:
    """A warning per http:// entry of an allow-list: a valid trusted-clients file may hold one (on loopback),
    yet the service refuses it unless it runs with --dev, and a refused call only says so in the log."""
    return [
        f"{url_for_log(url)}: http:// FHIR servers are refused outside --dev (use https://, or run with --dev)"
        for url in servers
        if urlsplit(url).scheme == "http"
    ]
