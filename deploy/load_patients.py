"""Load the example patients into a FHIR R4 server: the one-shot loader of docker-compose.yml.

Waits until the server answers `GET [base]/metadata` with a CapabilityStatement (up to `--wait` seconds), then
POSTs every `*.json` transaction Bundle of the patients folder (default: `fixtures/patients` of this checkout, or
of the working directory) to the base URL and checks that every entry succeeded. Entries are PUTs with fixed ids,
so loading twice changes nothing. Standard library only: it runs in the service image or any Python 3.11.

    python deploy/load_patients.py --fhir http://localhost:8080/fhir [--wait 300] [--token T] [--folder DIR]

Exit status 0 when every bundle was accepted, 1 when the server never became ready or refused an entry, 2 for
bad arguments (no bundles found).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE_PATIENTS = Path(__file__).resolve().parent.parent / "fixtures" / "patients"
WORKDIR_PATIENTS = Path("fixtures") / "patients"
FHIR_JSON = "application/fhir+json"
POLL_SECONDS = 2.0
REQUEST_TIMEOUT = 60.0


class LoadError(Exception):
    """The server is not ready, or it refused a bundle or one of its entries."""


def _request(url: str, token: str | None, body: bytes | None = None) -> tuple[int, Any]:
    headers = {"Accept": FHIR_JSON}
    if body is not None:
        headers["Content-Type"] = FHIR_JSON
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=body, headers=headers, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def wait_until_ready(base: str, wait_seconds: float, token: str | None = None) -> None:
    """Return once `[base]/metadata` answers a CapabilityStatement; LoadError after `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    last = "no answer"
    while True:
        try:
            status, body = _request(f"{base}/metadata", token)
            if status == 200 and isinstance(body, dict) and body.get("resourceType") == "CapabilityStatement":
                return
            last = f"HTTP {status}"
        except (OSError, urllib.error.URLError) as error:
            last = str(getattr(error, "reason", error))
        if time.monotonic() >= deadline:
            raise LoadError(f"{base} was not ready within {wait_seconds:g} s ({last})")
        time.sleep(POLL_SECONDS)


def bundles(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def load_bundle(base: str, path: Path, token: str | None = None) -> int:
    """POST one transaction Bundle; the number of entries the server accepted. LoadError names what failed."""
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LoadError(f"{path.name}: unreadable: {error}") from error
    kind = bundle.get("type") if isinstance(bundle, dict) else None
    if (
        not isinstance(bundle, dict)
        or bundle.get("resourceType") != "Bundle"
        or kind not in ("transaction", "batch")
    ):
        raise LoadError(f"{path.name}: not a transaction Bundle")
    status, answer = _request(base, token, json.dumps(bundle).encode())
    if status not in (200, 201) or not isinstance(answer, dict) or answer.get("resourceType") != "Bundle":
        raise LoadError(f"{path.name}: the server answered HTTP {status}: {_diagnostics(answer)}")
    entries = answer.get("entry") or []
    failed = [
        f"{request_entry.get('request', {}).get('url')}: {entry.get('response', {}).get('status')}"
        for request_entry, entry in zip(bundle.get("entry", []), entries, strict=False)
        if not str(entry.get("response", {}).get("status", "")).startswith("2")
    ]
    if failed or len(entries) != len(bundle.get("entry", [])):
        raise LoadError(f"{path.name}: entries refused: {', '.join(failed) or 'missing responses'}")
    return len(entries)


def _diagnostics(answer: Any) -> str:
    if isinstance(answer, dict) and answer.get("resourceType") == "OperationOutcome":
        return "; ".join(str(i.get("diagnostics") or i.get("code")) for i in answer.get("issue", []))
    return "no FHIR Bundle in the answer"


def default_folder() -> Path:
    return HERE_PATIENTS if HERE_PATIENTS.is_dir() else WORKDIR_PATIENTS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--fhir", default=os.environ.get("FHIR_BASE_URL"), help="FHIR base URL (FHIR_BASE_URL)"
    )
    parser.add_argument("--folder", type=Path, default=None, help="folder of transaction Bundles")
    parser.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the server (default 0)")
    parser.add_argument("--token", default=os.environ.get("FHIR_TOKEN"), help="bearer token (FHIR_TOKEN)")
    args = parser.parse_args(argv)
    if not args.fhir:
        parser.error("--fhir (or FHIR_BASE_URL) is required")
    base = args.fhir.rstrip("/")
    folder = args.folder or default_folder()
    paths = bundles(folder)
    if not paths:
        print(f"no *.json bundles in {folder}", file=sys.stderr)
        return 2
    try:
        wait_until_ready(base, args.wait, args.token)
        for path in paths:
            count = load_bundle(base, path, args.token)
            print(f"loaded {path.name}: {count} resources into {base}", flush=True)
    except LoadError as error:
        print(f"load failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
