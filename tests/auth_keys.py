"""Client keys made in the tests (ES384 and RS384) and the JWTs a CDS client would sign with them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://ehr.example.org/"
PUBLIC_BASE = "https://cds.example.org"


@dataclass(frozen=True)
class ClientKey:
    kid: str
    alg: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        algorithm = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def make_key(alg: str, kid: str) -> ClientKey:
    private = (
        ec.generate_private_key(ec.SECP384R1()) if alg == "ES384" else rsa.generate_private_key(65537, 2048)
    )
    return ClientKey(kid=kid, alg=alg, private=private)


ES384 = make_key("ES384", "test-es384")
RS384 = make_key("RS384", "test-rs384")


def jwks(*keys: ClientKey) -> dict[str, Any]:
    return {"keys": [k.public_jwk() for k in keys]}


def token(
    key: ClientKey,
    audience: str | list[str],
    now: datetime,
    *,
    iss: str = ISSUER,
    lifetime: int = 300,
    headers: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    """A client JWT as the CDS Hooks sandbox signs it (iss, aud, exp, iat, jti); claims may add or drop (None)."""
    issued = int(now.timestamp())
    payload: dict[str, Any] = {
        "iss": iss,
        "aud": audience,
        "exp": issued + lifetime,
        "iat": issued,
        "jti": str(uuid.uuid4()),
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(
        payload, key.private, algorithm=key.alg, headers={"kid": key.kid, "typ": "JWT", **(headers or {})}
    )


def trusted_clients_file(folder: Path, **client: Any) -> Path:
    """A trusted-clients file trusting ISSUER with the two test keys and loopback FHIR servers."""
    entry = {"iss": ISSUER, "jwks": jwks(ES384, RS384), "fhir_servers": ["http://127.0.0.1"], **client}
    path = folder / "trusted-clients.json"
    path.write_text(json.dumps({"clients": [entry]}))
    return path
