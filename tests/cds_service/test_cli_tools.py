"""The integrator commands: `keys` makes a client the service trusts, `check-config` says what a trusted-clients
file holds, `load-examples` loads the example patient into a real FHIR server (sekmet-fhir), and `fire` calls the
running service as an EHR would and prints the critical BEV-SURG-BEFORE card for the example bevacizumab draft."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cds_service import cli
from cds_service.app import create_app
from cds_service.card_log import FLUSH_SECONDS
from cds_service.tools.fire import FireOptions, build_context, load_orders
from tests.conftest import FIXTURES, suite_settings
from tests.fhir_server import FhirServer, running_sekmet, sekmet_executable
from tests.live_server import free_port, serving

EXAMPLES = FIXTURES / "examples"
DRAFT_14_DAYS = EXAMPLES / "order-select-bevacizumab-14-days-before-laparotomy.json"
BOOKING = EXAMPLES / "appointment-book-laparotomy-10-days-after-bevacizumab.json"
PATIENT = "pm-cervical-001"


@dataclass(frozen=True)
class LiveService:
    url: str
    keys: Path
    database_url: str


@pytest.fixture(autouse=True)
def no_default_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`fire` looks for var/dev-keys under the working directory: the tests run where there is none."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDS_TRUSTED_CLIENTS", raising=False)


@pytest.fixture(scope="module")
def fhir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    """sekmet-fhir loaded by `peritoneal-cds load-examples`."""
    if sekmet_executable() is None:
        pytest.skip("sekmet-fhir is not installed (pip install -e '.[dev]')")
    with running_sekmet(tmp_path_factory.mktemp("sekmet")) as server:
        assert cli.main(["load-examples", "--fhir", server.base, "--token", server.token]) == 0
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """The service on a loopback port, trusting only the client `peritoneal-cds keys` made."""
    folder = tmp_path_factory.mktemp("service")
    keys = folder / "keys"
    assert cli.main(["keys", "--out", str(keys)]) == 0
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{folder / 'cds.sqlite3'}"
    settings = suite_settings(
        folder, public_base_url=url, trusted_clients=keys / "trusted-clients.json", database_url=database_url
    )
    with serving(create_app(settings), port):
        yield LiveService(url, keys, database_url)


def fire(service: LiveService, *args: str, signed: bool = True) -> list[str]:
    argv = ["fire", *args, "--service", service.url]
    return argv + (["--key", str(service.keys)] if signed else [])


# --- keys and check-config --------------------------------------------------------------------------------------


def test_keys_writes_a_client_that_check_config_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["keys", "--out", str(tmp_path / "k"), "--iss", "https://dev-ehr.example.org"]) == 0
    written = {p.name for p in (tmp_path / "k").iterdir()}
    assert written == {"client-private-key.pem", "client.json", "jwks.json", "trusted-clients.json"}
    assert (tmp_path / "k" / "client-private-key.pem").stat().st_mode & 0o077 == 0
    jwks = json.loads((tmp_path / "k" / "jwks.json").read_text())
    assert [k["kty"] for k in jwks["keys"]] == ["EC"] and "d" not in jwks["keys"][0]
    capsys.readouterr()

    assert cli.main(["check-config", "--trusted-clients", str(tmp_path / "k" / "trusted-clients.json")]) == 0

    out = capsys.readouterr().out
    assert "clients[0] iss: https://dev-ehr.example.org" in out
    assert f"jwks_file jwks.json: {jwks['keys'][0]['kid']} (ES384)" in out
    assert "fhir servers: http://127.0.0.1, http://localhost" in out


def test_keys_refuses_to_replace_a_key_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["keys", "--out", str(tmp_path)]) == 0
    assert cli.main(["keys", "--out", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(["keys", "--out", str(tmp_path), "--force"]) == 0


def test_check_config_reads_cds_trusted_clients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = EXAMPLES / "trusted-clients.example.yaml"
    monkeypatch.setenv("CDS_TRUSTED_CLIENTS", str(example))

    assert cli.main(["check-config"]) == 0

    out = capsys.readouterr().out
    assert "(2 clients)" in out
    assert "keys: jku https://sandbox.cds-hooks.org/.well-known/jwks.json" in out
    assert "tenant: 2ddd6c3a-8e9a-44c6-a305-52111ad302a2" in out


def test_check_config_names_the_invalid_entry_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "clients.json"
    good = {"iss": "https://a.example.org", "jku": ["https://a.example.org/jwks"]}
    bad.write_text(json.dumps({"clients": [good, {"iss": "https://b.example.org"}]}))

    assert cli.main(["check-config", "--trusted-clients", str(bad)]) == 2

    assert "clients[1]" in capsys.readouterr().err


def test_check_config_without_a_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check-config"]) == 2
    assert "CDS_TRUSTED_CLIENTS is not set" in capsys.readouterr().err


# --- building the request ---------------------------------------------------------------------------------------


def test_order_select_context_selects_every_draft_of_the_order_files(tmp_path: Path) -> None:
    resource = tmp_path / "draft.json"
    resource.write_text(
        json.dumps({"resourceType": "MedicationRequest", "status": "draft", "intent": "order"})
    )
    drafts = load_orders([DRAFT_14_DAYS, resource])

    context = build_context(FireOptions(hook="order-select", patient=PATIENT), drafts)

    assert context["selections"] == ["MedicationRequest/bev-draft-1", "MedicationRequest/draft-2"]
    assert [e["resource"]["id"] for e in context["draftOrders"]["entry"]] == ["bev-draft-1", "draft-2"]
    assert context["patientId"] == PATIENT


def test_order_sign_context_has_no_selections() -> None:
    context = build_context(FireOptions(hook="order-sign", patient=PATIENT), load_orders([DRAFT_14_DAYS]))
    assert "selections" not in context and len(context["draftOrders"]["entry"]) == 1


def test_fire_an_order_hook_without_orders_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fire", "order-select", "--patient", PATIENT, "--service", "http://127.0.0.1:9"]) == 2
    assert "--order" in capsys.readouterr().err


# --- fire against the running service ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["prefetch", "let-service-fetch"])
@pytest.mark.fhir_server
def test_fire_prints_the_critical_bevacizumab_card_from_the_running_service(
    service: LiveService, fhir: FhirServer, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch = ["--let-service-fetch"] if mode == "let-service-fetch" else []
    argv = fire(
        service,
        "order-select",
        "--patient",
        PATIENT,
        "--order",
        str(DRAFT_14_DAYS),
        "--fhir",
        fhir.base,
        "--fhir-token",
        fhir.token,
        *fetch,
    )

    assert cli.main(argv) == 0, capsys.readouterr().err

    out = capsys.readouterr().out
    assert "peritoneal-metastasis-order-select: 1 card" in out
    assert (
        "[CRITICAL] Withhold bevacizumab: dose 2031-03-03 is 14 days before Laparotomy on 2031-03-17" in out
    )
    assert "rule: BEV-SURG-BEFORE" in out
    assert "(delete MedicationRequest/bev-draft-1)" in out
    assert "suggestions:" in out and "override reasons:" in out


@pytest.mark.fhir_server
def test_fire_json_prints_the_raw_response(
    service: LiveService, fhir: FhirServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = fire(service, "order-sign", "--patient", PATIENT, "--order", str(DRAFT_14_DAYS), "--json")
    argv += ["--fhir", fhir.base, "--fhir-token", fhir.token]

    assert cli.main(argv) == 0

    body: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert [(c["source"]["topic"]["code"], c["indicator"]) for c in body["cards"]] == [
        ("BEV-SURG-BEFORE", "critical")
    ]


@pytest.mark.fhir_server
def test_fire_patient_view_from_the_loaded_example_patient(
    service: LiveService, fhir: FhirServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = fire(
        service, "patient-view", "--patient", PATIENT, "--fhir", fhir.base, "--fhir-token", fhir.token
    )

    assert cli.main(argv) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("peritoneal-metastasis-patient-view: ")


@pytest.mark.fhir_server
def test_an_unsigned_fire_is_refused_by_a_service_that_needs_a_jwt(
    service: LiveService, fhir: FhirServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = fire(service, "patient-view", "--patient", PATIENT, "--fhir", fhir.base, signed=False)

    assert cli.main(argv) == 2
    assert "401" in capsys.readouterr().err


@pytest.mark.fhir_server
def test_fire_without_prefetch_or_fhir_server_reports_the_412(
    service: LiveService, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bare = tmp_path / "draft.json"
    bare.write_text(json.dumps(json.loads(DRAFT_14_DAYS.read_text())["context"]["draftOrders"]))
    assert cli.main(fire(service, "order-select", "--patient", PATIENT, "--order", str(bare))) == 1
    out = capsys.readouterr().out
    assert "answered HTTP 412" in out and "prefetch.conditions" in out


def test_fire_with_an_example_request_alone_shows_the_critical_card(
    service: LiveService, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's newcomer path without any FHIR server: the example request carries its own prefetch."""
    assert cli.main(fire(service, "order-select", "--patient", PATIENT, "--order", str(DRAFT_14_DAYS))) == 0
    out = capsys.readouterr().out
    assert "[CRITICAL] Withhold bevacizumab: dose 2031-03-03 is 14 days before Laparotomy" in out


def reported_rows(service: LiveService, rule_id: str, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    """The feedback report's rows of `rule_id`. The service writes the cards it showed in batches
    (cds_service.card_log, every 0.25 s): another process sees them within that time, so the report is read
    again until they appear or a few batches have passed."""
    deadline = time.monotonic() + 5 * FLUSH_SECONDS + 2
    while True:
        assert cli.main(["feedback-report", "--database-url", service.database_url, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        rows = [r for r in report["rules"] if r["ruleId"] == rule_id]
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(FLUSH_SECONDS / 5)


def test_fire_appointment_book_with_the_booking_example_shows_the_move(
    service: LiveService, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fire appointment-book --appointment FILE`: the booking example, with its own prefetch, gets the warning
    and both suggestions; the feedback report then counts the booking card under its rule."""
    argv = fire(service, "appointment-book", "--patient", PATIENT, "--appointment", str(BOOKING))
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "peritoneal-metastasis-appointment-book: 1 card" in out
    assert "[WARNING] Laparotomy on 2031-03-13: bevacizumab dose scheduled 2031-03-03" in out
    assert "1. Book the surgery on 2031-03-31 (update Appointment/lap-appt-1)" in out
    assert "2. Keep the appointment as booked" in out

    rows = reported_rows(service, "BEV-SURG-SCHEDULE", capsys)
    assert rows and rows[0]["shown"] >= 1


def test_fire_appointment_book_without_appointments_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["fire", "appointment-book", "--patient", PATIENT, "--service", "http://127.0.0.1:9"]
    assert cli.main(argv) == 2
    assert "--appointment" in capsys.readouterr().err


@pytest.mark.fhir_server
def test_load_examples_puts_the_example_patient_into_the_fhir_server(fhir: FhirServer) -> None:
    patient = fhir.search(f"Patient/{PATIENT}")
    requests = fhir.search(f"ServiceRequest?patient={PATIENT}")
    assert patient["id"] == PATIENT
    assert requests["entry"][0]["resource"]["id"] == "lap-1"


def test_load_examples_reports_a_server_that_cannot_be_reached(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["load-examples", "--fhir", "http://127.0.0.1:9/fhir"]) == 1
    first = sorted(p.name for p in (FIXTURES / "patients").glob("*.json"))[0]
    assert f"{first}: http://127.0.0.1:9/fhir unreachable" in capsys.readouterr().err


@pytest.mark.fhir_server
def test_feedback_report_counts_the_cards_fire_was_shown(
    service: LiveService, fhir: FhirServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = fire(service, "order-select", "--patient", PATIENT, "--order", str(DRAFT_14_DAYS), "--json")
    assert cli.main([*argv, "--fhir", fhir.base, "--fhir-token", fhir.token]) == 0
    capsys.readouterr()

    [row] = reported_rows(service, "BEV-SURG-BEFORE", capsys)
    assert row["shown"] >= 1 and row["overrideRate"] is None

    assert cli.main(["feedback-report", "--database-url", service.database_url]) == 0
    assert "BEV-SURG-BEFORE" in capsys.readouterr().out


def test_without_a_fhir_server_fire_sends_the_example_requests_own_prefetch() -> None:
    from cds_service.tools.fire import carried_prefetch

    carried = carried_prefetch([DRAFT_14_DAYS])
    assert carried["serviceRequests"]["entry"][0]["resource"]["id"] == "lap-1"
    assert carried_prefetch([]) == {}
