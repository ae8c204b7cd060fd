"""Row → view conversions shared by the store's reads and writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ledgerbridge.hub.payloads import int_counts, load_object
from ledgerbridge.hub.states import State
from ledgerbridge.hub.views import AuditEventView, ClaimedRecord, LinkView, RecordView, RunView


def to_claimed(row: Row[Any]) -> ClaimedRecord:
    m = row._mapping
    return ClaimedRecord(
        id=int(m["id"]),
        flow=m["flow"],
        source_system=m["source_system"],
        source_type=m["source_type"],
        source_id=m["source_id"],
        external_id=m["external_id"],
        target_system=m["target_system"],
        target_type=m["target_type"],
        target_id=m["target_id"],
        payload=load_object(m["payload"]),
        payload_hash=m["payload_hash"],
        attempts=int(m["attempts"]),
        mapping_version=m["mapping_version"],
        lease_owner=m["lease_owner"],
        lease_until=m["lease_until"],
    )


def to_record(row: Row[Any]) -> RecordView:
    m = row._mapping
    return RecordView(
        id=int(m["id"]),
        flow=m["flow"],
        source_system=m["source_system"],
        source_type=m["source_type"],
        source_id=m["source_id"],
        external_id=m["external_id"],
        target_system=m["target_system"],
        target_type=m["target_type"],
        target_id=m["target_id"],
        state=State(m["state"]),
        attempts=int(m["attempts"]),
        next_attempt_at=m["next_attempt_at"],
        lease_owner=m["lease_owner"],
        lease_until=m["lease_until"],
        error_class=m["error_class"],
        error_message=m["error_message"],
        error_vendor_code=m["error_vendor_code"],
        mapping_version=m["mapping_version"],
        payload=load_object(m["payload"]),
        payload_hash=m["payload_hash"],
        source_version=m["source_version"],
        source_modified_at=m["source_modified_at"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        last_run_id=None if m["last_run_id"] is None else int(m["last_run_id"]),
    )


def to_audit(row: Row[Any]) -> AuditEventView:
    m = row._mapping
    return AuditEventView(
        id=int(m["id"]),
        at=m["at"],
        actor=m["actor"],
        action=m["action"],
        record_id=None if m["record_id"] is None else int(m["record_id"]),
        run_id=None if m["run_id"] is None else int(m["run_id"]),
        from_state=None if m["from_state"] is None else State(m["from_state"]),
        to_state=None if m["to_state"] is None else State(m["to_state"]),
        reason=m["reason"],
        detail=m["detail"] or {},
    )


def to_run(row: Row[Any]) -> RunView:
    m = row._mapping
    return RunView(
        id=int(m["id"]),
        flow=m["flow"],
        trigger=m["trigger"],
        run_key=m["run_key"],
        status=m["status"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        counters=int_counts(m["counters"] or {}),
        requests=int_counts(m["requests"] or {}),
        throttled=int_counts(m["throttled"] or {}),
        error=m["error"],
    )


def to_link(row: Row[Any]) -> LinkView:
    m = row._mapping
    return LinkView(
        parent_id=int(m["parent_id"]),
        child_id=int(m["child_id"]),
        relation=m["relation"],
        created_at=m["created_at"],
    )
