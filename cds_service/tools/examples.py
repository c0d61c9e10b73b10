"""`peritoneal-cds load-examples`: the example patients (FHIR transaction Bundles) into any FHIR R4 server."""

from __future__ import annotations

import json
from pathlib import Path

import requests

import cds_service

TIMEOUT = 60.0


def default_patients_dir() -> Path:
    """fixtures/patients of the source tree (the examples are not part of the installed package)."""
    beside_package = Path(cds_service.__file__).resolve().parent.parent / "fixtures" / "patients"
    return beside_package if beside_package.is_dir() else Path("fixtures") / "patients"


class LoadError(Exception):
    pass


def load_examples(
    fhir: str, token: str | None = None, folder: Path | None = None
) -> list[tuple[str, int, int]]:
    """POST each Bundle to the server's base (a transaction); (file name, HTTP status, entries) per file.
    LoadError at the first refusal, naming the file and the server's answer."""
    folder = folder or default_patients_dir()
    files = sorted(folder.glob("*.json"))
    if not files:
        raise LoadError(f"no example patients (*.json) in {folder}")
    headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    loaded = []
    with requests.Session() as http:
        for path in files:
            bundle = json.loads(path.read_text(encoding="utf-8"))
            if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
                raise LoadError(f"{path}: not a transaction Bundle")
            try:
                response = http.post(
                    fhir.rstrip("/"), data=path.read_bytes(), headers=headers, timeout=TIMEOUT
                )
            except requests.RequestException as exc:
                raise LoadError(f"{path.name}: {fhir} unreachable ({type(exc).__name__})") from exc
            if response.status_code not in (200, 201):
                raise LoadError(f"{path.name}: {fhir} answered {response.status_code}: {response.text[:300]}")
            loaded.append((path.name, response.status_code, len(bundle.get("entry") or [])))
    return loaded
