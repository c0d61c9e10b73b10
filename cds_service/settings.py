"""One validated settings object, from `CDS_*` environment variables, built once by the app factory."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cds_service.fhir_urls import path_under, split_url

DEFAULT_DATABASE = Path("var") / "peritoneal-cds.sqlite3"
MAX_BUNDLE_ENTRIES = 20_000
DEFAULT_CONCURRENT_HOOKS = 1


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CDS_", extra="ignore")

    dev: bool = False
    """Development mode: no client authentication, http:// FHIR servers on loopback, CORS `*`."""
    database_url: str = f"sqlite:///{DEFAULT_DATABASE}"
    public_base_url: str | None = None
    """Public URL of this service (for card source links); the request's own base URL when unset."""
    # Plain list defaults (pydantic copies them for each instance): with default_factory=list, pydantic parses the
    # builtin's text signature at import, compiling tokenize's large regex at start-up.
    cors_origins: Annotated[list[str], NoDecode] = []
    fhir_servers: Annotated[list[str], NoDecode] = []
    """Allowed fhirServer base URLs (prefixes). Empty: any https:// server (plus loopback http in dev)."""
    timezone: str = "UTC"
    """Site time zone: calendar days of guideline intervals are counted in it."""
    prefetch_deadline_seconds: float = 2.0
    fhir_connect_timeout: float = 0.5
    fhir_read_timeout: float = 1.5
    fhir_max_pages: int = Field(default=20, ge=1)
    fhir_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    log_level: str = "INFO"
    trusted_clients: Path | None = None
    """The trusted-clients file (JSON or YAML). Required outside --dev: without it no call is authenticated."""
    site_codes: Path | None = None
    """The site's code mappings (JSON or YAML): local codes added to the built-in value sets. A bad file stops
    start-up with a message naming its line."""
    jwt_algorithms: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["ES384", "RS384"])
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    replay_strict: bool = False
    """Refuse calls (503) while the JWT replay store is unreachable, instead of checking each worker's cache."""
    jwt_max_lifetime_seconds: int = Field(default=3600, ge=60)
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    """How long a request body may take to arrive; slower is a 408 and frees the call's slot (a body trickled at a
    byte every few seconds must not hold it)."""
    max_bundle_entries: int = Field(default=MAX_BUNDLE_ENTRIES, ge=1)
    max_concurrent_hooks: int = Field(default=DEFAULT_CONCURRENT_HOOKS, ge=1)
    """Hook calls a worker evaluates at once (CPU-bound: more only hold more bodies in memory); calls waiting on
    a FHIR server do not count."""
    preview: bool | None = None
    """The preview page (GET /preview). Unset: on exactly in --dev; `CDS_PREVIEW=true` turns it on elsewhere."""

    _split_cors = field_validator("cors_origins", mode="before")(_split)
    _split_servers = field_validator("fhir_servers", mode="before")(_split)
    _split_algorithms = field_validator("jwt_algorithms", mode="before")(_split)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def allowed_cors_origins(self) -> list[str]:
        return ["*"] if self.dev and not self.cors_origins else self.cors_origins

    def fhir_server_allowed(self, url: str) -> bool:
        """https:// servers (or, in dev, http:// on loopback), restricted to `fhir_servers` when it is set; never
        a URL that does not parse or has dot segments (fhir_urls.split_url): the token would go elsewhere."""
        parts = split_url(url)
        if parts is None or not parts.hostname:
            return False
        allowed = parts.scheme == "https" or (self.dev and is_loopback(parts.hostname))
        if allowed and self.fhir_servers:
            allowed = any(under_base_url(url, s) for s in self.fhir_servers)
        return allowed


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def under_base_url(url: str, base: str) -> bool:
    """True if `url` is `base` or below it: same scheme and host, the same port where `base` names one (any port
    where it does not), and a path at or under the base path; false for either URL that fhir_urls.split_url
    refuses (unparseable, userinfo, dot segments), so `…/ok/fhir/../../other` is not under `…/ok/fhir`."""
    target, allowed = split_url(url), split_url(base)
    if target is None or allowed is None:
        return False
    if allowed.port is not None and target.port != allowed.port:
        return False
    if (target.scheme, target.hostname) != (allowed.scheme, allowed.hostname):
        return False
    return path_under(target.path, allowed.path)
