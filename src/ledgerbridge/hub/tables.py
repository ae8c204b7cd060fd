"""The hub's tables (SQLAlchemy Core). The Alembic migrations create exactly these; a test compares them.

One ``sync_record`` row per (flow, source system, source type, source id). ``state`` and the lease columns
are tied together by a CHECK constraint — a lease exists exactly while a record is in flight — so even a
bug outside the store cannot leave an orphaned lease. ``audit_event`` is append-only; the migration adds
triggers that refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ledgerbridge.hub.columns import JSONText, UTCDateTime
from ledgerbridge.hub.states import State

#: the Alembic version table; named so that it can't collide with an application's own ``alembic_version``
#: when the hub shares a PostgreSQL database
VERSION_TABLE = "ledgerbridge_alembic_version"

naming = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=naming)

# BIGINT on PostgreSQL, but INTEGER on SQLite, where only "INTEGER PRIMARY KEY" is the autoincrementing rowid
Id = BigInteger().with_variant(Integer(), "sqlite")

_STATES = ", ".join(f"'{state.value}'" for state in State)

run = Table(
    "run",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("flow", String(100), nullable=False),
    Column("trigger", String(50), nullable=False),
    Column("run_key", String(255), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    # the running process writes this every few seconds; a running run whose heartbeat is older than the
    # stale timeout belonged to a process that died (0002)
    Column("heartbeat_at", UTCDateTime(), nullable=True),
    Column("counters", JSONText(), nullable=True),
    Column("requests", JSONText(), nullable=True),
    Column("throttled", JSONText(), nullable=True),
    Column("error", Text(), nullable=True),
    Index(None, "flow", "status"),
)

sync_record = Table(
    "sync_record",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("flow", String(100), nullable=False),
    Column("source_system", String(50), nullable=False),
    Column("source_type", String(100), nullable=False),
    Column("source_id", String(255), nullable=False),
    Column("external_id", String(255), nullable=False, index=True),
    Column("target_system", String(50), nullable=False),
    Column("target_type", String(100), nullable=False),
    Column("target_id", String(255), nullable=True),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer(), nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("error_class", String(30), nullable=True),
    Column("error_message", Text(), nullable=True),
    Column("error_vendor_code", String(100), nullable=True),
    Column("mapping_version", String(50), nullable=True),
    Column("payload", Text(), nullable=False),
    Column("payload_hash", String(64), nullable=False),
    # the payload hash as it was when claimed: an outcome for an older payload must not mark a newer one done
    Column("claimed_hash", String(64), nullable=True),
    Column("source_version", String(100), nullable=True),
    Column("source_modified_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_run_id", Id, ForeignKey("run.id"), nullable=True),
    UniqueConstraint("flow", "source_system", "source_type", "source_id"),
    CheckConstraint(f"state IN ({_STATES})", name="state"),
    CheckConstraint(
        "(state = 'in_flight' AND lease_owner IS NOT NULL AND lease_until IS NOT NULL)"
        " OR (state <> 'in_flight' AND lease_owner IS NULL AND lease_until IS NULL)",
        name="lease_only_in_flight",
    ),
    CheckConstraint("attempts >= 0", name="attempts"),
    Index(None, "flow", "state", "id"),
    Index(None, "updated_at"),
)

record_link = Table(
    "record_link",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("parent_id", Id, ForeignKey("sync_record.id"), nullable=False),
    Column("child_id", Id, ForeignKey("sync_record.id"), nullable=False),
    Column("relation", String(50), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("parent_id", "child_id", "relation"),
    Index(None, "child_id"),
)

checkpoint = Table(
    "checkpoint",
    metadata,
    Column("flow", String(100), nullable=False),
    Column("stream", String(100), nullable=False),
    Column("value", Text(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("flow", "stream"),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("record_id", Id, ForeignKey("sync_record.id"), nullable=True),
    Column("run_id", Id, ForeignKey("run.id"), nullable=True),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=True),
    Column("reason", Text(), nullable=True),
    Column("detail", JSONText(), nullable=True),
    Index(None, "record_id"),
    Index(None, "run_id"),
)

#: every table the hub owns, parents first (tests drop them in reverse)
ALL_TABLES = (run, sync_record, record_link, checkpoint, audit_event)
