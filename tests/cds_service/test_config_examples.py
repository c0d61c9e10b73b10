"""The documented example configuration is valid as shipped."""

from __future__ import annotations

from cds_service.auth.clients import load_trusted_clients
from tests.conftest import FIXTURES


def test_the_example_trusted_clients_file_loads_and_limits_fhir_servers() -> None:
    clients = load_trusted_clients(FIXTURES / "examples" / "trusted-clients.example.yaml")
    sandbox = clients.by_issuer("https://sandbox.cds-hooks.org")
    assert sandbox is not None and sandbox.jku == ("https://sandbox.cds-hooks.org/.well-known/jwks.json",)
    assert sandbox.allows_fhir_server("https://launch.smarthealthit.org/v/r4/fhir")
    assert not sandbox.allows_fhir_server("https://ehr.example.org/fhir")
    ehr = clients.by_issuer("https://ehr.example.org/")
    assert ehr is not None and ehr.tenant == "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"
