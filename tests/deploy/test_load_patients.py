"""The docker-compose loader against a real FHIR server process (sekmet-fhir): it waits for the server, puts the
example patients in with their ids, changes nothing when run twice, and fails loudly when it cannot load."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import load_patients
from tests.conftest import FIXTURES, ROOT
from tests.fhir_server import FhirServer, running_sekmet, sekmet_executable

pytestmark = pytest.mark.fhir_server

PATIENTS = FIXTURES / "patients"
SCRIPT = ROOT / "deploy" / "load_patients.py"


@pytest.fixture(scope="module")
def fhir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    if sekmet_executable() is None:
        pytest.skip("sekmet-fhir is not installed (pip install -e '.[dev]')")
    with running_sekmet(tmp_path_factory.mktemp("sekmet")) as server:
        yield server


def run_loader(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def expected_ids() -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for path in PATIENTS.glob("*.json"):
        for entry in json.loads(path.read_text())["entry"]:
            resource = entry["resource"]
            ids.setdefault(resource["resourceType"], set()).add(resource["id"])
    return ids


def stored_ids(fhir: FhirServer, resource_type: str) -> set[str]:
    bundle = fhir.search(f"{resource_type}?_count=200")
    return {e["resource"]["id"] for e in bundle.get("entry", [])}


def test_loader_puts_every_example_patient_resource_in_with_its_id_and_twice_changes_nothing(
    fhir: FhirServer,
) -> None:
    first = run_loader("--fhir", fhir.base, "--token", fhir.token, "--wait", "30")
    assert first.returncode == 0, first.stderr
    assert "loaded pm-cervical-001.json: " in first.stdout

    second = run_loader("--fhir", fhir.base, "--token", fhir.token)
    assert second.returncode == 0, second.stderr

    for resource_type, ids in expected_ids().items():
        assert stored_ids(fhir, resource_type) == ids, resource_type
    patient = fhir.search("Patient?_id=pm-cervical-001")
    assert [e["resource"]["id"] for e in patient["entry"]] == ["pm-cervical-001"]


def test_loader_reads_the_base_url_and_token_from_the_environment(fhir: FhirServer) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"FHIR_BASE_URL": fhir.base, "FHIR_TOKEN": fhir.token, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_loader_fails_when_the_server_refuses_it(fhir: FhirServer) -> None:
    result = run_loader("--fhir", fhir.base, "--token", "not-the-token")

    assert result.returncode == 1
    assert "load failed" in result.stderr


def test_a_refused_entry_fails_the_load(fhir: FhirServer, tmp_path: Path) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {"resourceType": "Patient", "id": "x"},
                "request": {"method": "PUT", "url": "Patient/y"},
            }
        ],
    }
    (tmp_path / "bad.json").write_text(json.dumps(bundle))

    result = run_loader("--fhir", fhir.base, "--token", fhir.token, "--folder", str(tmp_path))

    assert result.returncode == 1, result.stdout
    assert "bad.json" in result.stderr


def test_loader_gives_up_when_the_server_never_answers(tmp_path: Path) -> None:
    with pytest.raises(load_patients.LoadError, match="was not ready within"):
        load_patients.wait_until_ready("http://127.0.0.1:9/fhir", 0)


def test_loader_without_bundles_or_base_url_stops_with_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FHIR_BASE_URL", raising=False)
    assert load_patients.main(["--fhir", "http://127.0.0.1:9/fhir", "--folder", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as exit_info:
        load_patients.main([])
    assert exit_info.value.code == 2


def test_the_default_folder_is_the_checkouts_example_patients() -> None:
    assert load_patients.default_folder() == PATIENTS
    assert load_patients.bundles(PATIENTS) == sorted(PATIENTS.glob("*.json"))
