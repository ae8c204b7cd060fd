"""Asynchronous imports: a push answers ``{"importId"}`` at once; the import runs afterwards.

One worker per emulator runs imports one at a time in the order they were pushed (two pushes of the same
period slice must land in order). Each import first stays ``InProgress`` for the current
``delay_seconds`` — a knob tests turn up to watch a client poll, or to leave an import stuck — and then
runs in a worker thread under the store's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from uuid import UUID, uuid4

from starlette.concurrency import run_in_threadpool

from .csvinput import ImportFailure
from .formulas import FormulaError
from .imports import run_import
from .model import ImportConfiguration
from .reports import ImportKind, ImportRecord, now
from .store import PigmentStore

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.02


class ImportJobs:
    """Every import of the workspace (kept until reset) and the worker that runs them."""

    def __init__(self, store: PigmentStore, *, delay_seconds: float, max_samples: int) -> None:
        self.store = store
        self.delay_seconds = delay_seconds
        self.max_samples = max_samples
        self._records: dict[UUID, ImportRecord] = {}
        self._queue: deque[UUID] = deque()
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None

    def submit(self, config: ImportConfiguration, body: bytes | None, kind: ImportKind) -> ImportRecord:
        """Record a new import and queue it; must be called on the server's event loop."""
        application = self.store.application(config.application_id)
        default = application.default_scenario if application is not None else None
        record = ImportRecord(
            id=uuid4(),
            configuration_id=config.id,
            application_id=config.application_id,
            kind=kind,
            created_at=now(),
            body=body,
            scenario_id=default.id if default is not None else None,
        )
        self._records[record.id] = record
        self._queue.append(record.id)
        self._ensure_worker().set()
        return record

    def get(self, import_id: UUID) -> ImportRecord | None:
        return self._records.get(import_id)

    def records(self) -> list[ImportRecord]:
        return list(self._records.values())

    def reset(self) -> None:
        """Forget every import (queued ones are dropped, not run)."""
        self._records.clear()
        self._queue.clear()

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    def _ensure_worker(self) -> asyncio.Event:
        if self._worker is None or self._worker.done() or self._wakeup is None:
            self._wakeup = asyncio.Event()
            self._worker = asyncio.get_running_loop().create_task(self._work(self._wakeup))
        return self._wakeup

    async def _work(self, wakeup: asyncio.Event) -> None:
        while True:
            if not self._queue:
                wakeup.clear()
                await wakeup.wait()
                continue
            record = self._records.get(self._queue[0])
            if record is None:  # dropped by a reset
                self._queue.popleft()
                continue
            # Re-read the delay on every tick: lowering it (from any thread) releases an import that was
            # left waiting, which an Event set from another thread could not do safely.
            while (  # noqa: ASYNC110
                record.id in self._records
                and (now() - record.created_at).total_seconds() < self.delay_seconds
            ):
                await asyncio.sleep(_POLL_SECONDS)
            if record.id in self._records:
                await run_in_threadpool(self._execute, record)
            if self._queue and self._queue[0] == record.id:
                self._queue.popleft()

    def _execute(self, record: ImportRecord) -> None:
        with self.store.locked() as workspace:
            found = workspace.configuration(record.configuration_id)
            if found is None:
                record.fail("ConfigurationNotFound", "The import configuration no longer exists.")
                return
            application, config = found
            try:
                outcome = run_import(application, config, record.body, max_samples=self.max_samples)
            except ImportFailure as exc:
                record.fail(exc.name, exc.description)
            except FormulaError as exc:
                record.fail("CalculationError", str(exc))
            except Exception:
                logger.exception("the Pigment emulator failed to run import %s", record.id)
                record.fail("InternalError", "An unexpected error occurred while importing the file.")
            else:
                record.complete(outcome)
