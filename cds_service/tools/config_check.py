"""`peritoneal-cds check-config`: validate the settings and the trusted-clients file and say what was found."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from cds_service.auth.clients import TrustedClient, load_trusted_clients
from cds_service.errors import ConfigError
from cds_service.settings import Settings


def check_config(path: Path | None = None) -> str:
    """A description of the trusted clients; ConfigError (naming the file and entry) when they are unusable."""
    if path is None:
        try:
            path = Settings().trusted_clients
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"CDS_{where.upper()}: {first['msg']}") from exc
    if path is None:
        raise ConfigError("CDS_TRUSTED_CLIENTS is not set (and no --trusted-clients FILE was given)")
    clients = load_trusted_clients(path)
    lines = [
        f"trusted clients: {path} ({len(clients.clients)} client{'s' if len(clients.clients) != 1 else ''})"
    ]
    for i, client in enumerate(clients.clients):
        lines.append(f"  clients[{i}] iss: {client.iss}")
        lines += [f"    {line}" for line in _describe(client)]
    return "\n".join(lines)


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
    else:
        lines.append("fhir servers: none (this client's fhirServer is never called: prefetch only)")
    return lines
