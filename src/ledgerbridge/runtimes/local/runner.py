"""Run one flow once: single-flight, deduplicated by run key, recorded in the hub.

Two guards keep a flow from running twice at once:

* in this process, an ``asyncio.Lock`` per flow (a second caller gets ``None`` at once, or waits with
  ``wait=True`` — event deliveries wait, so an event arriving mid-run is not lost);
* across processes, the hub: ``start_run`` refuses (``None``) while another run of the flow is running, and
  refuses a run key it has already seen — which makes a duplicate scheduled or event fire a no-op.

Every started run is finished in the hub with its counters and the API requests and 429s it spent per
connection (counted by the limiters through :func:`ledgerbridge.engine.limits.track_usage`, so flows that
share a connection still get exact figures).

Exit codes (DESIGN §5): 0 ok; 1 some records failed or need action, or a transient error stopped the run
(the next fire will try again); 2 a ``Fatal`` error (or a bug) stopped it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ledgerbridge.engine.limits import UsageMeter, track_usage
from ledgerbridge.errors import Fatal, LedgerbridgeError
from ledgerbridge.flows.base import CountingProgress, Event, FlowContext, ProgressSink, RunOutcome, utc_now
from ledgerbridge.flows.registry import FlowRegistry, default_registry
from ledgerbridge.hub.runs import HEARTBEAT_EVERY
from ledgerbridge.log import get_logger, redact
from ledgerbridge.money import Period
from ledgerbridge.runtimes.local.triggers import manual_run_key

_log = get_logger("ledgerbridge.runtimes.local.runner")

# run statuses written by finish_run (the hub writes "running" itself in start_run)
SUCCEEDED = "succeeded"
PARTIAL = "partial"
FAILED = "failed"
CANCELLED = "cancelled"


class RunRecorder(Protocol):
    """The part of ``HubStore`` the runner needs."""

    def start_run(self, flow: str, *, trigger: str, run_key: str) -> int | None: ...

    def heartbeat_run(self, run_id: int) -> bool: ...

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        counters: Mapping[str, int],
        requests: Mapping[str, int],
        throttled: Mapping[str, int],
        error: str | None = None,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What the context factory needs to build one run's :class:`FlowContext`."""

    run_id: int
    flow: str
    trigger: str
    run_key: str
    dry_run: bool = False
    period: Period | None = None
    event: Event | None = None


#: builds a run's context and cleans up after it (closes connector clients):
#: ``async with factory(request) as ctx``
ContextFactory = Callable[[RunRequest], AbstractAsyncContextManager[FlowContext]]


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended."""

    run_id: int
    flow: str
    run_key: str
    trigger: str
    status: str
    exit_code: int
    outcome: RunOutcome | None
    error: str | None
    requests: dict[str, int] = field(default_factory=dict)
    throttled: dict[str, int] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class FlowRunner:
    """Runs registered flows one at a time per flow, recording each run in the hub."""

    def __init__(
        self,
        hub: RunRecorder,
        context_factory: ContextFactory,
        registry: FlowRegistry | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._hub = hub
        self._context_factory = context_factory
        self._registry = registry if registry is not None else default_registry()
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}

    def is_running(self, flow_name: str) -> bool:
        """Whether a run of ``flow_name`` is in progress in this process."""
        lock = self._locks.get(flow_name)
        return lock is not None and lock.locked()

    async def run(
        self,
        flow_name: str,
        *,
        trigger: str,
        run_key: str | None = None,
        dry_run: bool = False,
        period: Period | None = None,
        event: Event | None = None,
        wait: bool = False,
    ) -> RunResult | None:
        """Run ``flow_name`` now. ``None`` when it did not run: already running (and not ``wait``), or the hub
        refused the run key (a duplicate fire) or saw a run of this flow in progress elsewhere.

        An unknown flow name raises :class:`~ledgerbridge.errors.Fatal` before anything is recorded.
        """
        flow_cls = self._registry.get(flow_name)
        lock = self._locks.setdefault(flow_name, asyncio.Lock())
        if lock.locked() and not wait:
            _log.info("flow %s is already running in this process; %s fire skipped", flow_name, trigger)
            return None
        async with lock:
            key = run_key or manual_run_key(flow_name)
            run_id = self._hub.start_run(flow_name, trigger=trigger, run_key=key)
            if run_id is None:
                _log.info(
                    "flow %s not started: run key %s already used or the flow is running elsewhere",
                    flow_name,
                    key,
                )
                return None
            request = RunRequest(run_id, flow_name, trigger, key, dry_run, period, event)
            return await self._execute(flow_cls(), request)

    async def _execute(self, flow: Any, request: RunRequest) -> RunResult:
        started = self._clock()
        meter = UsageMeter()
        outcome: RunOutcome | None = None
        error: str | None = None
        _log.info(
            "run %d of %s started (%s)%s",
            request.run_id,
            request.flow,
            request.trigger,
            " [dry run]" if request.dry_run else "",
            extra={"run_id": request.run_id, "flow": request.flow, "run_key": request.run_key},
        )
        beating = asyncio.create_task(self._heartbeat(request.run_id), name=f"heartbeat-{request.run_id}")
        try:
            with track_usage(meter):
                async with self._context_factory(request) as ctx:
                    meter.on_throttled(lambda _connection: ctx.progress.throttled(1))
                    outcome = await flow.run(ctx)
            status, exit_code = (SUCCEEDED, 0) if outcome.exit_code == 0 else (PARTIAL, outcome.exit_code)
        except asyncio.CancelledError:
            beating.cancel()
            self._finish(request, CANCELLED, None, meter, "the run was cancelled")
            raise
        except Fatal as exc:
            status, exit_code, error = FAILED, 2, redact(str(exc))
            _log.error("run %d of %s stopped: %s", request.run_id, request.flow, error)
        except LedgerbridgeError as exc:
            # a transient error (or a record error no one caught) stopped the run; the next fire retries
            status, exit_code, error = FAILED, 1, redact(f"{type(exc).__name__}: {exc}")
            _log.error("run %d of %s stopped: %s", request.run_id, request.flow, error)
        except Exception as exc:
            status, exit_code, error = FAILED, 2, redact(f"unexpected {type(exc).__name__}: {exc}")
            _log.exception("run %d of %s crashed", request.run_id, request.flow)
        beating.cancel()
        self._finish(request, status, outcome, meter, error)
        finished = self._clock()
        _log.info(
            "run %d of %s %s in %.1fs",
            request.run_id,
            request.flow,
            status,
            (finished - started).total_seconds(),
            extra={"run_id": request.run_id, "flow": request.flow, "requests": dict(meter.requests)},
        )
        return RunResult(
            run_id=request.run_id,
            flow=request.flow,
            run_key=request.run_key,
            trigger=request.trigger,
            status=status,
            exit_code=exit_code,
            outcome=outcome,
            error=error,
            requests=dict(meter.requests),
            throttled=dict(meter.throttled),
            started_at=started,
            finished_at=finished,
        )

    async def _heartbeat(self, run_id: int) -> None:
        """Tell the hub this run is alive, so a crash is recognised within minutes (hub.runs)."""
        interval = HEARTBEAT_EVERY.total_seconds()
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self._hub.heartbeat_run, run_id)
            except Exception:  # a missed beat is harmless; the next one (or the run's end) follows
                _log.warning("run %d: heartbeat not recorded", run_id, exc_info=True)

    def _finish(
        self,
        request: RunRequest,
        status: str,
        outcome: RunOutcome | None,
        meter: UsageMeter,
        error: str | None,
    ) -> None:
        self._hub.finish_run(
            request.run_id,
            status=status,
            counters=outcome.counters() if outcome is not None else {},
            requests=dict(meter.requests),
            throttled=dict(meter.throttled),
            error=error,
        )


class StaticContextFactory:
    """A :data:`ContextFactory` from fixed parts: one hub, the same connector clients for every run.

    Enough for the CLI's ``run`` and for tests; a runtime that opens clients per run writes its own.
    """

    def __init__(
        self,
        hub: Any,
        connections: Mapping[str, Any],
        *,
        params: Mapping[str, Mapping[str, Any]] | None = None,
        progress: Callable[[RunRequest], ProgressSink] | None = None,
        clock: Callable[[], datetime] = utc_now,
        mappings: Mapping[str, Any] | None = None,
    ) -> None:
        self._hub = hub
        self._connections = connections
        self._params = params or {}
        self._mappings = dict(mappings or {})
        self._progress = progress
        self._clock = clock

    @contextlib.asynccontextmanager
    async def __call__(self, request: RunRequest) -> AsyncIterator[FlowContext]:
        logger = logging.LoggerAdapter(
            get_logger(f"ledgerbridge.flows.{request.flow}"), {"flow": request.flow, "run_id": request.run_id}
        )
        yield FlowContext(
            run_id=request.run_id,
            flow=request.flow,
            params=dict(self._params.get(request.flow, {})),
            hub=self._hub,
            connections=self._connections,
            dry_run=request.dry_run,
            period=request.period,
            progress=self._progress(request) if self._progress else CountingProgress(),
            logger=logger,
            clock=self._clock,
            trigger=request.trigger,
            event=request.event,
            mappings=self._mappings,
        )
