"""Alembic environment for the hub: runs on the connection handed over by ``database.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ledgerbridge.hub.database import advisory_xact_lock, create_hub_engine
from ledgerbridge.hub.tables import VERSION_TABLE, metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        # two processes opening a fresh PostgreSQL hub at once must not both create the tables
        advisory_xact_lock(connection, "ledgerbridge-hub-migrate")
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # invoked from the alembic CLI by a maintainer: ``-x url=...`` names the database
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("pass the hub URL: alembic -x url=sqlite:///path/hub.db ...")
    engine = create_hub_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the hub migrations run online only (HubStore.open migrates on start)")
run_migrations_online()
