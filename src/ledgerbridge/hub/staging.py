"""Staging: source records into sync_record rows, and the checkpoint that produced them, atomically.

A record is new (insert as pending), changed (its payload hash differs: store the new payload and, if it
was already transferred or skipped, send it back to pending) or unchanged (not touched at all, so
re-reading a lookback window costs nothing but the read). The checkpoint is written last in the same
transaction: it can never describe rows that did not commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ledgerbridge.hub.payloads import canonical_json, payload_hash
from ledgerbridge.hub.states import Cause, State
from ledgerbridge.hub.tables import checkpoint, sync_record
from ledgerbridge.hub.transitions import Change, apply_changes, write_audit
from ledgerbridge.hub.views import StagedRecord, StageResult

#: source ids per lookup query (bound parameters stay far below every driver's limit)
LOOKUP_CHUNK = 500
#: states that a new payload sends back to pending; other states keep their place, with the new payload
REOPEN_ON_CHANGE = frozenset({State.TRANSFERRED, State.SKIPPED})


@dataclass(frozen=True, slots=True)
class _Prepared:
    record: StagedRecord
    text: str
    digest: str


def prepare(records: Sequence[StagedRecord]) -> list[_Prepared]:
    """Canonicalise and hash payloads (before any transaction opens, so a bad payload costs no lock)."""
    prepared = []
    for record in records:
        text = canonical_json(record.payload)
        prepared.append(_Prepared(record, text, payload_hash(text)))
    return prepared


def stage_rows(
    connection: Connection,
    flow: str,
    prepared: Sequence[_Prepared],
    *,
    now: datetime,
    run_id: int | None,
) -> StageResult:
    """Insert, update or leave each record; returns counts and ids in input order."""
    # the last occurrence of a key in one call wins: it is the newest version read
    latest: dict[tuple[str, str, str], _Prepared] = {}
    for item in prepared:
        latest.pop(item.record.key, None)
        latest[item.record.key] = item
    existing = _existing(connection, flow, list(latest))
    new_items = [item for key, item in latest.items() if key not in existing]
    changed: list[tuple[_Prepared, dict[str, Any]]] = []
    unchanged = 0
    for key, item in latest.items():
        row = existing.get(key)
        if row is None:
            continue
        if row["payload_hash"] == item.digest:
            unchanged += 1
        else:
            changed.append((item, row))
    ids = {key: int(row["id"]) for key, row in existing.items()}
    ids.update(_insert_new(connection, flow, new_items, now=now, run_id=run_id))
    _update_changed(connection, changed, now=now, run_id=run_id)
    return StageResult(
        new=len(new_items),
        changed=len(changed),
        unchanged=unchanged,
        ids=tuple(ids[item.record.key] for item in prepared),
    )


def _existing(
    connection: Connection, flow: str, keys: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    columns = sync_record.c
    # group by (system, type) so each query is "equal, equal, equal, IN": a plain range on the unique index
    # (a row-value IN over all four columns makes PostgreSQL scan, and slows as the table grows)
    groups: dict[tuple[str, str], list[str]] = {}
    for system, type_, source_id in keys:
        groups.setdefault((system, type_), []).append(source_id)
    for (system, type_), source_ids in groups.items():
        for start in range(0, len(source_ids), LOOKUP_CHUNK):
            statement = (
                select(columns.id, columns.source_id, columns.state, columns.payload_hash)
                .where(
                    columns.flow == flow,
                    columns.source_system == system,
                    columns.source_type == type_,
                    columns.source_id.in_(source_ids[start : start + LOOKUP_CHUNK]),
                )
                .order_by(columns.id)
            )
            if connection.dialect.name == "postgresql":
                # lock the rows we may update so a concurrent claim cannot interleave with the change
                statement = statement.with_for_update()
            for row in connection.execute(statement):
                found[(system, type_, row.source_id)] = dict(row._mapping)
    return found


def _insert_new(
    connection: Connection, flow: str, items: Sequence[_Prepared], *, now: datetime, run_id: int | None
) -> dict[tuple[str, str, str], int]:
    if not items:
        return {}
    rows = [
        {
            "flow": flow,
            "source_system": item.record.source_system,
            "source_type": item.record.source_type,
            "source_id": item.record.source_id,
            "external_id": item.record.external_id,
            "target_system": item.record.target_system,
            "target_type": item.record.target_type,
            "state": State.PENDING.value,
            "attempts": 0,
            "mapping_version": item.record.mapping_version,
            "payload": item.text,
            "payload_hash": item.digest,
            "source_version": item.record.source_version,
            "source_modified_at": item.record.source_modified_at,
            "created_at": now,
            "updated_at": now,
            "last_run_id": run_id,
        }
        for item in items
    ]
    result = connection.execute(
        insert(sync_record).returning(sync_record.c.id, sort_by_parameter_order=True), rows
    )
    new_ids = [int(row[0]) for row in result]
    write_audit(
        connection,
        (
            {"record_id": record_id, "action": "staged", "to_state": State.PENDING.value}
            for record_id in new_ids
        ),
        at=now,
        actor="engine",
        run_id=run_id,
    )
    return {item.record.key: record_id for item, record_id in zip(items, new_ids, strict=True)}


def _update_changed(
    connection: Connection,
    changed: Sequence[tuple[_Prepared, dict[str, Any]]],
    *,
    now: datetime,
    run_id: int | None,
) -> None:
    if not changed:
        return
    payload_rows = []
    reopened: list[Change] = []
    in_place: list[dict[str, Any]] = []
    for item, row in changed:
        detail = {"old_hash": row["payload_hash"], "new_hash": item.digest}
        payload_rows.append(
            {
                "k_id": row["id"],
                "external_id": item.record.external_id,
                "target_system": item.record.target_system,
                "target_type": item.record.target_type,
                "mapping_version": item.record.mapping_version,
                "payload": item.text,
                "payload_hash": item.digest,
                "source_version": item.record.source_version,
                "source_modified_at": item.record.source_modified_at,
                "updated_at": now,
            }
        )
        state = State(row["state"])
        if state in REOPEN_ON_CHANGE:
            reopened.append(Change(int(row["id"]), state, State.PENDING, Cause.SOURCE_CHANGED, detail=detail))
        else:
            # pending/failed/action_needed pick up the new payload on their next send; in_flight compares
            # claimed_hash when its outcome arrives. Not a state change, but worth a line in the trail.
            in_place.append(
                {
                    "record_id": int(row["id"]),
                    "action": "payload_changed",
                    "from_state": state.value,
                    "to_state": state.value,
                    "detail": detail,
                }
            )
    statement = (
        update(sync_record)
        .where(sync_record.c.id == bindparam("k_id"))
        .values({key: bindparam(f"v_{key}") for key in payload_rows[0] if key != "k_id"})
    )
    connection.execute(
        statement, [{(k if k == "k_id" else f"v_{k}"): v for k, v in row.items()} for row in payload_rows]
    )
    apply_changes(connection, reopened, at=now, run_id=run_id)
    write_audit(connection, in_place, at=now, actor="engine", run_id=run_id)


def write_checkpoint(connection: Connection, flow: str, stream: str, value: str, *, now: datetime) -> None:
    """Upsert one (flow, stream) checkpoint."""
    values = {"flow": flow, "stream": stream, "value": value, "updated_at": now}
    keys = [checkpoint.c.flow, checkpoint.c.stream]
    if connection.dialect.name == "postgresql":
        pg = postgresql.insert(checkpoint).values(values)
        connection.execute(
            pg.on_conflict_do_update(
                index_elements=keys, set_={"value": pg.excluded.value, "updated_at": pg.excluded.updated_at}
            )
        )
    else:
        lite = sqlite.insert(checkpoint).values(values)
        connection.execute(
            lite.on_conflict_do_update(
                index_elements=keys,
                set_={"value": lite.excluded.value, "updated_at": lite.excluded.updated_at},
            )
        )


def read_checkpoint(connection: Connection, flow: str, stream: str) -> str | None:
    value = connection.execute(
        select(checkpoint.c.value).where(checkpoint.c.flow == flow, checkpoint.c.stream == stream)
    ).scalar_one_or_none()
    return None if value is None else str(value)
