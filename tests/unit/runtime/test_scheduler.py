"""The scheduler: due fires, catch-up after downtime, coalescing while busy, event-triggered runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from ledgerbridge.flows.base import Event
from ledgerbridge.runtimes.local.bus import EventBus
from ledgerbridge.runtimes.local.runner import FlowRunner, StaticContextFactory
from ledgerbridge.runtimes.local.scheduler import ScheduleEntry, Scheduler
from ledgerbridge.runtimes.local.triggers import CronTrigger, EventTrigger, IntervalTrigger, ManualTrigger
from tests.unit.runtime.fakes import FakeHub, Gate, RecordingFlow, make_registry

T0 = datetime(2026, 3, 31, 10, 2, 30, tzinfo=UTC)


def build(hub: FakeHub | None = None) -> tuple[FakeHub, FlowRunner, Gate]:
    hub = hub or FakeHub()
    registry, gate, _limiter = make_registry()
    return hub, FlowRunner(hub, StaticContextFactory(hub, {}), registry), gate


async def test_catch_up_runs_the_latest_missed_fire_once_then_follows_the_schedule() -> None:
    hub, runner, _gate = build()
    scheduler = Scheduler(runner, [ScheduleEntry("hierarchy-to-planning", CronTrigger("*/5 * * * *", "UTC"))])
    assert scheduler.tick(T0) == [("hierarchy-to-planning", datetime(2026, 3, 31, 10, 0, tzinfo=UTC))]
    await scheduler.wait_idle()
    assert scheduler.tick(T0 + timedelta(minutes=1)) == []
    scheduler.tick(T0 + timedelta(minutes=3))  # 10:05:30 -> the 10:05 fire
    await scheduler.wait_idle()
    keys = [row.run_key for row in hub.of("hierarchy-to-planning")]
    assert keys == [
        "hierarchy-to-planning:schedule:2026-03-31T10:00:00+00:00",
        "hierarchy-to-planning:schedule:2026-03-31T10:05:00+00:00",
    ]
    assert all(row.trigger == "cron" and row.status == "succeeded" for row in hub.of("hierarchy-to-planning"))


async def test_downtime_coalesces_many_missed_fires_into_one_run() -> None:
    hub, runner, _gate = build()
    scheduler = Scheduler(runner, [ScheduleEntry("hierarchy-to-planning", IntervalTrigger(60))])
    scheduler.tick(T0)
    await scheduler.wait_idle()
    # the event loop was blocked / the machine slept for 17 minutes: one run, for the latest fire
    due = scheduler.tick(T0 + timedelta(minutes=17))
    await scheduler.wait_idle()
    assert due == [("hierarchy-to-planning", datetime(2026, 3, 31, 10, 19, tzinfo=UTC))]
    assert len(hub.of("hierarchy-to-planning")) == 2


async def test_without_catch_up_only_future_fires_run() -> None:
    hub, runner, _gate = build()
    entry = ScheduleEntry("hierarchy-to-planning", IntervalTrigger(60), catch_up=False)
    scheduler = Scheduler(runner, [entry])
    assert scheduler.tick(T0) == []
    assert scheduler.tick(T0 + timedelta(seconds=31)) == [
        ("hierarchy-to-planning", datetime(2026, 3, 31, 10, 3, tzinfo=UTC))
    ]
    await scheduler.wait_idle()
    assert len(hub.of("hierarchy-to-planning")) == 1


async def test_a_restarted_process_does_not_repeat_a_fire_that_already_ran() -> None:
    hub, runner, _gate = build()
    first = Scheduler(runner, [ScheduleEntry("hierarchy-to-planning", IntervalTrigger(300))])
    first.tick(T0)
    await first.wait_idle()
    assert len(RecordingFlow.seen) == 1
    # "restart": a new runner and scheduler on the same hub, within the same interval
    _, runner2, _ = build(hub)  # (resets RecordingFlow.seen)
    second = Scheduler(runner2, [ScheduleEntry("hierarchy-to-planning", IntervalTrigger(300))])
    assert second.tick(T0 + timedelta(seconds=90)) == [
        ("hierarchy-to-planning", T0.replace(minute=0, second=0))
    ]
    await second.wait_idle()
    assert len(hub.of("hierarchy-to-planning")) == 1  # the hub refused the repeated run key
    assert RecordingFlow.seen == []  # so the flow did not run again


async def test_fires_while_busy_coalesce_into_one_run_after_it() -> None:
    hub, runner, gate = build()
    scheduler = Scheduler(runner, [ScheduleEntry("billing-to-erp", IntervalTrigger(60))])
    scheduler.tick(T0)  # 10:02 fire starts and blocks
    await gate.entered.wait()
    scheduler.tick(T0 + timedelta(minutes=1))  # 10:03 due while busy
    scheduler.tick(T0 + timedelta(minutes=2))  # 10:04 due while busy: replaces 10:03
    assert len(hub.of("billing-to-erp")) == 1
    gate.release.set()
    await scheduler.wait_idle()
    keys = [row.run_key for row in hub.of("billing-to-erp")]
    assert keys == [
        "billing-to-erp:schedule:2026-03-31T10:02:00+00:00",
        "billing-to-erp:schedule:2026-03-31T10:04:00+00:00",
    ]
    assert gate.peak == 1
    assert scheduler.fired("billing-to-erp") == [
        datetime(2026, 3, 31, 10, 2, tzinfo=UTC),
        datetime(2026, 3, 31, 10, 4, tzinfo=UTC),
    ]


async def test_seconds_until_next() -> None:
    _hub, runner, _gate = build()
    scheduler = Scheduler(
        runner,
        [
            ScheduleEntry("hierarchy-to-planning", IntervalTrigger(3600)),
            ScheduleEntry("billing-to-erp", CronTrigger("*/5 * * * *", "UTC")),
            ScheduleEntry("period-close", ManualTrigger()),
        ],
        max_sleep=600,
    )
    assert scheduler.seconds_until_next(T0) == pytest.approx(150, abs=0.01)  # 10:05:00
    assert Scheduler(runner, [], max_sleep=30).seconds_until_next(T0) == 30


async def test_event_triggered_runs_once_per_event_and_none_are_lost() -> None:
    hub, runner, gate = build()
    bus = EventBus()
    scheduler = Scheduler(
        runner,
        [
            ScheduleEntry("billing-to-erp", EventTrigger("nue.invoice.*")),
            ScheduleEntry("hierarchy-to-planning", EventTrigger("netsuite.department.changed")),
        ],
        bus=bus,
    )
    scheduler.start(T0)
    await bus.publish(Event("nue.invoice.activated", "INV-000123", {"id": "INV-000123"}))
    await gate.entered.wait()
    # published while the first run is busy: it waits its turn instead of being dropped
    await bus.publish(Event("nue.invoice.activated", "INV-000124"))
    # the same occurrence again: a no-op
    await bus.publish(Event("nue.invoice.activated", "INV-000123"))
    await bus.publish(Event("pigment.import.done", "irrelevant"))
    gate.release.set()
    await bus.drain()
    rows = hub.of("billing-to-erp")
    assert sorted(row.run_key for row in rows) == [
        "billing-to-erp:event:nue.invoice.activated:INV-000123",
        "billing-to-erp:event:nue.invoice.activated:INV-000124",
    ]
    assert all(row.trigger == "event" for row in rows)
    assert [ctx.event.key for ctx in gate.contexts if ctx.event] == ["INV-000123", "INV-000124"]
    assert gate.contexts[0].event is not None and gate.contexts[0].event.payload == {"id": "INV-000123"}
    assert gate.peak == 1
    assert hub.of("hierarchy-to-planning") == []


async def test_an_event_trigger_needs_a_bus() -> None:
    _hub, runner, _gate = build()
    with pytest.raises(ValueError, match="no bus"):
        Scheduler(runner, [ScheduleEntry("billing-to-erp", EventTrigger("x"))])


async def test_run_loop_fires_on_time_and_stops() -> None:
    hub, runner, _gate = build()
    bus = EventBus()
    scheduler = Scheduler(
        runner,
        [
            ScheduleEntry("hierarchy-to-planning", IntervalTrigger(0.15), catch_up=False),
            ScheduleEntry("erp-payments-to-billing", EventTrigger("go")),
        ],
        bus=bus,
    )
    loop = asyncio.create_task(scheduler.run())
    await asyncio.sleep(0.55)
    await bus.publish(Event("go", "1"))
    await bus.drain()
    scheduler.stop()
    await asyncio.wait_for(loop, 2)
    timed = hub.of("hierarchy-to-planning")
    assert 2 <= len(timed) <= 5
    assert len({row.run_key for row in timed}) == len(timed)
    assert [row.trigger for row in hub.of("erp-payments-to-billing")] == ["event"]
    # after stop nothing fires and event subscriptions are gone
    assert await bus.publish(Event("go", "2")) == 0
    await asyncio.sleep(0.2)
    assert len(hub.of("hierarchy-to-planning")) == len(timed)


async def test_stop_can_cancel_runs_in_progress() -> None:
    hub, runner, gate = build()
    scheduler = Scheduler(runner, [ScheduleEntry("billing-to-erp", IntervalTrigger(3600))])
    loop = asyncio.create_task(scheduler.run())
    await gate.entered.wait()
    scheduler.stop(cancel_runs=True)
    await asyncio.wait_for(loop, 2)
    assert [row.status for row in hub.of("billing-to-erp")] == ["cancelled"]


async def test_unknown_flow_in_a_schedule_is_logged_not_fatal_to_the_scheduler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub, runner, _gate = build()
    scheduler = Scheduler(
        runner,
        [
            ScheduleEntry("forecast-digest", IntervalTrigger(60)),  # known name, not installed here
            ScheduleEntry("hierarchy-to-planning", IntervalTrigger(60)),
        ],
    )
    scheduler.tick(T0)
    await scheduler.wait_idle()
    assert "forecast-digest could not start" in caplog.text
    assert len(hub.of("hierarchy-to-planning")) == 1
