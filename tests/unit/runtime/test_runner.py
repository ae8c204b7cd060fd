"""FlowRunner: single flight, run-key dedup, outcomes and exit codes, per-run usage in the hub."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import pytest

from ledgerbridge.engine.limits import ConnectionLimiter
from ledgerbridge.errors import Fatal
from ledgerbridge.flows.base import CountingProgress, Event
from ledgerbridge.log import forget_secrets, register_secret
from ledgerbridge.money import Period
from ledgerbridge.runtimes.local.runner import FlowRunner, RunRequest, StaticContextFactory
from tests.unit.runtime.fakes import FakeHub, FatalFlow, Gate, RecordingFlow, make_registry, params_for


@dataclass
class Rig:
    hub: FakeHub
    runner: FlowRunner
    gate: Gate
    limiter: ConnectionLimiter
    bars: dict[int, CountingProgress]


@pytest.fixture
def rig() -> Rig:
    hub = FakeHub()
    registry, gate, limiter = make_registry()
    bars: dict[int, CountingProgress] = {}

    def progress(request: RunRequest) -> CountingProgress:
        bars[request.run_id] = CountingProgress()
        return bars[request.run_id]

    factory = StaticContextFactory(
        hub,
        {"netsuite": object()},
        params=params_for(hierarchy_to_planning={"model": "FY26"}),
        progress=progress,
    )
    return Rig(hub, FlowRunner(hub, factory, registry), gate, limiter, bars)


async def test_a_run_is_recorded_with_counters_and_per_connection_usage(rig: Rig) -> None:
    hub, runner, gate, bars = rig.hub, rig.runner, rig.gate, rig.bars
    gate.release.set()
    result = await runner.run("billing-to-erp", trigger="manual")
    assert result is not None
    assert (result.status, result.exit_code, result.error) == ("succeeded", 0, None)
    assert result.requests == {"netsuite": 2}
    assert result.throttled == {"netsuite": 1}
    row = hub.rows[result.run_id]
    assert row.status == "succeeded"
    assert row.trigger == "manual"
    assert re.fullmatch(r"billing-to-erp:manual:[0-9a-f]{32}", row.run_key)
    assert row.counters == {
        "extracted": 3,
        "staged": 3,
        "transferred": 3,
        "failed": 0,
        "action_needed": 0,
        "skipped": 0,
    }
    assert (row.requests, row.throttled) == ({"netsuite": 2}, {"netsuite": 1})
    # the 429 also reached the run's progress display
    assert bars[result.run_id].throttled_total == 1
    assert bars[result.run_id].done == 3


async def test_never_two_runs_of_one_flow_at_once_in_the_process(rig: Rig) -> None:
    hub, runner, gate = rig.hub, rig.runner, rig.gate
    first = asyncio.create_task(runner.run("billing-to-erp", trigger="manual"))
    await gate.entered.wait()
    assert runner.is_running("billing-to-erp")
    assert await runner.run("billing-to-erp", trigger="manual") is None  # refused at once
    waiting = asyncio.create_task(runner.run("billing-to-erp", trigger="event", wait=True))
    await asyncio.sleep(0.02)
    assert not waiting.done()  # queued behind the running one, not running beside it
    gate.release.set()
    results = await asyncio.gather(first, waiting)
    assert [result.status for result in results if result] == ["succeeded", "succeeded"]
    assert gate.peak == 1
    assert len(hub.of("billing-to-erp")) == 2
    assert not runner.is_running("billing-to-erp")


async def test_other_flows_run_meanwhile(rig: Rig) -> None:
    _hub, runner, gate = rig.hub, rig.runner, rig.gate
    blocked = asyncio.create_task(runner.run("billing-to-erp", trigger="manual"))
    await gate.entered.wait()
    other = await runner.run("erp-payments-to-billing", trigger="manual")
    assert other is not None and other.status == "partial"
    gate.release.set()
    await blocked


async def test_a_run_elsewhere_makes_the_hub_refuse(rig: Rig) -> None:
    hub, runner, gate = rig.hub, rig.runner, rig.gate
    hub.start_run("billing-to-erp", trigger="cron", run_key="another-process")
    gate.release.set()
    assert await runner.run("billing-to-erp", trigger="manual") is None
    assert gate.contexts == []  # the flow never started


async def test_a_duplicate_run_key_is_a_no_op(rig: Rig) -> None:
    hub, runner = rig.hub, rig.runner
    key = "hierarchy-to-planning:schedule:2026-03-31T06:00:00+00:00"
    first = await runner.run("hierarchy-to-planning", trigger="cron", run_key=key)
    again = await runner.run("hierarchy-to-planning", trigger="cron", run_key=key)
    assert first is not None and again is None
    assert len(RecordingFlow.seen) == 1
    assert [row.run_key for row in hub.of("hierarchy-to-planning")] == [key]


async def test_fatal_stops_the_run_with_exit_code_2_and_no_secret(rig: Rig) -> None:
    hub, runner = rig.hub, rig.runner
    secret = "tba-token-5e6f7a8b9c"
    register_secret(secret)
    FatalFlow.secret = secret
    try:
        result = await runner.run("period-close", trigger="manual")
    finally:
        forget_secrets()
    assert result is not None
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error is not None and "NetSuite refused token" in result.error
    assert "check the TBA token" in result.error
    assert secret not in result.error
    assert hub.rows[result.run_id].status == "failed"
    assert hub.rows[result.run_id].error == result.error


async def test_transient_error_fails_the_run_with_exit_code_1(rig: Rig) -> None:
    hub, runner = rig.hub, rig.runner
    result = await runner.run("gl-actuals-to-planning", trigger="interval")
    assert result is not None
    assert (result.status, result.exit_code) == ("failed", 1)
    assert result.error == "Retriable: Pigment import API answered 503"
    assert hub.rows[result.run_id].status == "failed"


async def test_a_bug_fails_the_run_with_exit_code_2(rig: Rig) -> None:
    _hub, runner = rig.hub, rig.runner
    result = await runner.run("ar-ap-to-planning", trigger="manual")
    assert result is not None
    assert (result.status, result.exit_code) == ("failed", 2)
    assert result.error == "unexpected KeyError: 'missing'"


async def test_failed_records_make_exit_code_1(rig: Rig) -> None:
    hub, runner = rig.hub, rig.runner
    result = await runner.run("erp-payments-to-billing", trigger="manual")
    assert result is not None
    assert (result.status, result.exit_code) == ("partial", 1)
    assert hub.rows[result.run_id].counters["failed"] == 1


async def test_unknown_flow_raises_before_anything_is_recorded(rig: Rig) -> None:
    hub, runner = rig.hub, rig.runner
    with pytest.raises(Fatal, match="unknown flow 'no-such-flow'"):
        await runner.run("no-such-flow", trigger="manual")
    with pytest.raises(Fatal, match="not available"):
        await runner.run("forecast-digest", trigger="manual")
    assert hub.rows == {}


async def test_a_cancelled_run_is_recorded_cancelled(rig: Rig) -> None:
    hub, runner, gate = rig.hub, rig.runner, rig.gate
    task = asyncio.create_task(runner.run("billing-to-erp", trigger="manual"))
    await gate.entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (row,) = hub.of("billing-to-erp")
    assert row.status == "cancelled"
    assert not runner.is_running("billing-to-erp")


async def test_the_context_carries_the_request(rig: Rig) -> None:
    _hub, runner = rig.hub, rig.runner
    event = Event("netsuite.period.closed", "2026-03", {"period": "2026-03"})
    result = await runner.run(
        "hierarchy-to-planning",
        trigger="event",
        run_key="k1",
        dry_run=True,
        period=Period(2026, 3),
        event=event,
    )
    assert result is not None and result.outcome is not None
    (ctx,) = RecordingFlow.seen
    assert (ctx.run_id, ctx.flow, ctx.trigger, ctx.dry_run) == (
        result.run_id,
        "hierarchy-to-planning",
        "event",
        True,
    )
    assert ctx.period == Period(2026, 3)
    assert ctx.event == event
    assert ctx.params == {"model": "FY26"}
    assert ctx.now().tzinfo is not None
    assert result.outcome.dry_run_payloads[0]["external_id"] == "lb-ns-dep-1"


async def test_manual_runs_get_fresh_keys(rig: Rig) -> None:
    hub, runner = rig.hub, rig.runner
    for _ in range(3):
        assert await runner.run("hierarchy-to-planning", trigger="manual") is not None
    assert len({row.run_key for row in hub.rows.values()}) == 3


async def test_a_live_run_beats_and_stops_beating_when_it_ends(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from ledgerbridge.runtimes.local import runner as runner_module

    monkeypatch.setattr(runner_module, "HEARTBEAT_EVERY", timedelta(milliseconds=10))
    running = asyncio.create_task(rig.runner.run("billing-to-erp", trigger="manual"))
    await asyncio.sleep(0.15)  # the flow waits on the gate: the run is alive
    rig.gate.release.set()
    result = await running
    assert result is not None
    beats = rig.hub.rows[result.run_id].heartbeats
    assert beats >= 3
    await asyncio.sleep(0.05)
    assert rig.hub.rows[result.run_id].heartbeats == beats  # no beats after the run finished
