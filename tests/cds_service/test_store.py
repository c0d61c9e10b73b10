"""The feedback store against both of its databases: an SQLite file (the embedded default) and PostgreSQL
(deployments with several replicas).

PostgreSQL comes from CDS_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). When it cannot
be reached the PostgreSQL cases are skipped, unless CDS_REQUIRE_POSTGRES=1 (CI), where they fail instead. Each
PostgreSQL test gets its own schema (via `options=-csearch_path=…` in the URL), dropped afterwards, so parallel
sessions and reruns never see each other's rows.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from cds_service.protocol.models import FeedbackItem
from cds_service.sql_store import SqlStore, engine_for
from cds_service.store import DeferredSqlStore, ShownCard
from tests.conftest import FEEDBACK_CARD, feedback_item, run_python
from tests.postgres import libpq, own_schema, reachable_postgres

RECEIVED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SERVICE = "peritoneal-metastasis-order-sign"
CARD = FEEDBACK_CARD

StoreFactory = Callable[[str], SqlStore]


def _item(**fields: Any) -> FeedbackItem:
    return FeedbackItem.model_validate(feedback_item(**fields))


ACCEPTED = _item(
    outcome="accepted",
    acceptedSuggestions=[{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
    outcomeTimestamp="2026-03-02T09:01:00Z",
)
OVERRIDDEN_WITH_REASON = _item(
    card="9368d37b-283f-44a0-93ea-547cebab93ed",
    overrideReason={
        "reason": {"system": "https://example.com/cds-hooks/override-reason-system", "code": "d7ecf885"},
        "userComment": "Surgery postponed.",
    },
)


# --- databases --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_base() -> URL:
    return reachable_postgres()


@pytest.fixture
def postgres_url(postgres_base: URL) -> Iterator[URL]:
    """A fresh schema of its own for this test, dropped afterwards."""
    with own_schema(postgres_base, "cds_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    url: URL = request.getfixturevalue("postgres_url")
    return libpq(url)


@pytest.fixture
def open_store() -> Iterator[StoreFactory]:
    """Opens stores with a frozen clock and disposes of their engines (before a schema is dropped)."""
    opened: list[SqlStore] = []

    def factory(url: str) -> SqlStore:
        store = SqlStore(url, clock=lambda: RECEIVED_AT)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.dispose()


@pytest.fixture
def store(database_url: str, open_store: StoreFactory) -> SqlStore:
    return open_store(database_url)


def _as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (in the UTC the clock gave), PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- both databases ---------------------------------------------------------------------------------------------


def test_items_are_stored_with_their_fields(store: SqlStore) -> None:
    store.add(SERVICE, [ACCEPTED, OVERRIDDEN_WITH_REASON])

    accepted, overridden = store.items(SERVICE)
    assert accepted["service_id"] == SERVICE
    assert accepted["card_uuid"] == CARD
    assert accepted["outcome"] == "accepted"
    assert accepted["outcome_timestamp"] == "2026-03-02T09:01:00Z"
    assert json.loads(accepted["accepted_suggestions"]) == [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}]
    assert accepted["override_reason"] is None
    assert _as_utc(accepted["received_at"]) == RECEIVED_AT

    assert overridden["card_uuid"] == "9368d37b-283f-44a0-93ea-547cebab93ed"
    assert overridden["outcome"] == "overridden"
    assert overridden["accepted_suggestions"] is None
    assert json.loads(overridden["override_reason"]) == {
        "reason": {"system": "https://example.com/cds-hooks/override-reason-system", "code": "d7ecf885"},
        "userComment": "Surgery postponed.",
    }


def test_items_are_listed_per_service_oldest_first(store: SqlStore) -> None:
    store.add(SERVICE, [_item(card="card-1")])
    store.add("peritoneal-metastasis-patient-view", [_item(card="elsewhere")])
    store.add(SERVICE, [_item(card="card-2")])

    assert [row["card_uuid"] for row in store.items(SERVICE)] == ["card-1", "card-2"]
    assert [row["card_uuid"] for row in store.items("peritoneal-metastasis-patient-view")] == ["elsewhere"]
    assert store.items("no-such-service") == []


def test_a_repeated_identical_item_is_stored_once(store: SqlStore) -> None:
    store.add(SERVICE, [ACCEPTED])
    store.add(SERVICE, [_item(**ACCEPTED.model_dump(exclude_none=True))])  # equal, not the same object
    assert len(store.items(SERVICE)) == 1


def test_an_item_repeated_within_one_batch_is_stored_once(store: SqlStore) -> None:
    store.add(SERVICE, [ACCEPTED, ACCEPTED, OVERRIDDEN_WITH_REASON])
    assert [row["outcome"] for row in store.items(SERVICE)] == ["accepted", "overridden"]


def test_adding_no_items_stores_nothing(store: SqlStore) -> None:
    assert store.add(SERVICE, []) == 0
    assert store.count() == 0


def test_different_items_for_the_same_card_are_both_stored(store: SqlStore) -> None:
    store.add(SERVICE, [ACCEPTED])
    store.add(SERVICE, [_item(outcomeTimestamp="2026-03-02T09:01:00Z")])
    store.add(SERVICE, [_item(outcomeTimestamp="2026-03-02T09:30:00Z")])

    rows = store.items(SERVICE)
    assert {row["card_uuid"] for row in rows} == {CARD}
    assert [(row["outcome"], row["outcome_timestamp"]) for row in rows] == [
        ("accepted", "2026-03-02T09:01:00Z"),
        ("overridden", "2026-03-02T09:01:00Z"),
        ("overridden", "2026-03-02T09:30:00Z"),
    ]


def test_the_same_item_sent_to_two_services_is_stored_for_each(store: SqlStore) -> None:
    store.add(SERVICE, [ACCEPTED])
    store.add("peritoneal-metastasis-patient-view", [ACCEPTED])
    assert store.count() == 2


def test_add_returns_the_number_of_new_items(store: SqlStore) -> None:
    assert store.add(SERVICE, [ACCEPTED]) == 1
    assert store.add(SERVICE, [ACCEPTED]) == 0
    assert store.add(SERVICE, [ACCEPTED, OVERRIDDEN_WITH_REASON, OVERRIDDEN_WITH_REASON]) == 1
    assert store.add(SERVICE, [_item(card="a"), _item(card="b")]) == 2
    assert store.count() == 4


def test_two_stores_on_one_database_share_items_and_dedupe(
    database_url: str, open_store: StoreFactory
) -> None:
    replica_a = open_store(database_url)
    replica_b = open_store(database_url)  # the table exists already: opening it again must not fail

    replica_a.add(SERVICE, [ACCEPTED])
    assert [row["outcome"] for row in replica_b.items(SERVICE)] == ["accepted"]

    replica_b.add(SERVICE, [ACCEPTED])  # a client retrying against the other replica
    replica_b.add(SERVICE, [OVERRIDDEN_WITH_REASON])
    assert [row["outcome"] for row in replica_a.items(SERVICE)] == ["accepted", "overridden"]


def test_a_retry_on_another_replica_counts_as_not_new(database_url: str, open_store: StoreFactory) -> None:
    replica_a = open_store(database_url)
    replica_b = open_store(database_url)
    assert replica_a.add(SERVICE, [ACCEPTED]) == 1
    assert replica_b.add(SERVICE, [ACCEPTED]) == 0
    assert replica_b.add(SERVICE, [OVERRIDDEN_WITH_REASON]) == 1


def test_items_outlive_the_store_that_wrote_them(database_url: str, open_store: StoreFactory) -> None:
    first = open_store(database_url)
    first.add(SERVICE, [ACCEPTED])
    first.dispose()

    assert [row["card_uuid"] for row in open_store(database_url).items(SERVICE)] == [CARD]


def test_ping_answers_when_the_database_is_reachable(store: SqlStore) -> None:
    store.ping()  # raises if the database cannot be reached
    store.dispose()
    store.ping()  # and reconnects after its pool was emptied


# --- SQLite only ------------------------------------------------------------------------------------------------


SQLITE_ONLY = """
import sys
from datetime import UTC, datetime
from cds_service.protocol.models import FeedbackItem
from cds_service.sql_store import SqlStore
from cds_service.store import ShownCard
now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
store = SqlStore(sys.argv[1], clock=lambda: now)
store.record_cards("s", [ShownCard("c1", "RULE", "warning")])
item = {"card": "c1", "outcome": "overridden", "outcomeTimestamp": "2026-03-02T09:05:00Z"}
print(store.add("s", [FeedbackItem.model_validate(item)]), store.claim_jti("iss", "j", now))
print("sqlalchemy.dialects.postgresql" in sys.modules)
"""


def test_an_sqlite_store_writes_without_loading_the_postgresql_dialect(tmp_path: Path) -> None:
    """PostgreSQL's dialect and its drivers' modules are 2.3 MB per worker that an SQLite deployment never uses."""
    printed = run_python(SQLITE_ONLY, f"sqlite:///{tmp_path / 'cds.sqlite3'}", env=os.environ)
    assert printed.split() == ["1", "True", "False"]


def test_sqlite_store_makes_the_folder_of_its_file(tmp_path: Path, open_store: StoreFactory) -> None:
    path = tmp_path / "var" / "nested" / "feedback.sqlite3"
    store = open_store(f"sqlite:///{path}")
    store.add(SERVICE, [ACCEPTED])
    assert path.is_file()


# --- PostgreSQL only --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_urls_use_the_psycopg3_driver(scheme: str) -> None:
    engine = engine_for(f"{scheme}://user@db.example.org:5432/cds")
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")


@pytest.mark.postgres
def test_a_postgres_scheme_url_is_accepted(postgres_url: URL, open_store: StoreFactory) -> None:
    store = open_store(libpq(postgres_url.set(drivername="postgres")))
    store.ping()
    store.add(SERVICE, [ACCEPTED])
    store.add(SERVICE, [ACCEPTED])
    assert [row["card_uuid"] for row in store.items(SERVICE)] == [CARD]


@pytest.mark.postgres
def test_postgres_received_at_is_timezone_aware(postgres_url: URL, open_store: StoreFactory) -> None:
    store = open_store(libpq(postgres_url))
    store.add(SERVICE, [ACCEPTED])
    received = store.items(SERVICE)[0]["received_at"]
    assert received.tzinfo is not None
    assert received - RECEIVED_AT == timedelta(0)


@pytest.mark.postgres
def test_replicas_starting_together_on_an_empty_postgres_database_all_start(
    postgres_base: URL, open_store: StoreFactory
) -> None:
    replicas = 4
    failures: list[str] = []
    for _attempt in range(3):  # a race: a few fresh databases so that a lucky interleaving cannot hide it
        with own_schema(postgres_base, "cds_test") as fresh:
            url = libpq(fresh)
            barrier = threading.Barrier(replicas)

            def start(url: str = url, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                try:
                    open_store(url)
                except Exception as exc:  # any failure to start is what the test records
                    failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")

            threads = [threading.Thread(target=start) for _ in range(replicas)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert failures == []


# --- cards shown (the feedback report) ---------------------------------------------------------------------------


def test_cards_shown_join_feedback_by_rule_id(store: SqlStore) -> None:
    store.record_cards(
        SERVICE,
        [
            ShownCard(CARD, "BEV-SURG-BEFORE", "critical"),
            ShownCard(OVERRIDDEN_WITH_REASON.card, "BEV-SURG-BEFORE", "critical"),
            ShownCard("c0ffee00-0000-4000-8000-000000000003", "DOSE-BEV", "warning"),
        ],
    )
    store.record_cards(SERVICE, [ShownCard(CARD, "BEV-SURG-BEFORE", "critical")])  # recorded once
    store.add(SERVICE, [ACCEPTED, OVERRIDDEN_WITH_REASON, _item(card="b0b00000-0000-4000-8000-000000000009")])

    rows = store.feedback_by_rule()

    assert [(r["rule_id"], r["shown"], len(r["feedback"])) for r in rows] == [
        ("BEV-SURG-BEFORE", 2, 2),
        ("DOSE-BEV", 1, 0),
        (None, 0, 1),
    ]
    overridden = rows[0]["feedback"][1]
    assert overridden["outcome"] == "overridden"
    assert json.loads(overridden["override_reason"])["reason"]["code"] == "d7ecf885"
    assert store.rules_of_cards([CARD, "unknown"]) == {CARD: "BEV-SURG-BEFORE"}


# --- the app's store, opened off the start-up path --------------------------------------------------------------


def test_the_deferred_store_is_the_sql_store_once_open(database_url: str) -> None:
    store = DeferredSqlStore(database_url, clock=lambda: RECEIVED_AT)
    assert store.add(SERVICE, [ACCEPTED]) == 1  # opens it
    assert store.add(SERVICE, [ACCEPTED]) == 0
    store.record_cards(SERVICE, [ShownCard(CARD, "BEV-SURG-BEFORE", "critical")])
    assert store.rules_of_cards([CARD]) == {CARD: "BEV-SURG-BEFORE"}
    assert store.claim_jti("https://ehr.example.org", "jti-1", RECEIVED_AT + timedelta(hours=1))
    assert not store.claim_jti("https://ehr.example.org", "jti-1", RECEIVED_AT + timedelta(hours=1))
    store.ping()

    reopened = SqlStore(database_url, clock=lambda: RECEIVED_AT)  # the same tables: what it wrote is there
    try:
        assert [row["card_uuid"] for row in reopened.items(SERVICE)] == [CARD]
        assert [(r["rule_id"], r["shown"]) for r in reopened.feedback_by_rule()] == [("BEV-SURG-BEFORE", 1)]
    finally:
        reopened.dispose()


def test_a_database_that_cannot_be_opened_is_logged_once_and_every_use_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = DeferredSqlStore("nosuchdb://db.example.org/cds", clock=lambda: RECEIVED_AT)
    with pytest.raises(Exception, match="nosuchdb"):  # SQLAlchemy's reason: no such dialect
        store.ping()
    with pytest.raises(Exception, match="nosuchdb"):
        store.add(SERVICE, [ACCEPTED])

    [record] = [r for r in caplog.records if "CDS_DATABASE_URL" in r.getMessage()]
    assert record.levelname == "ERROR"
    assert "nosuchdb" in record.getMessage()


def test_the_deferred_store_opens_once_the_database_can_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "var"
    blocker.write_text("a file where the database's folder should be")
    store = DeferredSqlStore(f"sqlite:///{blocker / 'cds.sqlite3'}", clock=lambda: RECEIVED_AT)
    with pytest.raises(OSError):
        store.ping()

    blocker.unlink()
    store.ping()
    assert store.add(SERVICE, [ACCEPTED]) == 1


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://cds:s3cret-pw@127.0.0.1:1/cds",
        "nosuchdb://cds:s3cret-pw@db.example.org/cds",
        "not a url:s3cret-pw@",
    ],
)
def test_a_database_that_cannot_be_opened_is_logged_without_the_urls_password(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = DeferredSqlStore(url, clock=lambda: RECEIVED_AT)
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises; the log line is the point
        store.ping()
    [record] = [r for r in caplog.records if "CDS_DATABASE_URL" in r.getMessage()]
    assert "s3cret-pw" not in record.getMessage()
