"""The only code that writes ``sync_record.state``: check every move, apply it, audit it.

Each change is applied with ``WHERE id = :id AND state = :from`` — a guard that turns a lost race into an
error instead of a silent overwrite — and leaves one audit event. Leaving ``in_flight`` always clears the
lease, so the lease/state CHECK constraint can never trip on a path someone forgot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from ledgerbridge.hub.exceptions import ConcurrentChange
from ledgerbridge.hub.states import Cause, State, check_transition
from ledgerbridge.hub.tables import audit_event, sync_record

ENGINE_ACTOR = "engine"


@dataclass(frozen=True, slots=True)
class Change:
    """One record moving from ``from_state`` to ``to_state`` for ``cause``, setting ``values`` too."""

    record_id: int
    from_state: State
    to_state: State
    cause: Cause
    values: Mapping[str, Any] = field(default_factory=dict)
    detail: Mapping[str, Any] | None = None
    reason: str | None = None


def apply_changes(
    connection: Connection,
    changes: Sequence[Change],
    *,
    at: datetime,
    actor: str = ENGINE_ACTOR,
    run_id: int | None = None,
) -> None:
    """Validate all changes first (nothing is written if one is illegal), then write them and their audit."""
    for change in changes:
        check_transition(change.from_state, change.to_state, change.cause, record_id=change.record_id)
    # one executemany per distinct set of columns keeps a 500-record batch to a handful of statements
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        values = dict(change.values)
        if change.from_state is State.IN_FLIGHT:
            values.setdefault("lease_owner", None)
            values.setdefault("lease_until", None)
        values["state"] = change.to_state.value
        values["updated_at"] = at
        if run_id is not None:
            values["last_run_id"] = run_id
        row = {f"v_{key}": value for key, value in values.items()}
        row["k_id"] = change.record_id
        row["k_from"] = change.from_state.value
        groups[tuple(sorted(values))].append(row)
    for columns, rows in groups.items():
        statement = (
            update(sync_record)
            .where(sync_record.c.id == bindparam("k_id"), sync_record.c.state == bindparam("k_from"))
            .values({column: bindparam(f"v_{column}") for column in columns})
        )
        result = connection.execute(statement, rows)
        if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
            raise ConcurrentChange(f"{len(rows) - result.rowcount} record(s) changed state concurrently")
    write_audit(
        connection,
        (
            {
                "record_id": change.record_id,
                "action": change.cause.value,
                "from_state": change.from_state.value,
                "to_state": change.to_state.value,
                "reason": change.reason,
                "detail": dict(change.detail) if change.detail is not None else None,
            }
            for change in changes
        ),
        at=at,
        actor=actor,
        run_id=run_id,
    )


def write_audit(
    connection: Connection,
    events: Iterable[Mapping[str, Any]],
    *,
    at: datetime,
    actor: str,
    run_id: int | None = None,
) -> None:
    """Append audit events (each a mapping of record_id/action/from_state/to_state/reason/detail)."""
    rows = [
        {
            "at": at,
            "actor": actor,
            "run_id": run_id,
            "record_id": event.get("record_id"),
            "action": event["action"],
            "from_state": event.get("from_state"),
            "to_state": event.get("to_state"),
            "reason": event.get("reason"),
            "detail": event.get("detail"),
        }
        for event in events
    ]
    if rows:
        connection.execute(insert(audit_event), rows)
