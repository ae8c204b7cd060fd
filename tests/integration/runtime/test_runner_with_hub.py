"""The local runtime on the real HubStore (SQLite and PostgreSQL) with a flow doing real HTTP.

The flow calls a fake vendor on loopback through a LimitedTransport; the vendor throttles once. The run
row must carry the requests and the 429 spent on that connection, and the hub — not the runner's own
lock — must stop a second process (another runner) from running the flow at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from ledgerbridge.engine.limits import LimiterRegistry, LimitSettings
from ledgerbridge.engine.transport import LimitedTransport
from ledgerbridge.errors import Fatal, Retriable
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.registry import FlowRegistry
from ledgerbridge.hub import HubStore
from ledgerbridge.log import forget_secrets, register_secret
from ledgerbridge.runtimes.local.runner import FlowRunner, RunRequest
from ledgerbridge.runtimes.local.scheduler import ScheduleEntry, Scheduler
from ledgerbridge.runtimes.local.triggers import IntervalTrigger
from tests.support.servers import serve

SECRET = "nue-api-key-0f1e2d3c4b5a"


def vendor() -> FastAPI:
    app = FastAPI()
    state = {"calls": 0}

    @app.get("/invoices/{n}")
    async def invoice(n: int) -> Response:
        state["calls"] += 1
        if state["calls"] == 3:
            return JSONResponse({"error": "slow down"}, status_code=429, headers={"Retry-After": "0"})
        return JSONResponse({"id": n, "total": "10.00"})

    return app


class PullInvoices:
    """billing-to-erp: reads five invoices, retrying a 429 the way a connector would."""

    name: ClassVar[str] = "billing-to-erp"
    hold: ClassVar[asyncio.Event | None] = None
    entered: ClassVar[asyncio.Event | None] = None

    async def run(self, ctx: FlowContext) -> RunOutcome:
        if type(self).entered is not None:
            type(self).entered.set()
        if type(self).hold is not None:
            await type(self).hold.wait()
        client: httpx.AsyncClient = ctx.connection("nue")
        outcome = RunOutcome()
        for n in range(5):
            for _ in range(3):
                response = await client.get(f"/invoices/{n}")
                if response.status_code != 429:
                    break
            response.raise_for_status()
            outcome.add(extracted=1)
        return outcome


class BadCredentials:
    name: ClassVar[str] = "period-close"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        raise Fatal(f"Nue rejected api key {SECRET}", hint="check connections.nue.api_key")


class Flaky:
    name: ClassVar[str] = "gl-actuals-to-planning"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        raise Retriable("503 from Pigment")


class HttpContext:
    """A context factory that opens the connector client per run and closes it afterwards."""

    def __init__(self, hub: HubStore, base_url: str, limiters: LimiterRegistry) -> None:
        self.hub = hub
        self.base_url = base_url
        self.limiters = limiters
        self.closed = 0

    @contextlib.asynccontextmanager
    async def __call__(self, request: RunRequest) -> AsyncIterator[FlowContext]:
        limiter = self.limiters.limiter_for("nue", LimitSettings(concurrency=2, requests_per_window=100))
        client = httpx.AsyncClient(base_url=self.base_url, transport=LimitedTransport(limiter))
        try:
            yield FlowContext(
                run_id=request.run_id,
                flow=request.flow,
                params={},
                hub=self.hub,
                connections={"nue": client},
                trigger=request.trigger,
            )
        finally:
            await client.aclose()
            self.closed += 1


def registry() -> FlowRegistry:
    flows = FlowRegistry()
    for flow in (PullInvoices, BadCredentials, Flaky):
        flows.register(flow)
    PullInvoices.hold = None
    PullInvoices.entered = None
    return flows


async def test_runs_are_recorded_with_requests_and_throttles(hub: HubStore) -> None:
    limiters = LimiterRegistry()
    with serve(vendor()) as base_url:
        factory = HttpContext(hub, base_url, limiters)
        runner = FlowRunner(hub, factory, registry())
        result = await runner.run("billing-to-erp", trigger="manual")
    assert result is not None and result.status == "succeeded"
    assert factory.closed == 1
    (row,) = hub.runs("billing-to-erp")
    assert (row.id, row.status, row.trigger, row.error) == (result.run_id, "succeeded", "manual", None)
    assert row.counters["extracted"] == 5
    assert row.requests == {"nue": 6}  # five invoices and one retried 429
    assert row.throttled == {"nue": 1}
    assert row.finished_at is not None
    assert limiters.limiter_for("nue").throttled_total == 1


async def test_fatal_and_transient_failures_are_recorded(hub: HubStore) -> None:
    register_secret(SECRET)
    try:
        with serve(vendor()) as base_url:
            runner = FlowRunner(hub, HttpContext(hub, base_url, LimiterRegistry()), registry())
            fatal = await runner.run("period-close", trigger="manual")
            transient = await runner.run("gl-actuals-to-planning", trigger="interval", run_key="gl:1")
    finally:
        forget_secrets()
    assert fatal is not None and (fatal.status, fatal.exit_code) == ("failed", 2)
    assert transient is not None and (transient.status, transient.exit_code) == ("failed", 1)
    (fatal_row,) = hub.runs("period-close")
    assert fatal_row.status == "failed"
    assert fatal_row.error is not None and "Nue rejected api key" in fatal_row.error
    assert SECRET not in fatal_row.error
    (transient_row,) = hub.runs("gl-actuals-to-planning")
    assert transient_row.error == "Retriable: 503 from Pigment"


async def test_the_hub_keeps_a_second_process_from_running_the_flow(hub: HubStore) -> None:
    limiters = LimiterRegistry()
    with serve(vendor()) as base_url:
        flows = registry()
        hold, entered = asyncio.Event(), asyncio.Event()
        PullInvoices.hold, PullInvoices.entered = hold, entered
        # two runners = two processes: they share nothing but the hub
        first = FlowRunner(hub, HttpContext(hub, base_url, limiters), flows)
        second = FlowRunner(hub, HttpContext(hub, base_url, limiters), flows)
        running = asyncio.create_task(first.run("billing-to-erp", trigger="manual"))
        await entered.wait()
        assert await second.run("billing-to-erp", trigger="manual") is None
        hold.set()
        result = await running
    assert result is not None and result.status == "succeeded"
    assert [row.status for row in hub.runs("billing-to-erp")] == ["succeeded"]


async def test_two_schedulers_fire_one_run_per_fire(hub: HubStore) -> None:
    limiters = LimiterRegistry()
    now = datetime(2026, 3, 31, 10, 2, 30, tzinfo=UTC)
    with serve(vendor()) as base_url:
        flows = registry()
        schedulers = [
            Scheduler(
                FlowRunner(hub, HttpContext(hub, base_url, limiters), flows),
                [ScheduleEntry("billing-to-erp", IntervalTrigger(60))],
            )
            for _ in range(2)
        ]
        for scheduler in schedulers:
            scheduler.tick(now)
        await asyncio.gather(*(scheduler.wait_idle() for scheduler in schedulers))
        for scheduler in schedulers:
            scheduler.tick(now + timedelta(minutes=1))
        await asyncio.gather(*(scheduler.wait_idle() for scheduler in schedulers))
    keys = sorted(row.run_key for row in hub.runs("billing-to-erp"))
    assert keys == [
        "billing-to-erp:schedule:2026-03-31T10:02:00+00:00",
        "billing-to-erp:schedule:2026-03-31T10:03:00+00:00",
    ]


async def test_duplicate_run_key_is_a_no_op_on_the_real_hub(hub: HubStore) -> None:
    with serve(vendor()) as base_url:
        runner = FlowRunner(hub, HttpContext(hub, base_url, LimiterRegistry()), registry())
        key = "billing-to-erp:event:nue.invoice.activated:INV-1"
        first = await runner.run("billing-to-erp", trigger="event", run_key=key)
        again = await runner.run("billing-to-erp", trigger="event", run_key=key)
    assert first is not None and first.status == "succeeded"
    assert again is None
    assert len(hub.runs("billing-to-erp")) == 1
