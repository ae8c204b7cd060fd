"""Hub database fixtures: ``hub_url`` runs a test on SQLite (a temp file) and on PostgreSQL.

Each PostgreSQL test gets its own schema (``search_path`` set through the URL), dropped afterwards, so
tests never see each other's rows. PostgreSQL comes from ``LEDGERBRIDGE_TEST_POSTGRES_URL`` (default:
the local trust-auth server). When it is unreachable the postgres half is skipped — unless
``LEDGERBRIDGE_REQUIRE_POSTGRES=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledgerbridge.hub import HubStore

POSTGRES_URL_ENV = "LEDGERBRIDGE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "LEDGERBRIDGE_REQUIRE_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1/test"


def postgres_base_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)


@functools.cache
def _postgres_problem(url: str) -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> str:
    """The base PostgreSQL URL, or skip (fail when LEDGERBRIDGE_REQUIRE_POSTGRES=1) if unreachable."""
    url = postgres_base_url()
    problem = _postgres_problem(url)
    if problem is not None:
        shown = make_url(url).render_as_string(hide_password=True)
        message = f"PostgreSQL at {shown} is unreachable ({problem})"
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"{message} and {REQUIRE_POSTGRES_ENV}=1", pytrace=False)
        pytest.skip(message)
    return url


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A fresh, empty schema; yields a hub URL whose search_path points at it; drops it afterwards."""
    schema = f"lbtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'hub' / 'hub.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty hub database: a temp SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with postgres_schema(require_postgres()) as url:
        yield url


class FakeClock:
    """A clock that only moves when told to (leases, retries and stale runs without sleeping)."""

    def __init__(self, start: datetime = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> datetime:
        self.current += timedelta(seconds=seconds)
        return self.current


@pytest.fixture
def hub_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(hub_url: str, hub_clock: FakeClock) -> Iterator[HubStore]:
    """A migrated HubStore on ``hub_url`` driven by ``hub_clock``, closed after the test."""
    store = HubStore.open(hub_url, clock=hub_clock)
    try:
        yield store
    finally:
        store.close()
