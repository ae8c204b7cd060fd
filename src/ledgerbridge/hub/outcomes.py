"""Recording what the writer reported for a batch of claimed records, in one transaction.

The error's class alone decides the next state (DESIGN §4.4): Retriable → failed with an automatic retry
at ``retry_at`` (None once attempts are exhausted); ActionNeeded → action_needed, never auto-retried;
RecordRejected, Fatal and anything unexpected → failed, waiting for a human. Messages are redacted before
they are stored. Outcomes for records whose lease this owner lost are not stored (see LeaseLost).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledgerbridge.errors import ActionNeeded, LedgerbridgeError, Retriable, classify
from ledgerbridge.hub.exceptions import NotFound
from ledgerbridge.hub.states import Cause, State
from ledgerbridge.hub.tables import sync_record
from ledgerbridge.hub.transitions import Change, apply_changes
from ledgerbridge.hub.views import Outcome
from ledgerbridge.log import redact

#: longest error message kept in the row (the vendor's full text can be huge)
MAX_MESSAGE = 2000
_c = sync_record.c
_NO_ERROR = {"error_class": None, "error_message": None, "error_vendor_code": None}


def error_fields(error: BaseException) -> dict[str, Any]:
    """error_class / redacted error_message / error_vendor_code for one exception."""
    if isinstance(error, LedgerbridgeError):
        message = error.message if not error.hint else f"{error.message} — {error.hint}"
        vendor_code = error.vendor_code
    else:
        message = f"{type(error).__name__}: {error}"
        vendor_code = None
    message = redact(message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return {
        "error_class": classify(error),
        "error_message": message,
        "error_vendor_code": redact(vendor_code) if vendor_code else None,
    }


def _change_for(outcome: Outcome, row: dict[str, Any]) -> Change:
    record_id = outcome.record_id
    if outcome.error is not None:
        fields = error_fields(outcome.error)
        detail: dict[str, Any] = {"error_class": fields["error_class"], "message": fields["error_message"]}
        if fields["error_vendor_code"]:
            detail["vendor_code"] = fields["error_vendor_code"]
        values: dict[str, Any] = {**fields, "claimed_hash": None, "next_attempt_at": None}
        if outcome.target_id is not None:
            values["target_id"] = outcome.target_id
        if isinstance(outcome.error, ActionNeeded):
            return Change(record_id, State.IN_FLIGHT, State.ACTION_NEEDED, Cause.OUTCOME, values, detail)
        if isinstance(outcome.error, Retriable) and outcome.retry_at is not None:
            values["next_attempt_at"] = outcome.retry_at
            detail["retry_at"] = outcome.retry_at.isoformat()
        return Change(record_id, State.IN_FLIGHT, State.FAILED, Cause.OUTCOME, values, detail)
    if outcome.skipped_reason is not None:
        reason = redact(outcome.skipped_reason)
        values = {**_NO_ERROR, "claimed_hash": None, "next_attempt_at": None}
        return Change(record_id, State.IN_FLIGHT, State.SKIPPED, Cause.OUTCOME, values, reason=reason)
    target_id = outcome.target_id if outcome.target_id is not None else row["target_id"]
    values = {**_NO_ERROR, "target_id": target_id, "claimed_hash": None, "next_attempt_at": None}
    return Change(
        record_id, State.IN_FLIGHT, State.TRANSFERRED, Cause.OUTCOME, values, {"target_id": target_id}
    )


def record_outcomes(
    connection: Connection,
    owner: str,
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    run_id: int | None,
) -> list[int]:
    """Store the outcomes this owner still holds the lease for; return the ids whose lease was lost."""
    if not outcomes:
        return []
    ids = [outcome.record_id for outcome in outcomes]
    if len(set(ids)) != len(ids):
        raise ValueError("one outcome per record, please: the batch names a record twice")
    statement = (
        select(_c.id, _c.state, _c.lease_owner, _c.target_id, _c.payload_hash, _c.claimed_hash)
        .where(_c.id.in_(ids))
        .order_by(_c.id)  # every locker takes rows in id order: no deadlocks between batches
        .with_for_update()
    )
    rows = {int(row.id): dict(row._mapping) for row in connection.execute(statement)}
    missing = set(ids) - rows.keys()
    if missing:
        raise NotFound(f"no sync_record {sorted(missing)}")
    lost = [i for i in ids if rows[i]["state"] != State.IN_FLIGHT.value or rows[i]["lease_owner"] != owner]
    lost_ids = set(lost)
    changes = [_change_for(o, rows[o.record_id]) for o in outcomes if o.record_id not in lost_ids]
    apply_changes(connection, changes, at=now, run_id=run_id)
    # the source changed while this record was in flight: what landed is the old payload, send the new one
    stale = [
        Change(
            c.record_id,
            c.to_state,
            State.PENDING,
            Cause.SOURCE_CHANGED,
            detail={
                "sent_hash": rows[c.record_id]["claimed_hash"],
                "new_hash": rows[c.record_id]["payload_hash"],
            },
        )
        for c in changes
        if c.to_state in (State.TRANSFERRED, State.SKIPPED)
        and rows[c.record_id]["claimed_hash"] != rows[c.record_id]["payload_hash"]
    ]
    apply_changes(connection, stale, at=now, run_id=run_id)
    return lost
