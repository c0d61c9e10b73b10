"""The store (`cds_service.store.Store`) in SQLAlchemy Core, over SQLite (the embedded default) or PostgreSQL
(`postgresql://…`, for several replicas). The app opens it through `cds_service.store.DeferredSqlStore`.
The cards the service returns are recorded too (card uuid, service, rule id, indicator: never patient data), so
that feedback, which names only the card uuid, can be reported per rule id.
Feedback items are stored idempotently: the key is a hash of the service id and the item's canonical JSON, so a
client that retries a POST stores each item once. A JWT id is claimed once per issuer across every worker and
replica sharing the database, and forgotten after its token expires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url

from cds_service.protocol.models import FeedbackItem
from cds_service.store import ShownCard

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

SCHEMA_LOCK_KEY = 0x70632D6364730001  # any constant shared by every replica of this service
metadata = MetaData()
feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_key", String(64), nullable=False, unique=True),
    Column("service_id", String(200), nullable=False, index=True),
    Column("card_uuid", String(200), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),
    Column("outcome_timestamp", String(64), nullable=False),
    Column("accepted_suggestions", Text, nullable=True),
    Column("override_reason", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
cards_shown_table = Table(
    "cards_shown",
    metadata,
    Column("card_uuid", String(200), primary_key=True),
    Column("service_id", String(200), nullable=False),
    Column("rule_id", String(200), nullable=False, index=True),
    Column("indicator", String(20), nullable=False),
    Column("shown_at", DateTime(timezone=True), nullable=False),
)
seen_jti_table = Table(
    "seen_jti",
    metadata,
    Column("jti_key", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


PG_CONNECT_TIMEOUT_SECONDS = 2
"""How long a PostgreSQL connection may take (unless the URL sets connect_timeout): a database that does not answer
then costs a hook call this long at most, and the JWT replay check goes on with each worker's cache."""


def engine_for(url: str) -> Engine:
    """An engine for a `sqlite:///path` or `postgresql://…` URL (psycopg 3 driver); SQLite folders are made."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_SECONDS
    engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    """The embedded store is written on every hook call (cards shown) by several threads and workers: WAL lets
    readers run beside the writer and makes a commit an append (synchronous=NORMAL is durable in WAL mode except
    for the last commits before a power loss); a busy writer is waited for, not an error."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqlStore:
    def __init__(self, url: str, clock: Callable[[], datetime]) -> None:
        self._engine = engine_for(url)
        self._clock = clock
        with self._engine.begin() as connection:
            if self._engine.dialect.name == "postgresql":
                # Replicas starting together would race on CREATE TABLE; one creates, the others wait.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            metadata.create_all(connection)

    def _insert(self, table: Table) -> PgInsert | SqliteInsert:
        """An INSERT of the database in use (both dialects offer ON CONFLICT DO NOTHING). PostgreSQL's module is
        imported only here, with a PostgreSQL engine: with its drivers' modules it costs 2.3 MB per worker, which
        an SQLite deployment would carry for nothing (SQLite's is imported with this module, before the start-up
        freeze, as it is the default)."""
        if self._engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table)
        return sqlite_insert(table)

    def add(self, service_id: str, items: Sequence[FeedbackItem]) -> int:
        rows = [_row(service_id, item, self._clock()) for item in items]
        if not rows:
            return 0
        statement = (
            self._insert(feedback_table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["item_key"])
            .returning(feedback_table.c.id)  # rowcount of an INSERT is not kept on every driver
        )
        with self._engine.begin() as connection:
            return len(connection.execute(statement).fetchall())

    def items(self, service_id: str) -> list[dict[str, Any]]:
        query = (
            select(feedback_table)
            .where(feedback_table.c.service_id == service_id)
            .order_by(feedback_table.c.id)
        )
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def claim_jti(self, iss: str, jti: str, expires_at: datetime) -> bool:
        key = hashlib.sha256(orjson.dumps([iss, jti])).hexdigest()
        statement = (
            self._insert(seen_jti_table)
            .values(jti_key=key, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=["jti_key"])
            .returning(seen_jti_table.c.jti_key)
        )
        with self._engine.begin() as connection:
            connection.execute(delete(seen_jti_table).where(seen_jti_table.c.expires_at < self._clock()))
            return connection.execute(statement).first() is not None

    def count(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(feedback_table)).scalar_one())

    def ping(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(select(1))

    def record_cards(self, service_id: str, cards: Sequence[ShownCard]) -> None:
        if not cards:
            return
        now = self._clock()
        rows = [
            {
                "card_uuid": c.card_uuid,
                "service_id": service_id,
                "rule_id": c.rule_id,
                "indicator": c.indicator,
                "shown_at": now,
            }
            for c in cards
        ]
        statement = self._insert(cards_shown_table).on_conflict_do_nothing(index_elements=["card_uuid"])
        with self._engine.begin() as connection:
            connection.execute(statement, rows)  # executemany: one cached statement for any batch size

    def feedback_by_rule(self) -> list[dict[str, Any]]:
        shown = select(cards_shown_table.c.rule_id, func.count().label("shown")).group_by(
            cards_shown_table.c.rule_id
        )
        answered = (
            select(
                cards_shown_table.c.rule_id,
                feedback_table.c.card_uuid,
                feedback_table.c.outcome,
                feedback_table.c.override_reason,
            )
            .select_from(feedback_table)
            .outerjoin(cards_shown_table, cards_shown_table.c.card_uuid == feedback_table.c.card_uuid)
            .order_by(feedback_table.c.id)
        )
        by_rule: dict[str | None, dict[str, Any]] = {}
        with self._engine.connect() as connection:
            for r in connection.execute(shown):
                by_rule[r.rule_id] = {"rule_id": r.rule_id, "shown": int(r.shown), "feedback": []}
            for r in connection.execute(answered):
                row = by_rule.setdefault(r.rule_id, {"rule_id": r.rule_id, "shown": 0, "feedback": []})
                row["feedback"].append(
                    {"card_uuid": r.card_uuid, "outcome": r.outcome, "override_reason": r.override_reason}
                )
        return sorted(by_rule.values(), key=lambda row: (row["rule_id"] is None, row["rule_id"] or ""))

    def rules_of_cards(self, card_uuids: Sequence[str]) -> dict[str, str]:
        if not card_uuids:
            return {}
        query = select(cards_shown_table.c.card_uuid, cards_shown_table.c.rule_id).where(
            cards_shown_table.c.card_uuid.in_(list(card_uuids))
        )
        with self._engine.connect() as connection:
            return {r.card_uuid: r.rule_id for r in connection.execute(query)}

    def dispose(self) -> None:
        self._engine.dispose()


def _row(service_id: str, item: FeedbackItem, received_at: datetime) -> dict[str, Any]:
    body = item.model_dump(mode="json", exclude_none=True)
    key = hashlib.sha256(orjson.dumps([service_id, body], option=orjson.OPT_SORT_KEYS)).hexdigest()
    accepted = body.get("acceptedSuggestions")
    reason = body.get("overrideReason")
    return {
        "item_key": key,
        "service_id": service_id,
        "card_uuid": item.card,
        "outcome": item.outcome,
        "outcome_timestamp": item.outcomeTimestamp,
        "accepted_suggestions": orjson.dumps(accepted).decode() if accepted else None,
        "override_reason": orjson.dumps(reason).decode() if reason else None,
        "received_at": received_at,
    }
