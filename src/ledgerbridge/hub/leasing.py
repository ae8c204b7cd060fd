"""Claims, leases, release and recovery of in-flight records.

A claim moves due pending rows to in_flight under a lease (owner + expiry) and counts the attempt.
Concurrent claimers never share a row: PostgreSQL skips rows another transaction has locked
(``FOR UPDATE SKIP LOCKED``); SQLite serialises writers with ``BEGIN IMMEDIATE`` (see ``database``).

An in-flight row whose lease expired belongs to nobody until recovery decides, from a lookup in the target
by external id, whether the write landed (→ transferred, linked) or not (→ pending, to be sent again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from ledgerbridge.hub.exceptions import NotFound
from ledgerbridge.hub.rows import to_claimed
from ledgerbridge.hub.states import Cause, State
from ledgerbridge.hub.tables import sync_record
from ledgerbridge.hub.transitions import Change, apply_changes
from ledgerbridge.hub.views import ClaimedRecord

_c = sync_record.c


def _pending_due(flow: str, now: datetime, target_type: str | None) -> ColumnElement[bool]:
    condition = and_(
        _c.flow == flow,
        _c.state == State.PENDING.value,
        or_(_c.next_attempt_at.is_(None), _c.next_attempt_at <= now),
    )
    return condition if target_type is None else and_(condition, _c.target_type == target_type)


def _retry_due(flow: str, now: datetime, target_type: str | None) -> ColumnElement[bool]:
    condition = and_(
        _c.flow == flow,
        _c.state == State.FAILED.value,
        _c.next_attempt_at.is_not(None),
        _c.next_attempt_at <= now,
    )
    return condition if target_type is None else and_(condition, _c.target_type == target_type)


def promote_due_retries(
    connection: Connection, flow: str, *, now: datetime, target_type: str | None, run_id: int | None
) -> int:
    """failed → pending for every automatic retry that has come due."""
    statement = select(_c.id).where(_retry_due(flow, now, target_type)).order_by(_c.id)
    ids = [int(i) for i in connection.execute(statement.with_for_update(skip_locked=True)).scalars()]
    changes = [
        Change(i, State.FAILED, State.PENDING, Cause.AUTO_RETRY, values={"next_attempt_at": None})
        for i in ids
    ]
    apply_changes(connection, changes, at=now, run_id=run_id)
    return len(ids)


def claim(
    connection: Connection,
    flow: str,
    *,
    owner: str,
    limit: int,
    lease_seconds: float,
    target_type: str | None,
    now: datetime,
    run_id: int | None,
) -> list[ClaimedRecord]:
    """Lease up to ``limit`` due records, oldest first."""
    if limit <= 0:
        return []
    promote_due_retries(connection, flow, now=now, target_type=target_type, run_id=run_id)
    statement = select(sync_record).where(_pending_due(flow, now, target_type)).order_by(_c.id).limit(limit)
    rows = connection.execute(statement.with_for_update(skip_locked=True)).all()
    if not rows:
        return []
    lease_until = now + timedelta(seconds=lease_seconds)
    claimed: list[ClaimedRecord] = []
    changes: list[Change] = []
    for row in rows:
        record = to_claimed(row)
        attempt = record.attempts + 1
        changes.append(
            Change(
                record.id,
                State.PENDING,
                State.IN_FLIGHT,
                Cause.CLAIM,
                values={
                    "lease_owner": owner,
                    "lease_until": lease_until,
                    "attempts": attempt,
                    "claimed_hash": record.payload_hash,
                    "next_attempt_at": None,
                },
                detail={"owner": owner, "attempt": attempt},
            )
        )
        claimed.append(replace(record, attempts=attempt, lease_owner=owner, lease_until=lease_until))
    apply_changes(connection, changes, at=now, run_id=run_id)
    return claimed


def preview_due(
    connection: Connection, flow: str, *, now: datetime, target_type: str | None, limit: int, offset: int
) -> list[ClaimedRecord]:
    """What a claim would hand out now (due pending rows and due automatic retries), without claiming."""
    condition = or_(_pending_due(flow, now, target_type), _retry_due(flow, now, target_type))
    statement = select(sync_record).where(condition).order_by(_c.id).limit(limit).offset(offset)
    return [to_claimed(row) for row in connection.execute(statement)]


def release(
    connection: Connection, record_ids: Sequence[int], *, owner: str, now: datetime, run_id: int | None
) -> int:
    """in_flight → pending for records this owner claimed but never sent; returns how many."""
    if not record_ids:
        return 0
    statement = (
        select(_c.id, _c.attempts)
        .where(_c.id.in_(list(record_ids)), _c.state == State.IN_FLIGHT.value, _c.lease_owner == owner)
        .order_by(_c.id)
        .with_for_update()
    )
    changes = [
        # the claim counted an attempt that never happened: give it back
        Change(
            int(row.id),
            State.IN_FLIGHT,
            State.PENDING,
            Cause.RELEASE,
            values={"attempts": max(int(row.attempts) - 1, 0), "claimed_hash": None},
            detail={"owner": owner},
        )
        for row in connection.execute(statement)
    ]
    apply_changes(connection, changes, at=now, run_id=run_id)
    return len(changes)


def expired_in_flight(connection: Connection, flow: str, *, now: datetime) -> list[ClaimedRecord]:
    """In-flight records whose lease has run out, oldest first."""
    statement = (
        select(sync_record)
        .where(_c.flow == flow, _c.state == State.IN_FLIGHT.value, _c.lease_until <= now)
        .order_by(_c.id)
    )
    return [to_claimed(row) for row in connection.execute(statement)]


def resolve_recovery(
    connection: Connection,
    record_id: int,
    target_id: str | None,
    *,
    expected_lease_owner: str | None,
    now: datetime,
    run_id: int | None,
) -> bool:
    """Settle one expired in-flight record from a target lookup; False if someone else got there first.

    Found (``target_id``) on a record that was never linked: the lost write landed → transferred and
    linked. Not found → pending. Found on a record that *was* linked before: the lookup cannot tell the
    earlier version from this one, so it goes back to pending and the (idempotent) upsert is sent again.
    """
    row = connection.execute(select(sync_record).where(_c.id == record_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"no sync_record {record_id}")
    m = row._mapping
    lease_until = m["lease_until"]
    if (
        m["state"] != State.IN_FLIGHT.value
        or m["lease_owner"] != expected_lease_owner
        or lease_until is None
        or lease_until > now
    ):
        return False
    detail: dict[str, object] = {"expired_owner": expected_lease_owner, "found_target_id": target_id}
    if target_id is not None and m["target_id"] is None:
        values = {
            "target_id": target_id,
            "claimed_hash": None,
            "error_class": None,
            "error_message": None,
            "error_vendor_code": None,
        }
        apply_changes(
            connection,
            [
                Change(
                    record_id,
                    State.IN_FLIGHT,
                    State.TRANSFERRED,
                    Cause.RECOVERY,
                    values=values,
                    detail=detail,
                )
            ],
            at=now,
            run_id=run_id,
        )
        if m["claimed_hash"] != m["payload_hash"]:
            apply_changes(
                connection,
                [Change(record_id, State.TRANSFERRED, State.PENDING, Cause.SOURCE_CHANGED, detail=detail)],
                at=now,
                run_id=run_id,
            )
        return True
    if target_id is not None:
        detail["note"] = "linked before; the lookup cannot prove this version landed, so it is sent again"
    apply_changes(
        connection,
        [
            Change(
                record_id,
                State.IN_FLIGHT,
                State.PENDING,
                Cause.RECOVERY,
                values={"claimed_hash": None},
                detail=detail,
            )
        ],
        at=now,
        run_id=run_id,
    )
    return True
