"""The PostgreSQL server the tests may use: reached through CDS_TEST_POSTGRES_URL, skipped when down (failed
instead under CDS_REQUIRE_POSTGRES=1, as CI sets), and a schema of its own per test or module."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def libpq(url: URL) -> str:
    """A URL as libpq (psycopg) and the service's CDS_DATABASE_URL take it."""
    return url.render_as_string(hide_password=False)


def reachable_postgres() -> URL:
    """The environment's PostgreSQL URL (`postgresql://` form), or a skip (a failure under CI) when it is down."""
    base = make_url(os.environ.get("CDS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)).set(
        drivername="postgresql"
    )
    try:
        with psycopg.connect(libpq(base), connect_timeout=3) as connection:
            connection.execute("select 1")
    except psycopg.Error as exc:
        reason = f"PostgreSQL not reachable at {base.render_as_string(hide_password=True)}: {exc}".strip()
        if os.environ.get("CDS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CDS_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
        pytest.skip(f"{reason} (set CDS_TEST_POSTGRES_URL, or CDS_REQUIRE_POSTGRES=1 to fail instead)")
    return base


@contextmanager
def own_schema(base: URL, prefix: str) -> Iterator[URL]:
    """A fresh schema, dropped afterwards; the URL puts it first on the search path."""
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(libpq(base), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with psycopg.connect(libpq(base), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
