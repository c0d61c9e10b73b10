"""Issue #18, items 5 and 6: the bearer token goes only to URLs under the allowed FHIR base, as sent on the wire.

Dot segments (plain, percent-encoded, or behind `;` or an encoded `/`) in a fhirServer, a next-link, a context id
or a fetched reference must not move a request off the checked base; a fhirServer urllib cannot parse is treated
as no server (412 where data is needed), never a 500.

The fake server stands for one host serving two FHIR bases: the allowed `/fhir/ok/fhir` and `/fhir/steal/fhir`,
which must never see a request.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from cds_service.auth.clients import TrustedClient
from cds_service.fhir_client import FhirClient, FhirLimits
from cds_service.prefetch.resolve import render, resolve_medications
from cds_service.settings import Settings
from tests.auth_keys import trusted_clients_file
from tests.conftest import FIXTURES, load_json, make_client, suite_settings, with_fhir_server
from tests.fake_fhir import FakeFhirServer, Reply, running_fake_fhir, searchset

TOKEN = "secret-access-token-url-safety"
BEARER = f"Bearer {TOKEN}"
SERVICE = "peritoneal-metastasis-order-select"
BEV_REQUEST = (
    FIXTURES / "scenarios" / "BEV-SURG-BEFORE" / "in-start-14-days-before-laparotomy" / "request.json"
)
ESCAPES = {
    "plain": "../../steal/fhir",
    "percent-encoded": "%2e%2e/%2E%2e/steal/fhir",
    "double-encoded": "%252e%252e/%252e%252e/steal/fhir",
    "encoded-slash": "..%2f..%2fsteal/fhir",
    "path-parameter": "..;/..;/steal/fhir",
}
"""Ways of writing `../../steal/fhir` below `/fhir/ok/fhir` that some client or server reads as `/fhir/steal/fhir`."""


@pytest.fixture
def fhir() -> Iterator[FakeFhirServer]:
    with running_fake_fhir() as server:
        yield server


def allowed_base(fhir: FakeFhirServer) -> str:
    return f"{fhir.origin}/fhir/ok/fhir"


def bev_request() -> dict[str, Any]:
    return copy.deepcopy(load_json(BEV_REQUEST))


def call(settings: Settings, request: dict[str, Any]) -> httpx.Response:
    with make_client(settings) as client:
        response: httpx.Response = client.post(f"/cds-services/{SERVICE}", json=request)
    return response


def issue_expressions(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return [e for issue in body["issue"] for e in issue.get("expression", [])]


def service_allow_list(tmp_path: Path, base: str) -> Settings:
    return suite_settings(tmp_path, fhir_servers=[base])


def client_allow_list(tmp_path: Path, base: str) -> Settings:
    folder = tmp_path / "clients"
    folder.mkdir()
    return suite_settings(tmp_path, trusted_clients=trusted_clients_file(folder, fhir_servers=[base]))


# --- item 5: a fhirServer with dot segments --------------------------------------------------------------------


@pytest.mark.parametrize("escape", list(ESCAPES.values()), ids=list(ESCAPES))
@pytest.mark.parametrize("allow_list", [service_allow_list, client_allow_list], ids=["service", "client"])
def test_fhir_server_with_dot_segments_escaping_the_allowed_base_is_never_sent_the_token(
    tmp_path: Path, fhir: FakeFhirServer, escape: str, allow_list: Any
) -> None:
    fhir.route("steal/fhir/Procedure", Reply(json=searchset()))
    request = with_fhir_server(bev_request(), f"{allowed_base(fhir)}/{escape}", TOKEN)
    del request["prefetch"]["procedures"]

    response = call(allow_list(tmp_path, allowed_base(fhir)), request)

    assert response.status_code == 412, response.text
    assert issue_expressions(response) == ["prefetch.procedures"]
    assert fhir.seen == []


@pytest.mark.parametrize("escape", list(ESCAPES.values()), ids=list(ESCAPES))
def test_allow_lists_refuse_a_url_with_dot_segments(escape: str) -> None:
    base = "https://h/ok/fhir"
    client = TrustedClient(iss="i", jku=("https://h/jwks",), fhir_servers=(base,))
    settings = Settings(fhir_servers=[base])

    assert not settings.fhir_server_allowed(f"{base}/{escape}")
    assert not client.allows_fhir_server(f"{base}/{escape}")
    assert settings.fhir_server_allowed(f"{base}/tenant.1") and client.allows_fhir_server(f"{base}/tenant.1")


# --- item 5: a next-link with dot segments ---------------------------------------------------------------------


@pytest.mark.parametrize("escape", list(ESCAPES.values()), ids=list(ESCAPES))
def test_next_link_with_dot_segments_is_not_followed(fhir: FakeFhirServer, escape: str) -> None:
    base = allowed_base(fhir)
    first = searchset({"resourceType": "Patient", "id": "p1"}, next_url=f"{base}/{escape}/Patient?page=2")
    fhir.route("ok/fhir/Patient", Reply(json=first))
    fhir.route("steal/fhir/Patient", Reply(json=searchset({"resourceType": "Patient", "id": "stolen"})))
    client = FhirClient(base, TOKEN, FhirLimits(), time.monotonic() + 5.0)

    try:
        found = client.search_all("Patient")
    finally:
        client.close()

    assert [r["id"] for r in found] == ["p1"]
    assert [s.path for s in fhir.seen] == ["/fhir/ok/fhir/Patient"]


# --- item 5: ids put into URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "patient_id",
    ["../../../steal/fhir/Patient/x", "..", ".", "%2e%2e", "x?_count=1000", "x#y", "a" * 65, "Patient/x"],
)
def test_render_refuses_a_patient_id_that_is_not_a_fhir_id(patient_id: str) -> None:
    assert render("Patient/{{context.patientId}}", {"patientId": patient_id}) is None
    assert render("Encounter/{{context.encounterId}}", {"encounterId": patient_id}) is None


def test_render_accepts_fhir_ids_and_a_user_reference() -> None:
    assert (
        render("Patient/{{context.patientId}}", {"patientId": "pm-cervical.001"}) == "Patient/pm-cervical.001"
    )
    assert render("{{context.userId}}", {"userId": "Practitioner/u-1"}) == "Practitioner/u-1"
    assert render("{{context.userId}}", {"userId": "Practitioner/../../steal"}) is None
    assert render("{{context.userId}}", {"userId": "../steal"}) is None


def test_patient_id_with_dot_segments_is_412_and_never_sent_the_token(
    tmp_path: Path, fhir: FakeFhirServer
) -> None:
    fhir.route("steal/fhir/Patient/x", Reply(json={"resourceType": "Patient", "id": "x"}))
    request = with_fhir_server(bev_request(), allowed_base(fhir), TOKEN)
    request["context"]["patientId"] = "../../../steal/fhir/Patient/x"
    del request["prefetch"]["patient"]

    response = call(service_allow_list(tmp_path, allowed_base(fhir)), request)

    assert response.status_code == 412, response.text
    assert issue_expressions(response) == ["prefetch.patient"]
    assert fhir.seen == []


def medication_order(reference: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "o1",
        "status": "draft",
        "intent": "order",
        "medicationReference": {"reference": reference},
    }


@pytest.mark.parametrize(
    "reference",
    ["Medication/..", "Medication/%2e%2e%2F%2e%2e%2Fsteal", "Medication/..;", "Medication/m1?_format=xml"],
)
def test_medication_reference_that_is_not_a_fhir_id_is_not_fetched(
    fhir: FakeFhirServer, reference: str
) -> None:
    client = FhirClient(allowed_base(fhir), TOKEN, FhirLimits(), time.monotonic() + 5.0)
    with ThreadPoolExecutor(max_workers=2) as executor:
        try:
            found = resolve_medications([medication_order(reference)], client, executor)
        finally:
            client.close()

    assert found == []
    assert fhir.seen == []


def test_medication_reference_with_a_fhir_id_is_still_fetched_with_the_token(fhir: FakeFhirServer) -> None:
    fhir.route("ok/fhir/Medication/m-1.a", Reply(json={"resourceType": "Medication", "id": "m-1.a"}))
    client = FhirClient(allowed_base(fhir), TOKEN, FhirLimits(), time.monotonic() + 5.0)
    with ThreadPoolExecutor(max_workers=2) as executor:
        try:
            found = resolve_medications([medication_order("Medication/m-1.a")], client, executor)
        finally:
            client.close()

    assert found == [{"resourceType": "Medication", "id": "m-1.a"}]
    assert [(s.path, s.authorization) for s in fhir.seen] == [("/fhir/ok/fhir/Medication/m-1.a", BEARER)]


# --- item 6: a fhirServer that does not parse ------------------------------------------------------------------

UNPARSEABLE = [
    "https://[::1/ok/fhir",
    "https://a℀b@127.0.0.1/ok/fhir",
    "http://[::1/fhir",
    "https://h:99999/fhir",
]


@pytest.mark.parametrize("server", UNPARSEABLE)
@pytest.mark.parametrize("allow_list", [None, "https://h/ok/fhir"], ids=["no-allow-list", "allow-list"])
def test_unparseable_fhir_server_is_treated_as_absent_not_a_500(
    tmp_path: Path, server: str, allow_list: str | None
) -> None:
    request = with_fhir_server(bev_request(), server, TOKEN)
    del request["prefetch"]["procedures"]
    settings = suite_settings(tmp_path, **({"fhir_servers": [allow_list]} if allow_list else {}))

    response = call(settings, request)

    assert response.status_code == 412, response.text
    assert issue_expressions(response) == ["prefetch.procedures"]


@pytest.mark.parametrize("server", UNPARSEABLE)
def test_allow_lists_refuse_an_unparseable_url_without_raising(server: str) -> None:
    client = TrustedClient(iss="i", jku=("https://h/jwks",), fhir_servers=("https://h/ok/fhir",))

    assert not Settings().fhir_server_allowed(server)
    assert not Settings(fhir_servers=["https://h/ok/fhir"]).fhir_server_allowed(server)
    assert not client.allows_fhir_server(server)
