"""The hub's first schema: sync_record, record_link, checkpoint, run, audit_event.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledgerbridge.hub.columns import JSONText, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen copies of the types as of this revision (later revisions must not change what this one creates)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATES = "'pending', 'in_flight', 'transferred', 'failed', 'action_needed', 'skipped'"

_SQLITE_APPEND_ONLY = """
CREATE TRIGGER trg_audit_event_no_{op} BEFORE {OP} ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
"""
_PG_APPEND_ONLY_FN = """
CREATE OR REPLACE FUNCTION ledgerbridge_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_event is append-only'; END
$$ LANGUAGE plpgsql
"""
_PG_APPEND_ONLY_TRIGGER = """
CREATE TRIGGER trg_audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION ledgerbridge_audit_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "run",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("flow", sa.String(100), nullable=False),
        sa.Column("trigger", sa.String(50), nullable=False),
        sa.Column("run_key", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("counters", JSONText(), nullable=True),
        sa.Column("requests", JSONText(), nullable=True),
        sa.Column("throttled", JSONText(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_run"),
        sa.UniqueConstraint("run_key", name="uq_run_run_key"),
    )
    op.create_index("ix_run_flow_status", "run", ["flow", "status"])

    op.create_table(
        "sync_record",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("flow", sa.String(100), nullable=False),
        sa.Column("source_system", sa.String(50), nullable=False),
        sa.Column("source_type", sa.String(100), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("target_system", sa.String(50), nullable=False),
        sa.Column("target_type", sa.String(100), nullable=False),
        sa.Column("target_id", sa.String(255), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("error_class", sa.String(30), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_vendor_code", sa.String(100), nullable=True),
        sa.Column("mapping_version", sa.String(50), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("claimed_hash", sa.String(64), nullable=True),
        sa.Column("source_version", sa.String(100), nullable=True),
        sa.Column("source_modified_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_run_id", _ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sync_record"),
        sa.ForeignKeyConstraint(["last_run_id"], ["run.id"], name="fk_sync_record_last_run_id_run"),
        sa.UniqueConstraint(
            "flow",
            "source_system",
            "source_type",
            "source_id",
            name="uq_sync_record_flow_source_system_source_type_source_id",
        ),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_sync_record_state"),
        sa.CheckConstraint(
            "(state = 'in_flight' AND lease_owner IS NOT NULL AND lease_until IS NOT NULL)"
            " OR (state <> 'in_flight' AND lease_owner IS NULL AND lease_until IS NULL)",
            name="ck_sync_record_lease_only_in_flight",
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_sync_record_attempts"),
    )
    op.create_index("ix_sync_record_external_id", "sync_record", ["external_id"])
    op.create_index("ix_sync_record_flow_state_id", "sync_record", ["flow", "state", "id"])
    op.create_index("ix_sync_record_updated_at", "sync_record", ["updated_at"])

    op.create_table(
        "record_link",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("parent_id", _ID, nullable=False),
        sa.Column("child_id", _ID, nullable=False),
        sa.Column("relation", sa.String(50), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_link"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["sync_record.id"], name="fk_record_link_parent_id_sync_record"
        ),
        sa.ForeignKeyConstraint(["child_id"], ["sync_record.id"], name="fk_record_link_child_id_sync_record"),
        sa.UniqueConstraint(
            "parent_id", "child_id", "relation", name="uq_record_link_parent_id_child_id_relation"
        ),
    )
    op.create_index("ix_record_link_child_id", "record_link", ["child_id"])

    op.create_table(
        "checkpoint",
        sa.Column("flow", sa.String(100), nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("flow", "stream", name="pk_checkpoint"),
    )

    op.create_table(
        "audit_event",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("record_id", _ID, nullable=True),
        sa.Column("run_id", _ID, nullable=True),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", JSONText(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["sync_record.id"], name="fk_audit_event_record_id_sync_record"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name="fk_audit_event_run_id_run"),
    )
    op.create_index("ix_audit_event_record_id", "audit_event", ["record_id"])
    op.create_index("ix_audit_event_run_id", "audit_event", ["run_id"])

    # the audit trail is evidence: the database itself refuses to rewrite or delete it
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY_FN)
        op.execute(_PG_APPEND_ONLY_TRIGGER)
    else:
        for verb in ("update", "delete"):
            op.execute(_SQLITE_APPEND_ONLY.format(op=verb, OP=verb.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS ledgerbridge_audit_append_only()")
    for table in ("audit_event", "checkpoint", "record_link", "sync_record", "run"):
        op.drop_table(table)
