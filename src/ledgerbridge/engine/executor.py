"""The executor: claim due hub records in batches under a lease, hand them to a target writer, record
each record's outcome — and, before any of that, recover records a crashed worker left in flight.

Recovery comes first because a record whose lease expired may have been written just before its worker
died: the executor looks it up in the target by external id and links it if found, and only re-queues it
if not. Combined with idempotent upserts keyed by that external id (DESIGN §4.1), a crash anywhere costs
at most a re-send, never a duplicate.

Hub calls are synchronous SQLAlchemy; they run in a worker thread so that other flows sharing the event
loop keep moving while a batch commits.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from ledgerbridge.engine.retry import backoff_delay
from ledgerbridge.errors import ActionNeeded, Fatal, Retriable
from ledgerbridge.hub import ClaimedRecord, HubStore, LeaseLost, Outcome
from ledgerbridge.log import get_logger, redact

log = get_logger("ledgerbridge.engine.executor")


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What the target said about one record: its id, an error, or why it was skipped."""

    target_id: str | None = None
    error: BaseException | None = None
    skipped_reason: str | None = None

    @classmethod
    def ok(cls, target_id: str | None) -> WriteResult:
        return cls(target_id=target_id)

    @classmethod
    def failed(cls, error: BaseException) -> WriteResult:
        return cls(error=error)

    @classmethod
    def skipped(cls, reason: str) -> WriteResult:
        return cls(skipped_reason=reason)


@runtime_checkable
class TargetWriter(Protocol):
    """Writes claimed records to one target system with idempotent upserts keyed by external id.

    ``write`` returns one result per record, in order. A result whose error is ``Fatal`` (auth,
    configuration) means that record was refused before it took effect; raising ``Fatal`` from ``write``
    means none of the batch did. ``lookup`` finds a record in the target by its external id.
    """

    system: str

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]: ...

    async def lookup(self, record: ClaimedRecord) -> str | None: ...


@dataclass(slots=True)
class ExecutorReport:
    """What one ``run_once`` did."""

    transferred: int = 0
    failed: int = 0
    action_needed: int = 0
    skipped: int = 0
    #: expired in-flight records settled by recovery (found in the target, or re-queued)
    recovered: int = 0
    #: of those, found in the target and linked without a re-send
    recovered_found: int = 0
    #: expired records whose lookup failed; they stay in flight for the next run
    recovery_deferred: int = 0
    released: int = 0
    lease_lost: int = 0
    retries_scheduled: int = 0
    batches: int = 0
    dry_run_payloads: list[dict[str, Any]] = field(default_factory=list)

    def counters(self) -> dict[str, int]:
        """The numeric counters (for run records and progress output)."""
        return {
            "transferred": self.transferred,
            "failed": self.failed,
            "action_needed": self.action_needed,
            "skipped": self.skipped,
            "recovered": self.recovered,
            "recovered_found": self.recovered_found,
            "recovery_deferred": self.recovery_deferred,
            "released": self.released,
            "lease_lost": self.lease_lost,
            "retries_scheduled": self.retries_scheduled,
            "batches": self.batches,
        }


def default_owner() -> str:
    """A lease owner name unique to this executor instance (host, process, random suffix)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Executor:
    """Moves one flow's due hub records to one target writer."""

    def __init__(
        self,
        store: HubStore,
        flow: str,
        writer: TargetWriter,
        *,
        owner: str | None = None,
        batch_size: int = 100,
        lease_seconds: float = 300,
        max_attempts: int = 8,
        dry_run: bool = False,
        target_type: str | None = None,
        run_id: int | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        on_batch: Callable[[ExecutorReport], None] | None = None,
    ) -> None:
        if batch_size < 1 or max_attempts < 1 or lease_seconds <= 0:
            raise ValueError("batch_size and max_attempts must be >= 1 and lease_seconds > 0")
        self.store = store
        self.flow = flow
        self.writer = writer
        self.owner = owner or default_owner()
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.dry_run = dry_run
        self.target_type = target_type
        self.run_id = run_id
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.on_batch = on_batch

    async def run_once(self) -> ExecutorReport:
        """Recover expired in-flight records, then claim → write → record until nothing is due."""
        report = ExecutorReport()
        if self.dry_run:
            report.dry_run_payloads = await self._preview()
            return report
        await self._recover(report)
        while True:
            batch = await asyncio.to_thread(
                self.store.claim,
                self.flow,
                owner=self.owner,
                limit=self.batch_size,
                lease_seconds=self.lease_seconds,
                target_type=self.target_type,
                run_id=self.run_id,
            )
            if not batch:
                return report
            await self._process(batch, report)
            report.batches += 1
            if self.on_batch is not None:
                self.on_batch(report)

    # ---- dry run ------------------------------------------------------------------------------------

    async def _preview(self) -> list[dict[str, Any]]:
        payloads: list[dict[str, Any]] = []
        while True:
            page = await asyncio.to_thread(
                self.store.preview_due,
                self.flow,
                target_type=self.target_type,
                limit=self.batch_size,
                offset=len(payloads),
            )
            payloads.extend(
                {
                    "record_id": record.id,
                    "target_system": record.target_system,
                    "target_type": record.target_type,
                    "external_id": record.external_id,
                    "target_id": record.target_id,
                    "payload": record.payload,
                }
                for record in page
            )
            if len(page) < self.batch_size:
                return payloads

    # ---- recovery -----------------------------------------------------------------------------------

    async def _recover(self, report: ExecutorReport) -> None:
        expired = await asyncio.to_thread(self.store.expired_in_flight, self.flow)
        if self.target_type is not None:
            expired = [record for record in expired if record.target_type == self.target_type]
        for start in range(0, len(expired), self.batch_size):
            chunk = expired[start : start + self.batch_size]
            found = await asyncio.gather(*(self._lookup(record) for record in chunk), return_exceptions=True)
            for record, result in zip(chunk, found, strict=True):
                if isinstance(result, Fatal):
                    raise result
                if isinstance(result, BaseException):
                    # we cannot tell whether the write landed, so we must not re-send yet: try next run
                    report.recovery_deferred += 1
                    log.warning(
                        "recovery lookup failed for record %s (%s): %s",
                        record.id,
                        record.external_id,
                        redact(str(result)),
                    )
                    continue
                settled = await asyncio.to_thread(
                    self.store.resolve_recovery,
                    record.id,
                    result,
                    expected_lease_owner=record.lease_owner,
                    run_id=self.run_id,
                )
                if settled:
                    report.recovered += 1
                    report.recovered_found += result is not None and record.target_id is None

    async def _lookup(self, record: ClaimedRecord) -> str | None:
        if record.target_id is not None:
            # linked before: finding it proves nothing about this version, the hub re-queues it anyway
            return None
        return await self.writer.lookup(record)

    # ---- one batch ----------------------------------------------------------------------------------

    async def _process(self, batch: Sequence[ClaimedRecord], report: ExecutorReport) -> None:
        try:
            results: Sequence[WriteResult] = await self.writer.write(batch)
        except Fatal:
            # nothing in the batch took effect (auth/config refused it): give it back and stop the run
            report.released += await asyncio.to_thread(self._release, [record.id for record in batch])
            raise
        except Exception as exc:
            results = [WriteResult.failed(exc)] * len(batch)
        if len(results) != len(batch):
            bug = RuntimeError(
                f"writer {self.writer.system} returned {len(results)} results for {len(batch)} records"
            )
            results = [WriteResult.failed(bug)] * len(batch)
        fatal: Fatal | None = None
        unsent: list[int] = []
        outcomes: list[Outcome] = []
        for record, result in zip(batch, results, strict=True):
            if isinstance(result.error, Fatal):
                fatal = fatal or result.error
                unsent.append(record.id)
            else:
                outcomes.append(self._outcome(record, result))
        lost = await asyncio.to_thread(self._record, outcomes)
        self._count(outcomes, lost, report)
        if fatal is not None:
            report.released += await asyncio.to_thread(self._release, unsent)
            raise fatal

    def _outcome(self, record: ClaimedRecord, result: WriteResult) -> Outcome:
        error = result.error
        if isinstance(error, Retriable) and record.attempts < self.max_attempts:
            delay = backoff_delay(
                record.attempts, base=self.backoff_base, cap=self.backoff_cap, retry_after=error.retry_after
            )
            retry_at = self.store.now() + timedelta(seconds=delay)
            return Outcome(record.id, result.target_id, error, None, retry_at)
        return Outcome(record.id, result.target_id, error, result.skipped_reason if error is None else None)

    def _record(self, outcomes: Sequence[Outcome]) -> set[int]:
        try:
            self.store.record_outcomes(self.owner, outcomes, run_id=self.run_id)
        except LeaseLost as lost:
            log.warning("%s", lost)
            return set(lost.record_ids)
        return set()

    def _release(self, record_ids: Sequence[int]) -> int:
        return self.store.release(record_ids, owner=self.owner, run_id=self.run_id)

    @staticmethod
    def _count(outcomes: Sequence[Outcome], lost: set[int], report: ExecutorReport) -> None:
        report.lease_lost += len(lost)
        for outcome in outcomes:
            if outcome.record_id in lost:
                continue
            if outcome.error is None:
                if outcome.skipped_reason is None:
                    report.transferred += 1
                else:
                    report.skipped += 1
            elif isinstance(outcome.error, ActionNeeded):
                report.action_needed += 1
            else:
                report.failed += 1
                report.retries_scheduled += outcome.retry_at is not None
