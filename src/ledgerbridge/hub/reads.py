"""Read queries behind the CLI and console, and record links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ledgerbridge.hub.rows import to_audit, to_link, to_record
from ledgerbridge.hub.states import State
from ledgerbridge.hub.tables import audit_event, record_link, sync_record
from ledgerbridge.hub.views import AuditEventView, LinkView, RecordView

_c = sync_record.c


def get(connection: Connection, record_id: int) -> RecordView | None:
    row = connection.execute(select(sync_record).where(_c.id == record_id)).first()
    return None if row is None else to_record(row)


def find(
    connection: Connection, flow: str, source_system: str, source_type: str, source_id: str
) -> RecordView | None:
    row = connection.execute(
        select(sync_record).where(
            _c.flow == flow,
            _c.source_system == source_system,
            _c.source_type == source_type,
            _c.source_id == source_id,
        )
    ).first()
    return None if row is None else to_record(row)


def find_by_external_id(connection: Connection, external_id: str) -> RecordView | None:
    # external ids are unique per target by construction; should two flows share one, the newest wins
    row = connection.execute(
        select(sync_record).where(_c.external_id == external_id).order_by(_c.id.desc()).limit(1)
    ).first()
    return None if row is None else to_record(row)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_records(
    connection: Connection,
    *,
    flow: str | None,
    state: State | None,
    text: str | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> list[RecordView]:
    """Newest-updated first; ``text`` matches source/external/target ids and error messages, any case."""
    statement = select(sync_record)
    if flow is not None:
        statement = statement.where(_c.flow == flow)
    if state is not None:
        statement = statement.where(_c.state == State(state).value)
    if since is not None:
        statement = statement.where(_c.updated_at >= since)
    if text:
        pattern = f"%{_escape_like(text.lower())}%"
        statement = statement.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (_c.source_id, _c.external_id, _c.target_id, _c.error_message)
                )
            )
        )
    statement = statement.order_by(_c.updated_at.desc(), _c.id.desc()).limit(limit).offset(offset)
    return [to_record(row) for row in connection.execute(statement)]


def stats(connection: Connection, *, flow: str | None) -> dict[str, dict[str, int]]:
    """flow → state → count, every state present (zeros included) for each flow that has records."""
    statement = select(_c.flow, _c.state, func.count()).group_by(_c.flow, _c.state)
    if flow is not None:
        statement = statement.where(_c.flow == flow)
    result: dict[str, dict[str, int]] = {}
    for row_flow, state, count in connection.execute(statement):
        counts = result.setdefault(row_flow, {s.value: 0 for s in State})
        counts[state] = int(count)
    return dict(sorted(result.items()))


def audit(connection: Connection, record_id: int) -> list[AuditEventView]:
    statement = select(audit_event).where(audit_event.c.record_id == record_id).order_by(audit_event.c.id)
    return [to_audit(row) for row in connection.execute(statement)]


def link(connection: Connection, parent_id: int, child_id: int, relation: str, *, now: datetime) -> None:
    """Record a parent/child link (idempotent)."""
    values = {"parent_id": parent_id, "child_id": child_id, "relation": relation, "created_at": now}
    keys = ["parent_id", "child_id", "relation"]
    if connection.dialect.name == "postgresql":
        connection.execute(
            postgresql.insert(record_link).values(values).on_conflict_do_nothing(index_elements=keys)
        )
    else:
        connection.execute(
            sqlite.insert(record_link).values(values).on_conflict_do_nothing(index_elements=keys)
        )


def links(connection: Connection, record_id: int) -> list[LinkView]:
    """Links where the record is parent or child."""
    statement = (
        select(record_link)
        .where(or_(record_link.c.parent_id == record_id, record_link.c.child_id == record_id))
        .order_by(record_link.c.id)
    )
    return [to_link(row) for row in connection.execute(statement)]
