"""Which URLs a FHIR bearer token may be sent to: one strict reading, shared by the allow-lists and the FHIR client.

A URL whose RFC 3986 normalised form differs from what it says (a `.` or `..` segment, percent-encoded or not) is
refused, not normalised: clients and servers each normalise in their own way (requests removes dot segments, then
decodes `%2e`; some servers decode `%2f` or drop `;params` first), so only a URL with nothing to normalise goes
exactly where it was checked to go. A URL urllib cannot parse is refused the same way, never raised.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote, urlsplit

_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_PLAIN_URL = re.compile(r"[!-\[\]-~]+")
"""Printable ASCII without space or backslash: nothing for an HTTP library to re-encode into another host."""
_SEGMENT_SEPARATORS = re.compile(r"[/\\]")


def is_fhir_id(value: str) -> bool:
    """A FHIR id (`[A-Za-z0-9-.]{1,64}`) other than dots alone: safe as one path segment of a FHIR URL."""
    return _FHIR_ID.fullmatch(value) is not None and value.strip(".") != ""


def parses(url: str) -> bool:
    """Whether urllib can split `url` at all (`https://[::1/…` and NFKC tricks in the host raise ValueError)."""
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def split_url(url: str) -> SplitResult | None:
    """`url` split when a token may go to it at all: http(s), a host, a valid port, plain ASCII, no credentials
    and no dot segment; None otherwise."""
    if _PLAIN_URL.fullmatch(url) is None:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when not a number in 0-65535
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0 or "@" in parts.netloc:
        return None
    return None if has_dot_segment(parts.path) else parts


def has_dot_segment(path: str) -> bool:
    """True if some server could read a segment of `path` as `.` or `..`: percent-decoded until nothing changes
    (a double-encoded `%252e` too), `\\` read as `/`, and `;parameters` dropped."""
    decoded, previous = path, ""
    while decoded != previous:
        previous, decoded = decoded, unquote(decoded)
    return any(s.split(";", 1)[0] in (".", "..") for s in _SEGMENT_SEPARATORS.split(decoded))


def path_under(path: str, base_path: str) -> bool:
    """`path` is `base_path` or below it (segment-wise: `/fhir-other` is not under `/fhir`)."""
    root, path = base_path.rstrip("/"), path.rstrip("/")
    return path == root or path.startswith(root + "/")
