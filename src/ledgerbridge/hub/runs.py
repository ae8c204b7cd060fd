"""Run records: one row per flow run, with a unique run key so a duplicate trigger fire is a no-op.

``start_run`` also refuses while another run of the same flow is still ``running`` — unless that run's last
sign of life (its heartbeat, or its start if it never beat) is older than ``stale_after``: its process is then
presumed dead and the row is closed as ``abandoned``, so a crash blocks a flow for minutes, not forever. The
runner beats every :data:`HEARTBEAT_EVERY` while a run is alive.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from ledgerbridge.hub.database import advisory_xact_lock
from ledgerbridge.hub.exceptions import NotFound
from ledgerbridge.hub.rows import to_run
from ledgerbridge.hub.tables import run
from ledgerbridge.hub.views import RunView
from ledgerbridge.log import redact

RUNNING = "running"
ABANDONED = "abandoned"
#: how often a live run writes its heartbeat; the stale timeout must be several of these
HEARTBEAT_EVERY = timedelta(seconds=15)


def start_run(
    connection: Connection, flow: str, *, trigger: str, run_key: str, now: datetime, stale_after: timedelta
) -> int | None:
    """Insert a ``running`` run and return its id, or None (duplicate key, or the flow is already running)."""
    # on PostgreSQL, two processes must not both see "nothing running" and both start
    advisory_xact_lock(connection, f"ledgerbridge-run:{flow}")
    if connection.execute(select(run.c.id).where(run.c.run_key == run_key)).first() is not None:
        return None
    running = connection.execute(
        select(run.c.id, run.c.started_at, run.c.heartbeat_at).where(
            run.c.flow == flow, run.c.status == RUNNING
        )
    ).all()
    if any((row.heartbeat_at or row.started_at) > now - stale_after for row in running):
        return None
    for row in running:
        connection.execute(
            update(run)
            .where(run.c.id == row.id)
            .values(
                status=ABANDONED,
                finished_at=now,
                error=f"no heartbeat for {stale_after}; the process running it presumably died",
            )
        )
    result = connection.execute(
        insert(run)
        .values(flow=flow, trigger=trigger, run_key=run_key, status=RUNNING, started_at=now, heartbeat_at=now)
        .returning(run.c.id)
    )
    return int(result.scalar_one())


def heartbeat_run(connection: Connection, run_id: int, *, now: datetime) -> bool:
    """Record that ``run_id`` is alive; False when it is no longer running (closed, or abandoned as stale)."""
    result = connection.execute(
        update(run).where(run.c.id == run_id, run.c.status == RUNNING).values(heartbeat_at=now)
    )
    return bool(result.rowcount)


def finish_run(
    connection: Connection,
    run_id: int,
    *,
    status: str,
    counters: Mapping[str, int],
    requests: Mapping[str, int],
    throttled: Mapping[str, int],
    error: str | None,
    now: datetime,
) -> None:
    """Close a run with its final status and counters."""
    if not status or status == RUNNING:
        raise ValueError(f"a finished run needs a final status, not {status!r}")
    result = connection.execute(
        update(run)
        .where(run.c.id == run_id)
        .values(
            status=status,
            finished_at=now,
            counters={key: int(value) for key, value in counters.items()},
            requests={key: int(value) for key, value in requests.items()},
            throttled={key: int(value) for key, value in throttled.items()},
            error=None if error is None else redact(error),
        )
    )
    if result.rowcount == 0:
        raise NotFound(f"no run {run_id}")


def list_runs(connection: Connection, *, flow: str | None, limit: int) -> list[RunView]:
    statement = select(run).order_by(run.c.id.desc()).limit(limit)
    if flow is not None:
        statement = statement.where(run.c.flow == flow)
    return [to_run(row) for row in connection.execute(statement)]


def get_run(connection: Connection, run_id: int) -> RunView | None:
    row = connection.execute(select(run).where(run.c.id == run_id)).first()
    return None if row is None else to_run(row)
