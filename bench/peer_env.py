"""The peer's virtual environment: HealthChain pins FastAPI and fhir.resources versions of its own, so it cannot
share the service's. Made once under the user's cache folder (shared by every checkout), reused while its pins
stay the same; a half-made one (no marker) is made again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PEER_PINS = ("healthchain==0.16.0", "uvicorn==0.55.0")
"""HealthChain as released; uvicorn at the service's version, so that both are served by the same server (the venv is
made from the running interpreter: the same Python too)."""
PIP_TIMEOUT_SECONDS = 600.0


def peer_venv() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "peritoneal-cds" / ("bench-" + "-".join(p.replace("==", "-") for p in PEER_PINS))


def peer_python() -> Path:
    """The peer venv's interpreter, the venv made first if needed; RuntimeError with pip's last words when it
    cannot be (no network, no index)."""
    venv = peer_venv()
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    steps = (
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEER_PINS],
    )
    for command in steps:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            raise RuntimeError(f"peer venv not made: {exc}") from exc
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"peer venv not made ({command[2]}): {' / '.join(tail)}")
    marker.touch()
    return python
