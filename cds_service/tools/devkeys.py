"""`peritoneal-cds keys`: a development ES384 client key pair, its public JWKS and a trusted-clients file that
trusts it (usable as CDS_TRUSTED_CLIENTS), and the signing of client JWTs with it (`fire`)."""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

DEFAULT_DIR = Path("var") / "dev-keys"
DEFAULT_ISSUER = "peritoneal-cds-dev-client"
DEFAULT_FHIR_SERVERS = ("http://127.0.0.1", "http://localhost")
ALG = "ES384"
CLIENT_FILE = "client.json"
PRIVATE_FILE = "client-private-key.pem"
JWKS_FILE = "jwks.json"
TRUSTED_FILE = "trusted-clients.json"
TOKEN_LIFETIME = 300


class DevKeyError(Exception):
    """A development key cannot be written or read; the message says which file."""


@dataclass(frozen=True)
class DevKey:
    iss: str
    kid: str
    alg: str
    private_key: Any

    def sign(self, audience: str, lifetime: int = TOKEN_LIFETIME) -> str:
        """A client JWT for one call to `audience` (the endpoint's URL), as CDS Hooks 2.0 asks."""
        now = int(time.time())
        claims = {
            "iss": self.iss,
            "aud": audience,
            "exp": now + lifetime,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(
            claims, self.private_key, algorithm=self.alg, headers={"kid": self.kid, "typ": "JWT"}
        )


def write_dev_keys(
    out: Path,
    iss: str = DEFAULT_ISSUER,
    fhir_servers: tuple[str, ...] = DEFAULT_FHIR_SERVERS,
    force: bool = False,
) -> dict[str, Path]:
    """Write the four files into `out`; an existing private key is kept unless `force`."""
    private_path = out / PRIVATE_FILE
    if private_path.exists() and not force:
        raise DevKeyError(f"{private_path} exists; pass --force to replace the development key")
    out.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP384R1())
    public_jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(private.public_key()))
    kid = f"dev-{uuid.uuid4().hex[:12]}"
    public_jwk.update(kid=kid, alg=ALG, use="sig")
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    files = {
        "private key": private_path,
        "client": out / CLIENT_FILE,
        "jwks": out / JWKS_FILE,
        "trusted clients": out / TRUSTED_FILE,
    }
    files["client"].write_text(
        json.dumps({"iss": iss, "kid": kid, "alg": ALG, "private_key": PRIVATE_FILE}, indent=2) + "\n"
    )
    files["jwks"].write_text(json.dumps({"keys": [public_jwk]}, indent=2) + "\n")
    trusted = {"clients": [{"iss": iss, "jwks_file": JWKS_FILE, "fhir_servers": list(fhir_servers)}]}
    files["trusted clients"].write_text(json.dumps(trusted, indent=2) + "\n")
    return files


def load_dev_key(path: Path) -> DevKey:
    """The key described by `path`: a `keys` output folder or its client.json."""
    client_file = path / CLIENT_FILE if path.is_dir() else path
    try:
        client = json.loads(client_file.read_text(encoding="utf-8"))
        private_path = client_file.parent / client["private_key"]
        private = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        return DevKey(iss=client["iss"], kid=client["kid"], alg=client.get("alg", ALG), private_key=private)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DevKeyError(f"{client_file}: not a usable development client key ({exc})") from exc
