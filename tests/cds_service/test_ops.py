"""Operations endpoints: /healthz and /readyz for an orchestrator, /metrics for Prometheus. None needs the client
JWT; readiness follows the database; the metrics count what the service did, by service, rule id and key."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cds_service.app import create_app
from hooks.services import SERVICES_BY_ID
from tests.conftest import (
    FIXTURES,
    FROZEN_NOW,
    CheckedClient,
    counting_uuids,
    load_json,
    run_python,
    suite_settings,
)
from tests.fake_fhir import FakeFhirServer, Reply, running_fake_fhir, searchset

SERVICE = "peritoneal-metastasis-order-select"
REQUEST_14_DAYS = FIXTURES / "examples" / "order-select-bevacizumab-14-days-before-laparotomy.json"


def samples(client: CheckedClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def sample(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


class _UnreachableStore:
    def add(self, service_id: str, items: Any) -> int:
        raise OSError("database unreachable")

    def items(self, service_id: str) -> list[dict[str, Any]]:
        raise OSError("database unreachable")

    def claim_jti(self, iss: str, jti: str, expires_at: Any) -> bool:
        raise OSError("database unreachable")

    def ping(self) -> None:
        raise OSError("database unreachable")

    def record_cards(self, service_id: str, cards: Any) -> None:
        raise OSError("database unreachable")

    def feedback_by_rule(self) -> list[dict[str, Any]]:
        raise OSError("database unreachable")

    def rules_of_cards(self, card_uuids: Any) -> dict[str, str]:
        raise OSError("database unreachable")


# --- health and readiness ---------------------------------------------------------------------------------------


def test_healthz_answers_without_a_jwt(client: CheckedClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_when_the_database_answers(client: CheckedClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_readyz_is_503_with_an_operation_outcome_when_the_database_is_unreachable(tmp_path: Path) -> None:
    app = create_app(suite_settings(tmp_path), store=_UnreachableStore(), clock=lambda: FROZEN_NOW)
    with CheckedClient(app) as client:
        response = client.get("/readyz")
        healthy = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "transient"
    assert healthy.status_code == 200  # the process is up: restart it would not help


def test_an_app_whose_database_cannot_be_opened_says_so_and_is_not_ready(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The store is opened at its first use: a bad CDS_DATABASE_URL no longer stops the app factory, so it is
    reported in the log (ERROR) and by /readyz instead."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings = suite_settings(tmp_path, database_url=f"sqlite:///{blocker / 'cds.sqlite3'}")
    app = create_app(settings, clock=lambda: FROZEN_NOW)
    with CheckedClient(app) as client:
        response = client.get("/readyz")
        healthy = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["issue"][0]["code"] == "transient"
    assert healthy.status_code == 200
    assert [r.levelname for r in caplog.records if "CDS_DATABASE_URL" in r.getMessage()] == ["ERROR"]


# --- metrics ----------------------------------------------------------------------------------------------------


def test_metrics_need_no_jwt_and_count_requests_cards_and_feedback(client: CheckedClient) -> None:
    answer = client.post(f"/cds-services/{SERVICE}", json=load_json(REQUEST_14_DAYS))
    [card] = answer.json()["cards"]
    client.post(f"/cds-services/{SERVICE}", content=b"{", headers={"Content-Type": "application/json"})
    client.post(
        f"/cds-services/{SERVICE}/feedback",
        json={
            "feedback": [
                {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-03-02T09:05:00Z"}
            ]
        },
    )
    client.get("/cds-services")

    found = samples(client)

    hook = {"service": SERVICE, "endpoint": "hook"}
    assert sample(found, "cds_request_duration_seconds_count", **hook, status="200") == 1
    assert sample(found, "cds_request_duration_seconds_count", **hook, status="400") == 1
    assert sample(found, "cds_request_duration_seconds_bucket", **hook, status="200", le="+Inf") == 1
    assert (
        sample(
            found, "cds_request_duration_seconds_count", service=SERVICE, endpoint="feedback", status="200"
        )
        == 1
    )
    assert (
        sample(
            found,
            "cds_request_duration_seconds_count",
            service="discovery",
            endpoint="discovery",
            status="200",
        )
        == 1
    )
    assert sample(found, "cds_cards_total", rule_id="BEV-SURG-BEFORE", indicator="critical") == 1
    assert sample(found, "cds_feedback_total", rule_id="BEV-SURG-BEFORE", outcome="overridden") == 1


def test_a_booking_is_measured_under_the_appointment_book_service(client: CheckedClient) -> None:
    booking = "peritoneal-metastasis-appointment-book"
    example = FIXTURES / "examples" / "appointment-book-laparotomy-10-days-after-bevacizumab.json"
    assert client.post(f"/cds-services/{booking}", json=load_json(example)).status_code == 200
    found = samples(client)
    hook = {"service": booking, "endpoint": "hook", "status": "200"}
    assert sample(found, "cds_request_duration_seconds_count", **hook) == 1
    assert sample(found, "cds_cards_total", rule_id="BEV-SURG-SCHEDULE", indicator="warning") == 1


def test_an_unknown_service_id_is_not_a_new_label(client: CheckedClient) -> None:
    client.post("/cds-services/made-up-7f3a", json={})
    found = samples(client)
    assert (
        sample(found, "cds_request_duration_seconds_count", service="unknown", endpoint="hook", status="404")
        == 1
    )
    assert not any("made-up-7f3a" in str(labels) for _, labels in found)


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    with running_fake_fhir() as server:
        yield server


def test_metrics_count_prefetch_fetches_and_failures_per_key(fhir: FakeFhirServer, tmp_path: Path) -> None:
    for key, template in SERVICES_BY_ID[SERVICE].prefetch.items():
        path = template.replace("{{context.patientId}}", "pm-cervical-001").split("?")[0]
        reply = (
            Reply(500, {"resourceType": "OperationOutcome"})
            if key == "conditions"
            else Reply(json=searchset())
        )
        fhir.route(path, reply)
    request = load_json(REQUEST_14_DAYS)
    del request["prefetch"]
    request["fhirServer"] = fhir.base
    app = create_app(suite_settings(tmp_path), clock=lambda: FROZEN_NOW, new_uuid=counting_uuids())

    with CheckedClient(app) as client:
        assert client.post(f"/cds-services/{SERVICE}", json=request).status_code == 412
        found = samples(client)

    assert sample(found, "cds_prefetch_fetches_total", key="conditions") == 1
    assert sample(found, "cds_prefetch_failures_total", key="conditions") == 1
    assert sample(found, "cds_prefetch_fetches_total", key="serviceRequests") == 1
    assert sample(found, "cds_prefetch_failures_total", key="serviceRequests") == 0


def test_metrics_add_up_across_processes_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two processes (as two uvicorn workers would) write to PROMETHEUS_MULTIPROC_DIR; /metrics of either
    reports the sum."""
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    script = textwrap.dedent(
        f"""
        import json, sys
        from tests.conftest import load_json, make_client, suite_settings
        from pathlib import Path
        with make_client(suite_settings(Path(sys.argv[1]))) as client:
            assert client.post("/cds-services/{SERVICE}", json=load_json(Path("{REQUEST_14_DAYS}"))).status_code == 200
            print(client.get("/metrics").text)
        """
    )
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    outputs = []
    for n in range(2):
        folder = tmp_path / f"worker{n}"
        folder.mkdir()
        outputs.append(run_python(script, str(folder), env=env))

    second = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(outputs[1])
        for s in family.samples
    }
    assert sample(second, "cds_cards_total", rule_id="BEV-SURG-BEFORE", indicator="critical") == 2
