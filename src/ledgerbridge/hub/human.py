"""Operations a person performs from the CLI or console: retry and resolve, always with an audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from ledgerbridge.hub.exceptions import NotFound
from ledgerbridge.hub.states import RETRYABLE, Cause, IllegalTransition, State
from ledgerbridge.hub.tables import sync_record
from ledgerbridge.hub.transitions import Change, apply_changes

_c = sync_record.c


def _states(connection: Connection, record_ids: Sequence[int]) -> dict[int, State]:
    statement = select(_c.id, _c.state).where(_c.id.in_(list(record_ids))).order_by(_c.id).with_for_update()
    found = {int(row.id): State(row.state) for row in connection.execute(statement)}
    missing = set(record_ids) - found.keys()
    if missing:
        raise NotFound(f"no sync_record {', '.join(str(i) for i in sorted(missing))}")
    return found


def _retry_changes(states: dict[int, State], reason: str | None) -> list[Change]:
    # a fresh attempt budget: the human fixed (or accepts) the cause, automatic retries start over
    values = {"attempts": 0, "next_attempt_at": None}
    return [
        Change(record_id, state, State.PENDING, Cause.MANUAL_RETRY, values=values, reason=reason)
        for record_id, state in sorted(states.items())
    ]


def retry(
    connection: Connection, record_ids: Sequence[int], *, actor: str, reason: str | None, now: datetime
) -> int:
    """failed | action_needed → pending for the named records; any other state raises IllegalTransition."""
    if not record_ids:
        return 0
    changes = _retry_changes(_states(connection, sorted(set(record_ids))), reason)
    apply_changes(connection, changes, at=now, actor=actor)
    return len(changes)


def retry_matching(
    connection: Connection, *, state: State, flow: str | None, actor: str, reason: str | None, now: datetime
) -> int:
    """Retry every record in ``state`` (failed or action_needed), optionally within one flow."""
    if state not in RETRYABLE:
        raise IllegalTransition(None, state, State.PENDING, Cause.MANUAL_RETRY)
    statement = select(_c.id, _c.state).where(_c.state == state.value).order_by(_c.id).with_for_update()
    if flow is not None:
        statement = statement.where(_c.flow == flow)
    states = {int(row.id): State(row.state) for row in connection.execute(statement)}
    changes = _retry_changes(states, reason)
    apply_changes(connection, changes, at=now, actor=actor)
    return len(changes)


def resolve(connection: Connection, record_id: int, *, actor: str, reason: str, now: datetime) -> None:
    """failed | action_needed → skipped: a human closes the record, saying why."""
    if not reason.strip():
        raise ValueError("resolving a record needs a reason (it goes into the audit trail)")
    state = _states(connection, [record_id])[record_id]
    change = Change(
        record_id, state, State.SKIPPED, Cause.RESOLVE, values={"next_attempt_at": None}, reason=reason
    )
    apply_changes(connection, [change], at=now, actor=actor)
