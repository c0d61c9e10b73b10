"""Verify the JWT a CDS client sends on every call (CDS Hooks 2.0 §Trusting CDS Clients).

Signature checking is PyJWT's; the time claims are checked here against the injected clock, so tests and
production share one notion of now. Every failure is an AuthFailed naming the check that failed: the caller
gets a bare 401, the log gets the check, `iss` and `jti`, never the token.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.exceptions import InvalidAudienceError, InvalidSignatureError, PyJWTError

from cds_service.auth.caller import AuthFailed, Caller
from cds_service.auth.clients import TrustedClients
from cds_service.auth.keys import KeyCache, KeySetUnavailable
from cds_service.auth.replay import JtiClaims
from cds_service.clock import Clock

DEFAULT_ALGORITHMS = ("ES384", "RS384")
NEVER_ALGORITHMS = frozenset({"none", "HS256", "HS384", "HS512"})


class Authenticator:
    def __init__(
        self,
        clients: TrustedClients,
        keys: KeyCache,
        store: JtiClaims,
        clock: Clock,
        algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS,
        leeway_seconds: int = 30,
        max_lifetime_seconds: int = 3600,
    ) -> None:
        unsafe = NEVER_ALGORITHMS.intersection(algorithms)
        if unsafe:
            raise ValueError(f"algorithms never accepted: {sorted(unsafe)}")
        self._clients = clients
        self._keys = keys
        self._store = store
        self._clock = clock
        self._algorithms = algorithms
        self._leeway = leeway_seconds
        self._max_lifetime = max_lifetime_seconds

    def verify(self, authorization: str | None, audience: str) -> Caller:
        """The verified caller of a request to `audience` (the endpoint's public URL), or AuthFailed."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthFailed("unauthorized", check="bearer")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
            unverified: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except PyJWTError as exc:
            raise AuthFailed("unauthorized", check="malformed") from exc
        iss, jti = _text(unverified.get("iss")), _text(unverified.get("jti"))

        def fail(check: str) -> AuthFailed:
            return AuthFailed("unauthorized", check=check, iss=iss, jti=jti)

        alg = header.get("alg")
        if alg not in self._algorithms:
            raise fail("alg")
        if header.get("typ") != "JWT":
            raise fail("typ")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise fail("kid")
        client = self._clients.by_issuer(iss) if iss else None
        if client is None:
            raise fail("iss")
        jku = header.get("jku")
        if jku is not None and (not isinstance(jku, str) or jku not in client.jku):
            raise fail("jku")
        try:
            key = self._keys.key(client, jku, kid)
        except KeySetUnavailable as exc:  # the key cache logged the URL and the error
            raise fail("jwks-fetch-failed") from exc
        if key is None:
            raise fail("kid-unknown")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[str(alg)],
                audience=audience,
                issuer=iss,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "require": ["aud"]},
            )
        except InvalidSignatureError as exc:
            raise fail("signature") from exc
        except InvalidAudienceError as exc:
            raise fail("aud") from exc
        except PyJWTError as exc:
            raise fail("claims") from exc
        expires = self._check_times(claims, fail)
        if jti is None:
            raise fail("jti")
        tenant = _text(claims.get("tenant"))
        if client.tenant is not None and tenant is not None and tenant != client.tenant:
            raise fail("tenant")
        if not self._store.claim_jti(iss or "", jti, expires + timedelta(seconds=self._leeway)):
            raise fail("jti-replay")
        return Caller(iss=client.iss, jti=jti, sub=_text(claims.get("sub")), tenant=tenant, client=client)

    def _check_times(self, claims: dict[str, Any], fail: Callable[[str], AuthFailed]) -> datetime:
        now = self._clock().timestamp()
        exp, iat, nbf = _number(claims.get("exp")), _number(claims.get("iat")), _number(claims.get("nbf"))
        if exp is None or now > exp + self._leeway:
            raise fail("exp")
        if iat is None or iat > now + self._leeway:
            raise fail("iat")
        if "nbf" in claims and (nbf is None or nbf > now + self._leeway):
            raise fail("nbf")
        if exp - iat > self._max_lifetime:
            raise fail("lifetime")
        return datetime.fromtimestamp(exp, tz=UTC)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    """A NumericDate claim as a float; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)
