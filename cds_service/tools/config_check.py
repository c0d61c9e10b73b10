"""`peritoneal-cds check-config`: validate the settings, the trusted-clients file and the site-codes file, say
what was found, and warn of what the running service will refuse although the files allow it."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from cds_service.auth.clients import TrustedClient, load_trusted_clients
from cds_service.errors import ConfigError
from cds_service.fhir_refusal import plain_http_warnings
from cds_service.settings import Settings
from cds_service.site_codes import read_site_codes
from fhir_mappings.terminology import Terminology
from fhir_mappings.valuesets import VALUE_SETS


def check_config(path: Path | None = None, site_codes: Path | None = None) -> str:
    """A description of the trusted clients and the site's code mappings; ConfigError (naming the file and entry
    or line) when they are unusable. Files not given are taken from the settings (CDS_TRUSTED_CLIENTS,
    CDS_SITE_CODES). With only `site_codes` given, the trusted clients may be unset (only the site file is
    checked)."""
    settings = _settings() if path is None or site_codes is None else None
    only_site_codes = path is None and site_codes is not None
    path = path or (settings.trusted_clients if settings else None)
    site_codes = site_codes or (settings.site_codes if settings else None)
    lines: list[str] = []
    if path is None and not only_site_codes:
        raise ConfigError("CDS_TRUSTED_CLIENTS is not set (and no --trusted-clients FILE was given)")
    if path is not None:
        clients = load_trusted_clients(path)
        count = len(clients.clients)
        lines.append(f"trusted clients: {path} ({count} client{'s' if count != 1 else ''})")
        for i, client in enumerate(clients.clients):
            lines.append(f"  clients[{i}] iss: {client.iss}")
            lines += [f"    {line}" for line in _describe(client)]
    else:
        lines.append("trusted clients: not checked (CDS_TRUSTED_CLIENTS is not set)")
    lines += _describe_site_codes(site_codes)
    return "\n".join(lines)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"CDS_{where.upper()}: {first['msg']}") from exc


def _describe_site_codes(path: Path | None) -> list[str]:
    """The codes the site file adds, counted per value set (codes already built in are not added again)."""
    if path is None:
        return ["site codes: none (CDS_SITE_CODES is not set: the built-in value sets only)"]
    added = read_site_codes(path)
    Terminology(added)  # exactly what start-up builds
    total = sum(len(codes) for codes in added.values())
    lines = [
        f"site codes: {path} ({total} code{'s' if total != 1 else ''} in {len(added)} "
        f"value set{'s' if len(added) != 1 else ''})"
    ]
    for set_id in sorted(added):
        codes = added[set_id]
        built_in = sum(1 for c in codes if VALUE_SETS[set_id].contains(c.system, c.code))
        note = f" ({built_in} already built in)" if built_in else ""
        lines.append(f"  {set_id}: {len(codes)} code{'s' if len(codes) != 1 else ''}{note}")
    return lines


def _describe(client: TrustedClient) -> list[str]:
    lines = []
    kids = ", ".join(
        f"{kid} ({getattr(key, 'algorithm_name', None) or key.key_type})"
        for kid, key in client.static_keys.items()
    )
    if client.jwks is not None:
        lines.append(f"keys: inline jwks: {kids}")
    if client.jwks_file is not None:
        lines.append(f"keys: jwks_file {client.jwks_file}: {kids}")
    for url in client.jku:
        lines.append(f"keys: jku {url} (fetched when a token names it)")
    if client.tenant:
        lines.append(f"tenant: {client.tenant}")
    if client.fhir_servers:
        lines.append(f"fhir servers: {', '.join(client.fhir_servers)}")
        lines += [f"warning: {warning}" for warning in plain_http_warnings(client.fhir_servers)]
    else:
        lines.append("fhir servers: none (this client's fhirServer is never called: prefetch only)")
    return lines
