"""The local scheduler: fires cron and interval triggers on time and event triggers from the bus.

Each timed entry remembers its last fire. On every tick the latest due fire (see
:func:`~ledgerbridge.runtimes.local.triggers.due_fire`) is dispatched as its own task, so a long run of one
flow never delays another. Missed fires coalesce into one run:

* after downtime — with ``catch_up`` (the default) the latest fire before start-up is due at once; the hub
  turns it into a no-op if that fire's run key already ran;
* while the flow is still busy with an earlier fire — the newest fire that came due meanwhile is remembered
  and run once when the busy run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.flows.base import Event, utc_now
from ledgerbridge.log import get_logger
from ledgerbridge.runtimes.local.bus import EventBus, Handler, Subscription
from ledgerbridge.runtimes.local.runner import FlowRunner
from ledgerbridge.runtimes.local.triggers import (
    CronTrigger,
    EventTrigger,
    IntervalTrigger,
    TimedTrigger,
    Trigger,
    due_fire,
    event_run_key,
    schedule_run_key,
)

_log = get_logger("ledgerbridge.runtimes.local.scheduler")


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One flow and what triggers it. ``catch_up``: run the latest fire missed while the process was down."""

    flow: str
    trigger: Trigger
    catch_up: bool = True


@dataclass(eq=False, slots=True)
class _TimedState:
    entry: ScheduleEntry
    trigger: TimedTrigger
    last_fire: datetime | None
    task: asyncio.Task[None] | None = None
    pending: datetime | None = None
    fired: list[datetime] = field(default_factory=list)


class Scheduler:
    """Fires due triggers through a :class:`FlowRunner` until :meth:`stop`."""

    def __init__(
        self,
        runner: FlowRunner,
        entries: Iterable[ScheduleEntry],
        *,
        bus: EventBus | None = None,
        clock: Callable[[], datetime] = utc_now,
        max_sleep: float = 30.0,
    ) -> None:
        self._runner = runner
        self._bus = bus
        self._clock = clock
        # re-check at least this often: the wall clock can jump (NTP, suspend) under a long sleep
        self._max_sleep = max_sleep
        self._entries = list(entries)
        self._timed: list[_TimedState] = []
        self._event_entries: list[tuple[ScheduleEntry, EventTrigger]] = []
        self._subscriptions: list[Subscription] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Event | None = None
        self._stop_requested = False
        self._started = False
        for entry in self._entries:
            if isinstance(entry.trigger, CronTrigger | IntervalTrigger):
                self._timed.append(_TimedState(entry, entry.trigger, None))
            elif isinstance(entry.trigger, EventTrigger):
                if bus is None:
                    raise ValueError(f"flow {entry.flow!r} has an event trigger but the scheduler has no bus")
                self._event_entries.append((entry, entry.trigger))

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self, now: datetime | None = None) -> None:
        """Set each timed entry's starting point and subscribe event entries (``run()`` calls it)."""
        if self._started:
            return
        self._started = True
        now = now or self._clock()
        for state in self._timed:
            # without catch-up the latest past fire counts as done: only future fires run
            state.last_fire = None if state.entry.catch_up else state.trigger.latest_fire(now)
        for entry, trigger in self._event_entries:
            assert self._bus is not None  # checked in __init__
            self._subscriptions.append(self._bus.subscribe(trigger.pattern, self._event_handler(entry)))

    async def run(self) -> None:
        """Tick until :meth:`stop`; then wait for dispatched runs to end."""
        self._stopping = asyncio.Event()
        if self._stop_requested:
            self._stopping.set()
        self.start()
        try:
            while not self._stopping.is_set():
                now = self._clock()
                self.tick(now)
                delay = self.seconds_until_next(self._clock())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
        finally:
            for subscription in self._subscriptions:
                subscription.cancel()
            self._subscriptions.clear()
            await self.wait_idle()

    def stop(self, *, cancel_runs: bool = False) -> None:
        """Stop firing. Runs in progress finish, unless ``cancel_runs`` (they are then recorded cancelled)."""
        self._stop_requested = True
        if self._stopping is not None:
            self._stopping.set()
        if cancel_runs:
            for task in list(self._tasks):
                task.cancel()

    async def wait_idle(self) -> None:
        """Wait for every dispatched run (and the coalesced runs they lead to) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- timed triggers -----------------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[tuple[str, datetime]]:
        """Dispatch every due timed fire at ``now``; return ``(flow, fire time)`` of what came due."""
        self.start(now)
        due: list[tuple[str, datetime]] = []
        for state in self._timed:
            fire = due_fire(state.trigger, last_fire=state.last_fire, now=now)
            if fire is None:
                continue
            state.last_fire = fire
            due.append((state.entry.flow, fire))
            if state.task is not None and not state.task.done():
                if state.pending is not None:
                    _log.info("flow %s: fire %s coalesced into %s", state.entry.flow, state.pending, fire)
                state.pending = fire
                continue
            self._dispatch(state, fire)
        return due

    def seconds_until_next(self, now: datetime) -> float:
        """Seconds until the earliest next fire (at most ``max_sleep``)."""
        delays = [(state.trigger.next_fire(now) - now).total_seconds() for state in self._timed]
        # a few ms late is harmless; early would find nothing due and spin once more
        return min([self._max_sleep, *delays]) + 0.005 if delays else self._max_sleep

    def fired(self, flow: str) -> list[datetime]:
        """Fire times dispatched so far for ``flow`` (for the console and tests)."""
        return [fire for state in self._timed if state.entry.flow == flow for fire in state.fired]

    def _dispatch(self, state: _TimedState, fire: datetime) -> None:
        state.fired.append(fire)
        task = asyncio.create_task(self._run_timed(state, fire), name=f"schedule:{state.entry.flow}")
        state.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_timed(self, state: _TimedState, fire: datetime) -> None:
        flow = state.entry.flow
        try:
            await self._runner.run(flow, trigger=state.trigger.kind, run_key=schedule_run_key(flow, fire))
        except LedgerbridgeError as exc:
            _log.error("flow %s could not start for fire %s: %s", flow, fire.isoformat(), exc)
        finally:
            pending, state.pending = state.pending, None
            if pending is not None and not self._stop_requested:
                self._dispatch(state, pending)

    # -- event triggers -----------------------------------------------------------------------------------

    def _event_handler(self, entry: ScheduleEntry) -> Handler:
        async def handle(event: Event) -> None:
            await self._run_event(entry, event)

        return handle

    async def _run_event(self, entry: ScheduleEntry, event: Event) -> None:
        if self._stop_requested:
            _log.warning(
                "scheduler stopping: event %s (key %s) not run for %s", event.name, event.key, entry.flow
            )
            return
        try:
            # wait for a run in progress rather than drop the event; the run key makes a repeat a no-op
            await self._runner.run(
                entry.flow, trigger="event", run_key=event_run_key(entry.flow, event), event=event, wait=True
            )
        except LedgerbridgeError as exc:
            _log.error("flow %s could not start for event %s: %s", entry.flow, event.name, exc)
