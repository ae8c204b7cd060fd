"""Engines for the hub: URL rules, SQLite pragmas and transaction mode, and migrating to head.

SQLite: WAL (readers never block the writer), ``synchronous=NORMAL`` (durable against a crashed process;
a power cut may lose the last commits but never corrupts, and every write the hub records is an
idempotent upsert, so a lost "transferred" only means one harmless re-send), a generous busy timeout,
and foreign keys on. Every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up
front, so two processes claiming at once queue on the busy timeout instead of failing with
"database is locked" when a deferred transaction tries to upgrade its read lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from ledgerbridge.hub.tables import VERSION_TABLE

#: execution option marking a read-only connection (SQLite then begins a deferred transaction)
READ_ONLY = "ledgerbridge_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> URL:
    """Parse a hub URL; plain ``postgresql://`` and ``postgres://`` mean psycopg 3, the driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ValueError(f"unsupported hub database {parsed.get_backend_name()!r}: use sqlite or postgresql")
    return parsed


def display_url(url: URL) -> str:
    """The URL with its password masked, for logs and the console."""
    return url.render_as_string(hide_password=True)


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or str(url.database).startswith("file::memory:")


def create_hub_engine(url: str | URL) -> Engine:
    """An engine configured for the hub's transaction discipline on either database."""
    parsed = normalize_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    }
    if _is_memory(parsed):
        # one shared connection, or every checkout would see its own empty database
        kwargs["poolclass"] = StaticPool
    else:
        Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    _install_sqlite_hooks(engine)
    return engine


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # the driver's own implicit BEGIN is off; the "begin" hook below emits ours
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL advisory locks."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def advisory_xact_lock(connection: Connection, name: str) -> None:
    """Serialise PostgreSQL transactions on ``name`` until commit (SQLite's BEGIN IMMEDIATE already does)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(files("ledgerbridge.hub") / "migrations"))
    config.set_main_option("version_table", VERSION_TABLE)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the hub schema to ``revision`` in one transaction (concurrent openers queue on a lock)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection for reads (SQLite: deferred transaction, so it never waits for the write lock)."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{READ_ONLY: True})
        with connection.begin():
            yield connection
