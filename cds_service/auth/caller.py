"""What authentication gives the request path: the verified caller, or the failure to answer with a 401.

Apart from `verify` (PyJWT and cryptography), so that an app without trusted clients (--dev) never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cds_service.auth.clients import TrustedClient
from cds_service.errors import CdsError


@dataclass
class AuthFailed(CdsError):
    """401 with no detail for the caller; `check` (and the claims read so far) are for the log only."""

    check: str = "unknown"
    iss: str | None = None
    jti: str | None = None
    status: int = 401
    issue_code: str = "login"
    fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Caller:
    iss: str
    jti: str
    sub: str | None
    tenant: str | None
    client: TrustedClient
