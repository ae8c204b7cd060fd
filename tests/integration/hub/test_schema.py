"""The migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from ledgerbridge.hub import HubStore
from ledgerbridge.hub.database import alembic_config
from ledgerbridge.hub.tables import VERSION_TABLE, metadata

from .helpers import FLOW, batch


def test_migrated_schema_matches_the_declared_tables(hub: HubStore) -> None:
    with hub.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        diffs = compare_metadata(context, metadata)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert head is not None and context.get_current_revision() == head
    assert diffs == []


def test_opening_again_is_a_no_op_and_keeps_rows(hub: HubStore, hub_url: str) -> None:
    hub.stage(FLOW, batch(3))
    again = HubStore.open(hub_url)
    try:
        assert again.stats()[FLOW]["pending"] == 3
        tables = set(inspect(again.engine).get_table_names())
        assert {"sync_record", "record_link", "checkpoint", "run", "audit_event", VERSION_TABLE} <= tables
    finally:
        again.close()


def test_audit_events_are_append_only(hub: HubStore) -> None:
    hub.stage(FLOW, batch(1))
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), hub.engine.begin() as connection:
            connection.execute(text(statement))
    assert len(hub.audit(1)) == 1


def test_a_lease_outside_in_flight_is_refused_by_the_database(hub: HubStore) -> None:
    hub.stage(FLOW, batch(1))
    with pytest.raises(DBAPIError), hub.engine.begin() as connection:
        connection.execute(text("UPDATE sync_record SET lease_owner = 'x', lease_until = updated_at"))


def test_sqlite_runs_in_wal_with_foreign_keys_and_creates_its_folder(tmp_path: Path) -> None:
    store = HubStore.open(f"sqlite:///{tmp_path / 'deep' / 'er' / 'hub.db'}")
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
        assert (tmp_path / "deep" / "er" / "hub.db").exists()
    finally:
        store.close()


def test_in_memory_sqlite_works_for_throwaway_hubs() -> None:
    with HubStore.open("sqlite://") as store:
        store.stage(FLOW, batch(2))
        assert store.stats()[FLOW]["pending"] == 2


def test_display_url_masks_the_password() -> None:
    from ledgerbridge.hub.database import display_url, normalize_url

    url = normalize_url("postgresql://hub:s3cr3t-pass@db.internal:5432/ledger")
    assert url.drivername == "postgresql+psycopg"
    assert "s3cr3t-pass" not in display_url(url)
    assert display_url(url) == "postgresql+psycopg://hub:***@db.internal:5432/ledger"


def test_unsupported_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported hub database"):
        HubStore.open("mysql://root@localhost/hub")
