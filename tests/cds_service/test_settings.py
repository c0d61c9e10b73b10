"""Settings: what each instance owns."""

from __future__ import annotations

from cds_service.protocol.models import DraftOrders
from cds_service.settings import Settings


def test_list_defaults_are_not_shared_between_settings() -> None:
    first, second = Settings(), Settings()
    first.cors_origins.append("https://ehr.example")
    first.fhir_servers.append("https://fhir.example")
    assert (second.cors_origins, second.fhir_servers) == ([], [])


def test_draft_orders_do_not_share_their_default_entries() -> None:
    first, second = DraftOrders(resourceType="Bundle"), DraftOrders(resourceType="Bundle")
    first.entry.append({"resource": {"resourceType": "MedicationRequest"}})
    assert second.entry == []
