"""Test doubles for the runtime: an in-memory hub with HubStore's run contract, and small flows."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ledgerbridge.engine.limits import ConnectionLimiter, LimitSettings
from ledgerbridge.errors import Fatal, Retriable
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.registry import FlowRegistry


@dataclass
class RunRow:
    id: int
    flow: str
    trigger: str
    run_key: str
    status: str = "running"
    counters: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    throttled: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    heartbeats: int = 0


class FakeHub:
    """``start_run`` refuses a seen run key and a second running run of a flow, like ``HubStore``."""

    def __init__(self) -> None:
        self.rows: dict[int, RunRow] = {}

    def start_run(self, flow: str, *, trigger: str, run_key: str) -> int | None:
        if any(row.run_key == run_key for row in self.rows.values()):
            return None
        if any(row.flow == flow and row.status == "running" for row in self.rows.values()):
            return None
        run_id = len(self.rows) + 1
        self.rows[run_id] = RunRow(run_id, flow, trigger, run_key)
        return run_id

    def heartbeat_run(self, run_id: int) -> bool:
        row = self.rows[run_id]
        row.heartbeats += 1
        return row.status == "running"

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
        row = self.rows[run_id]
        assert row.status == "running", f"run {run_id} finished twice"
        row.status = status
        row.counters = dict(counters)
        row.requests = dict(requests)
        row.throttled = dict(throttled)
        row.error = error

    def of(self, flow: str) -> list[RunRow]:
        return [row for row in self.rows.values() if row.flow == flow]


class Gate:
    """Lets a test hold a flow run open and see how many runs overlap."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = asyncio.Event()
        self.active = 0
        self.peak = 0
        self.contexts: list[FlowContext] = []


class GatedFlow:
    """billing-to-erp: waits for its gate, uses the netsuite limiter twice and meets one 429."""

    name: ClassVar[str] = "billing-to-erp"
    gate: ClassVar[Gate]
    limiter: ClassVar[ConnectionLimiter]

    async def run(self, ctx: FlowContext) -> RunOutcome:
        gate = type(self).gate
        gate.contexts.append(ctx)
        gate.active += 1
        gate.peak = max(gate.peak, gate.active)
        gate.entered.set()
        try:
            await gate.release.wait()
            for _ in range(2):
                async with type(self).limiter.slot():
                    pass
            type(self).limiter.on_throttled(0)
            ctx.progress.advance(3)
            return RunOutcome(extracted=3, staged=3, transferred=3)
        finally:
            gate.active -= 1


class PartialFlow:
    name: ClassVar[str] = "erp-payments-to-billing"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        return RunOutcome(extracted=5, staged=5, transferred=3, failed=1, action_needed=1)


class FatalFlow:
    name: ClassVar[str] = "period-close"
    secret: ClassVar[str] = ""

    async def run(self, ctx: FlowContext) -> RunOutcome:
        raise Fatal(f"NetSuite refused token {type(self).secret}", hint="check the TBA token")


class TransientFlow:
    name: ClassVar[str] = "gl-actuals-to-planning"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        raise Retriable("Pigment import API answered 503", retry_after=30)


class BuggyFlow:
    name: ClassVar[str] = "ar-ap-to-planning"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        return {"not": "an outcome"}["missing"]  # type: ignore[return-value]


class RecordingFlow:
    """hierarchy-to-planning: records the context of each run."""

    name: ClassVar[str] = "hierarchy-to-planning"
    seen: ClassVar[list[FlowContext]] = []

    async def run(self, ctx: FlowContext) -> RunOutcome:
        type(self).seen.append(ctx)
        outcome = RunOutcome(extracted=1)
        if ctx.dry_run:
            outcome.add_dry_run_payload(
                target_system="pigment",
                target_type="Departments",
                external_id="lb-ns-dep-1",
                payload={"a": 1},
            )
        return outcome


def make_registry() -> tuple[FlowRegistry, Gate, ConnectionLimiter]:
    """A registry of the flows above with a fresh gate and limiter (class state reset per test)."""
    registry = FlowRegistry()
    gate = Gate()
    limiter = ConnectionLimiter("netsuite", LimitSettings(concurrency=2))
    GatedFlow.gate = gate
    GatedFlow.limiter = limiter
    RecordingFlow.seen = []
    for flow in (GatedFlow, PartialFlow, FatalFlow, TransientFlow, BuggyFlow, RecordingFlow):
        registry.register(flow)
    return registry, gate, limiter


def params_for(**flows: Any) -> dict[str, dict[str, Any]]:
    return {name.replace("_", "-"): dict(value) for name, value in flows.items()}
