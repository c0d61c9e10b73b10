"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the compose file validates where a
compose client exists (`docker compose config` / `docker-compose config` need no engine), and its shape — what
starts after what, healthchecks, loopback-only ports, the loader's script — is pinned here everywhere."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def compose_command() -> list[str] | None:
    """`docker compose` when the plugin answers, else the standalone `docker-compose`, else None."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_compose_file_validates_with_the_compose_client() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no compose client here (neither the `docker compose` plugin nor `docker-compose`)")

    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )

    assert result.returncode == 0, result.stderr


def test_service_starts_after_a_healthy_database_and_a_completed_patient_load() -> None:
    services = compose()["services"]

    assert services["cds"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "fhir-loader": {"condition": "service_completed_successfully"},
    }
    assert services["fhir-loader"]["depends_on"] == {"fhir": {"condition": "service_started"}}
    assert "healthcheck" in services["cds"]
    assert "healthcheck" in services["db"]


def test_the_store_is_postgresql_and_the_fhir_server_is_hapi_r4() -> None:
    services = compose()["services"]

    assert services["cds"]["environment"]["CDS_DATABASE_URL"].startswith("postgresql://")
    assert services["db"]["image"].startswith("postgres:")
    assert services["fhir"]["image"].startswith("hapiproject/hapi:")
    assert services["fhir"]["environment"]["hapi.fhir.fhir_version"] == "R4"


def test_the_loader_runs_the_repositorys_script_against_hapi_and_waits_for_it() -> None:
    command = compose()["services"]["fhir-loader"]["command"]

    assert command[:2] == ["python", "deploy/load_patients.py"]
    assert (ROOT / command[1]).is_file()
    assert command[command.index("--fhir") + 1] == "http://fhir:8080/fhir"
    assert float(command[command.index("--wait") + 1]) >= 120
    assert compose()["services"]["fhir-loader"]["restart"] == "no"


def test_published_ports_are_on_loopback_only() -> None:
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_the_image_is_slim_runs_as_a_non_root_user_with_several_workers_and_ships_the_loader() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    instructions = [line.split(" ", 1) for line in lines if line and not line.startswith("#")]

    assert instructions[0][0] == "FROM" and instructions[0][1].endswith("-slim")
    user = [arg for op, arg in instructions if op == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert "COPY deploy ./deploy" in lines and "COPY fixtures ./fixtures" in lines
    command = next(arg for op, arg in instructions if op == "CMD")
    workers = command.split('"--workers", "')[1].split('"')[0]
    assert int(workers) >= 2
