"""Start-up cost: what the app does not import until it needs it. Each case runs in a fresh interpreter (this
one has imported everything already), started the way uvicorn starts a worker: import the module, call the factory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.auth_keys import PUBLIC_BASE, trusted_clients_file
from tests.conftest import run_python

DEFERRED = (
    "sqlalchemy",
    "jwt",
    "cryptography",
    "requests",
    "cds_service.yaml_lines",
    "ruamel.yaml",
    "fhir.resources",
    "yaml",
    "prometheus_client",
)
"""SQLAlchemy (the store, opened at its first use), PyJWT and cryptography (only with trusted clients), requests
(only once something is fetched), fhir.resources with PyYAML (loaded a second after start-up, or by the first
suggestion validated), our config-file reader with ruamel.yaml (only for a site-codes file), and
prometheus-client (the metrics are made when the first request is recorded, after its answer)."""

SCRIPT = """
import json, sys
deferred = sys.argv[1].split(",")
import cds_service.app
after_import = [m for m in deferred if m in sys.modules]
app = cds_service.app.create_app()
after_factory = [m for m in deferred if m in sys.modules]
app.state.store.ping()  # the store still opens, and answers
print(json.dumps({"after_import": after_import, "after_factory": after_factory}))
"""


def _start(tmp_path: Path, **env: str) -> dict[str, list[str]]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    environment.update(CDS_DATABASE_URL=f"sqlite:///{tmp_path / 'cds.sqlite3'}", **env)
    printed = run_python(SCRIPT, ",".join(DEFERRED), env=environment)
    result: dict[str, list[str]] = json.loads(printed.splitlines()[-1])
    return result


def test_a_dev_app_imports_none_of_the_deferred_libraries_to_start(tmp_path: Path) -> None:
    started = _start(tmp_path, CDS_DEV="true")
    assert started == {"after_import": [], "after_factory": []}


def test_an_app_with_trusted_clients_loads_pyjwt_for_their_keys_and_still_no_http_client(
    tmp_path: Path,
) -> None:
    started = _start(
        tmp_path, CDS_TRUSTED_CLIENTS=str(trusted_clients_file(tmp_path)), CDS_PUBLIC_BASE_URL=PUBLIC_BASE
    )
    assert started["after_import"] == []
    assert set(started["after_factory"]) == {"jwt", "cryptography"}


CLI_SCRIPT = """
import json, sys
import cds_service.cli
print(json.dumps([m for m in sys.argv[1].split(",") if m in sys.modules]))
"""


def test_the_cli_module_that_every_serve_worker_imports_again_loads_no_deferred_library() -> None:
    """`peritoneal-cds serve --workers N` spawns each worker as a fresh interpreter that re-runs the script, so
    imports cds_service.cli: what that module imports, every worker pays before its app is built."""
    printed = run_python(CLI_SCRIPT, ",".join((*DEFERRED, "cds_service.app")), env=os.environ)
    assert json.loads(printed.splitlines()[-1]) == []
