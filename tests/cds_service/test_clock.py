"""Card uuids: version 7 (RFC 9562), so the card log's key grows with time instead of landing on random pages."""

from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path

import orjson
from fastapi.testclient import TestClient

from bench.payloads import SIZES, hook_request, record
from cds_service.app import create_app
from cds_service.clock import time_ordered_uuid
from cds_service.settings import Settings


def test_a_card_uuid_is_a_version_7_uuid_of_the_rfc_variant_in_canonical_form() -> None:
    text = time_ordered_uuid()
    made = uuid.UUID(text)

    assert str(made) == text  # lower-case hex, 8-4-4-4-12
    assert made.version == 7
    assert made.variant == uuid.RFC_4122


def test_its_first_48_bits_are_the_unix_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(time_ordered_uuid())
    after = time.time_ns() // 1_000_000

    assert before <= made.int >> 80 <= after


def test_uuids_of_a_later_millisecond_sort_after_earlier_ones_as_text() -> None:
    earlier = [time_ordered_uuid() for _ in range(50)]
    time.sleep(0.002)
    later = [time_ordered_uuid() for _ in range(50)]

    assert max(earlier) < min(later)


def test_uuids_of_the_same_millisecond_still_differ() -> None:
    made = [time_ordered_uuid() for _ in range(20_000)]

    assert len(set(made)) == len(made)


def test_the_service_gives_its_cards_and_suggestions_version_7_uuids(tmp_path: Path) -> None:
    settings = Settings(dev=True, database_url=f"sqlite:///{tmp_path / 'cds.sqlite3'}")
    today = date.today()  # the benchmark's record is dated from today, so its cards fire on the system clock
    body = orjson.dumps(hook_request("order-select", record(SIZES["small"], today), today))
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/cds-services/peritoneal-metastasis-order-select",
            content=body,
            headers={"content-type": "application/json"},
        )

    cards = response.json()["cards"]
    made = [c["uuid"] for c in cards] + [s["uuid"] for c in cards for s in c.get("suggestions", [])]
    assert len(made) >= 2
    assert {uuid.UUID(u).version for u in made} == {7}
