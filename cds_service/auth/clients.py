"""The trusted-clients file (`CDS_TRUSTED_CLIENTS`, JSON or YAML), validated once at start-up.

Shape: {"clients": [{"iss": "...", "jku": ["https://..."], "jwks": {...} | "jwks_file": "path",
"tenant": "...", "fhir_servers": ["https://ehr.example.org/fhir", ...]}]}. A file that does not fit stops
start-up with a message naming the entry and field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from cds_service.errors import ConfigError
from cds_service.settings import is_loopback, under_base_url

if TYPE_CHECKING:
    from jwt import PyJWK


def _https_or_loopback(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname or not (
        parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))
    ):
        raise ValueError(f"{url!r} must be an https:// URL (http:// only on loopback)")
    return url


# defer_build: the validators are built when a trusted-clients file is read, not at every start-up.
class TrustedClient(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    iss: str = Field(min_length=1)
    jku: tuple[str, ...] = ()
    """Key-set URLs this issuer may name in a JWT's `jku` header; nothing else is ever fetched."""
    jwks: dict[str, Any] | None = None
    jwks_file: Path | None = None
    tenant: str | None = None
    fhir_servers: tuple[str, ...] = ()
    """fhirServer base URLs (or prefixes) this client's calls may name."""
    _static_keys: dict[str, PyJWK] = PrivateAttr(default_factory=dict)

    @field_validator("jku")
    @classmethod
    def _jku_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_https_or_loopback(u) for u in urls)

    @field_validator("fhir_servers")
    @classmethod
    def _server_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_https_or_loopback(u).rstrip("/") for u in urls)

    @model_validator(mode="after")
    def _one_key_source(self) -> TrustedClient:
        if self.jwks is not None and self.jwks_file is not None:
            raise ValueError("give either jwks or jwks_file, not both")
        if self.jwks is None and self.jwks_file is None and not self.jku:
            raise ValueError("a client needs jwks, jwks_file or at least one jku URL")
        return self

    @property
    def static_keys(self) -> dict[str, PyJWK]:
        return self._static_keys

    def allows_fhir_server(self, url: str) -> bool:
        """`url` is under one of this client's fhir_servers; never a URL that does not parse or has dot segments
        (under_base_url), which would take the token past the listed base."""
        return any(under_base_url(url, s) for s in self.fhir_servers)


class TrustedClients(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    clients: tuple[TrustedClient, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_issuers(self) -> TrustedClients:
        seen: set[str] = set()
        for i, client in enumerate(self.clients):
            if client.iss in seen:
                raise ValueError(f"clients[{i}].iss {client.iss!r} appears twice")
            seen.add(client.iss)
        return self

    def by_issuer(self, iss: str) -> TrustedClient | None:
        return next((c for c in self.clients if c.iss == iss), None)


def public_keys(jwks: object, where: str) -> dict[str, PyJWK]:
    """Asymmetric public keys of a JWK Set by `kid`; a symmetric or private key is refused."""
    from jwt import PyJWK  # PyJWT and cryptography: only for an app that has trusted clients
    from jwt.exceptions import PyJWKError, PyJWKSetError

    if not isinstance(jwks, dict):
        raise ConfigError(f"{where}: a JWK Set must be an object with 'keys'")
    keys: dict[str, PyJWK] = {}
    for i, key in enumerate(jwks.get("keys") or []):
        if not isinstance(key, dict) or not isinstance(key.get("kid"), str):
            raise ConfigError(f"{where}.keys[{i}]: every key needs a string kid")
        if key.get("kty") not in ("EC", "RSA", "OKP"):
            raise ConfigError(f"{where}.keys[{i}]: only asymmetric keys (EC, RSA, OKP) are accepted")
        if "d" in key:
            raise ConfigError(f"{where}.keys[{i}]: a private key does not belong in a trusted-clients file")
        try:
            keys[key["kid"]] = PyJWK(key)
        except (PyJWKError, PyJWKSetError, ValueError, TypeError) as exc:
            raise ConfigError(f"{where}.keys[{i}]: unusable key ({exc})") from exc
    if not keys:
        raise ConfigError(f"{where}: no keys")
    return keys


def _parse(path: Path, text: str) -> Any:
    """JSON, or YAML for a .yaml/.yml file; ConfigError when it does not parse."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON or YAML ({exc})") from exc
    import yaml  # PyYAML: only for a YAML file

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid JSON or YAML ({exc})") from exc


def load_trusted_clients(path: Path) -> TrustedClients:
    """Read and validate the file; ConfigError names what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    data = _parse(path, text)
    try:
        clients = TrustedClients.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in first["loc"]).replace(".[", "[")
        raise ConfigError(f"{path}: {where or '(top level)'}: {first['msg']}") from exc
    for i, client in enumerate(clients.clients):
        where = f"{path}: clients[{i}]"
        source: object = client.jwks
        if client.jwks_file is not None:
            key_file = client.jwks_file if client.jwks_file.is_absolute() else path.parent / client.jwks_file
            try:
                source = json.loads(key_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise ConfigError(f"{where}.jwks_file: {key_file} is not a readable JSON key set") from exc
        if source is not None:
            client.static_keys.update(public_keys(source, f"{where}.jwks"))
    return clients
