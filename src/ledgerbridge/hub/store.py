"""HubStore: the Transaction Hub's public API over SQLite or PostgreSQL.

Each public method is one database transaction. Methods that take ``now`` use it for every timestamp
they write (tests drive a fake clock through it); without it, the store's clock is asked. Everything
returned is a frozen view, never a live ORM object.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from ledgerbridge.hub import human, leasing, reads, runs, staging, transitions
from ledgerbridge.hub import outcomes as outcome_rows
from ledgerbridge.hub.database import create_hub_engine, display_url, migrate, normalize_url, read_only
from ledgerbridge.hub.exceptions import LeaseLost, NotFound
from ledgerbridge.hub.states import State
from ledgerbridge.hub.views import (
    AuditEventView,
    ClaimedRecord,
    LinkView,
    Outcome,
    RecordView,
    RunView,
    StagedRecord,
    StageResult,
)

Clock = Callable[[], datetime]

#: a 'running' run whose heartbeat is older than this is presumed dead (its process crashed) and stops
#: blocking its flow; the runner beats every runs.HEARTBEAT_EVERY (15 s), so this is eight missed beats
DEFAULT_STALE_RUN = timedelta(minutes=2)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the hub only takes timezone-aware datetimes")
    return moment.astimezone(UTC)


class HubStore:
    """The Transaction Hub: staged records, their states and leases, checkpoints, runs and the audit trail."""

    def __init__(self, engine: Engine, url: URL, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._url = url
        self._clock: Clock = clock or utc_now

    @classmethod
    def open(cls, url: str, *, clock: Clock | None = None, migrate_schema: bool = True) -> HubStore:
        """Connect to ``url`` (``sqlite:///path`` or ``postgresql://...``) and migrate it to head."""
        parsed = normalize_url(url)
        engine = create_hub_engine(parsed)
        try:
            if migrate_schema:
                migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed, clock=clock)

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> HubStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def url_for_display(self) -> str:
        """The database URL with any password masked."""
        return display_url(self._url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> Engine:
        """The underlying engine (tests and benchmarks; flows go through the methods)."""
        return self._engine

    def now(self) -> datetime:
        """The store's clock (aware UTC)."""
        return _aware(self._clock())

    def _at(self, now: datetime | None) -> datetime:
        return self.now() if now is None else _aware(now)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with read_only(self._engine) as connection:
            yield connection

    # ---- staging and checkpoints ------------------------------------------------------------------

    def stage(
        self,
        flow: str,
        records: Sequence[StagedRecord],
        *,
        checkpoint: tuple[str, str] | None = None,
        run_id: int | None = None,
        now: datetime | None = None,
    ) -> StageResult:
        """Stage records and, in the same transaction, set the (stream, value) checkpoint if given."""
        prepared = staging.prepare(records)
        at = self._at(now)
        with self._write() as connection:
            result = staging.stage_rows(connection, flow, prepared, now=at, run_id=run_id)
            if checkpoint is not None:
                stream, value = checkpoint
                staging.write_checkpoint(connection, flow, stream, value, now=at)
        return result

    def get_checkpoint(self, flow: str, stream: str) -> str | None:
        """The saved cursor value of one stream, or None before the first commit."""
        with self._read() as connection:
            return staging.read_checkpoint(connection, flow, stream)

    # ---- claims, outcomes, leases and recovery ----------------------------------------------------

    def claim(
        self,
        flow: str,
        *,
        owner: str,
        limit: int,
        lease_seconds: float,
        target_type: str | None = None,
        now: datetime | None = None,
        run_id: int | None = None,
    ) -> builtins.list[ClaimedRecord]:
        """Promote due automatic retries, then lease up to ``limit`` due pending records, oldest first."""
        with self._write() as connection:
            return leasing.claim(
                connection,
                flow,
                owner=owner,
                limit=limit,
                lease_seconds=lease_seconds,
                target_type=target_type,
                now=self._at(now),
                run_id=run_id,
            )

    def preview_due(
        self,
        flow: str,
        *,
        target_type: str | None = None,
        limit: int = 1000,
        offset: int = 0,
        now: datetime | None = None,
    ) -> builtins.list[ClaimedRecord]:
        """What ``claim`` would hand out now, without claiming anything (dry runs)."""
        with self._read() as connection:
            return leasing.preview_due(
                connection, flow, now=self._at(now), target_type=target_type, limit=limit, offset=offset
            )

    def record_outcomes(
        self,
        owner: str,
        outcomes: Sequence[Outcome],
        *,
        run_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        """Store a batch's outcomes in one transaction.

        Raises LeaseLost (after committing the others) naming the records this owner no longer holds.
        """
        with self._write() as connection:
            lost = outcome_rows.record_outcomes(connection, owner, outcomes, now=self._at(now), run_id=run_id)
        if lost:
            raise LeaseLost(lost, owner=owner)

    def release(
        self, record_ids: Sequence[int], *, owner: str, run_id: int | None = None, now: datetime | None = None
    ) -> int:
        """Give back claimed records that were provably never sent; returns how many were released."""
        with self._write() as connection:
            return leasing.release(connection, record_ids, owner=owner, now=self._at(now), run_id=run_id)

    def expired_in_flight(self, flow: str, now: datetime | None = None) -> builtins.list[ClaimedRecord]:
        """In-flight records whose lease has expired (recovery candidates)."""
        with self._read() as connection:
            return leasing.expired_in_flight(connection, flow, now=self._at(now))

    def resolve_recovery(
        self,
        record_id: int,
        target_id: str | None,
        *,
        expected_lease_owner: str | None,
        run_id: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Settle an expired in-flight record from a target lookup (found → transferred, else pending).

        Returns False when the record is no longer the expired lease of ``expected_lease_owner``.
        """
        with self._write() as connection:
            return leasing.resolve_recovery(
                connection,
                record_id,
                target_id,
                expected_lease_owner=expected_lease_owner,
                now=self._at(now),
                run_id=run_id,
            )

    # ---- links --------------------------------------------------------------------------------------

    def link(self, parent_id: int, child_id: int, relation: str) -> None:
        """Link two records (e.g. invoice → invoice line); linking twice is a no-op."""
        with self._write() as connection:
            reads.link(connection, parent_id, child_id, relation, now=self.now())

    def links(self, record_id: int) -> builtins.list[LinkView]:
        with self._read() as connection:
            return reads.links(connection, record_id)

    # ---- human operations ---------------------------------------------------------------------------

    def retry(self, ids: Sequence[int], *, actor: str, reason: str | None = None) -> int:
        """Send failed/action_needed records back to pending (IllegalTransition for any other state)."""
        with self._write() as connection:
            return human.retry(connection, ids, actor=actor, reason=reason, now=self.now())

    def retry_matching(
        self, *, state: State | str, flow: str | None = None, actor: str, reason: str | None = None
    ) -> int:
        """Retry every record in ``state`` (failed or action_needed), optionally in one flow."""
        with self._write() as connection:
            return human.retry_matching(
                connection, state=State(state), flow=flow, actor=actor, reason=reason, now=self.now()
            )

    def resolve(self, record_id: int, *, actor: str, reason: str) -> None:
        """Close a failed/action_needed record as skipped, with the human's reason."""
        with self._write() as connection:
            human.resolve(connection, record_id, actor=actor, reason=reason, now=self.now())

    def record_event(
        self,
        record_id: int | None,
        *,
        actor: str,
        action: str,
        reason: str | None = None,
        detail: Mapping[str, Any] | None = None,
        run_id: int | None = None,
    ) -> None:
        """Append one audit event that is not a state change (e.g. "budget version approved")."""
        event: dict[str, Any] = {"record_id": record_id, "action": action, "reason": reason}
        if detail is not None:
            event["detail"] = dict(detail)
        with self._write() as connection:
            transitions.write_audit(connection, [event], at=self.now(), actor=actor, run_id=run_id)

    # ---- reads --------------------------------------------------------------------------------------

    def get(self, record_id: int) -> RecordView | None:
        with self._read() as connection:
            return reads.get(connection, record_id)

    def require(self, record_id: int) -> RecordView:
        """Like ``get`` but raises NotFound."""
        record = self.get(record_id)
        if record is None:
            raise NotFound(f"no sync_record {record_id}")
        return record

    def find(self, flow: str, source_system: str, source_type: str, source_id: str) -> RecordView | None:
        with self._read() as connection:
            return reads.find(connection, flow, source_system, source_type, source_id)

    def find_by_external_id(self, external_id: str) -> RecordView | None:
        with self._read() as connection:
            return reads.find_by_external_id(connection, external_id)

    def list(
        self,
        *,
        flow: str | None = None,
        state: State | str | None = None,
        text: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[RecordView]:
        """Records, most recently updated first, filtered by flow, state, free text and update time."""
        with self._read() as connection:
            return reads.list_records(
                connection,
                flow=flow,
                state=None if state is None else State(state),
                text=text,
                since=None if since is None else _aware(since),
                limit=limit,
                offset=offset,
            )

    def stats(self, flow: str | None = None) -> dict[str, dict[str, int]]:
        """flow → state → count (every state listed)."""
        with self._read() as connection:
            return reads.stats(connection, flow=flow)

    def audit(self, record_id: int) -> builtins.list[AuditEventView]:
        """The record's audit trail, oldest first."""
        with self._read() as connection:
            return reads.audit(connection, record_id)

    # ---- runs ---------------------------------------------------------------------------------------

    def start_run(
        self, flow: str, *, trigger: str, run_key: str, stale_after: timedelta = DEFAULT_STALE_RUN
    ) -> int | None:
        """A new run id, or None when ``run_key`` was used before or the flow is already running."""
        try:
            with self._write() as connection:
                return runs.start_run(
                    connection,
                    flow,
                    trigger=trigger,
                    run_key=run_key,
                    now=self.now(),
                    stale_after=stale_after,
                )
        except IntegrityError:
            # lost a race on the unique run_key with another process: that fire already ran
            return None

    def heartbeat_run(self, run_id: int) -> bool:
        """Mark a running run alive (the runner calls this periodically); False if it is not running."""
        with self._write() as connection:
            return runs.heartbeat_run(connection, run_id, now=self.now())

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        counters: Mapping[str, int],
        requests: Mapping[str, int],
        throttled: Mapping[str, int],
        error: str | None = None,
    ) -> None:
        """Close a run with its status, counters, API requests and throttles per connection."""
        with self._write() as connection:
            runs.finish_run(
                connection,
                run_id,
                status=status,
                counters=counters,
                requests=requests,
                throttled=throttled,
                error=error,
                now=self.now(),
            )

    def runs(self, flow: str | None = None, limit: int = 50) -> builtins.list[RunView]:
        """Runs, newest first."""
        with self._read() as connection:
            return runs.list_runs(connection, flow=flow, limit=limit)

    def get_run(self, run_id: int) -> RunView | None:
        with self._read() as connection:
            return runs.get_run(connection, run_id)
