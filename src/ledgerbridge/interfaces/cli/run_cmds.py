"""``ledgerbridge run FLOW`` (one run now) and ``ledgerbridge start`` (scheduler + triggers).

A run needs the workspace file: its connections (each opened behind its process-global limiter), the flow's
params and the hub. ``--dry-run`` goes through every step but the writes and prints the exact payloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

import typer

from ledgerbridge.config.flows import FlowConfig
from ledgerbridge.config.workspace import Workspace
from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.flows import registry
from ledgerbridge.flows.base import FlowContext, ProgressSink
from ledgerbridge.hub import HubStore
from ledgerbridge.interfaces.cli.progress import RichProgress
from ledgerbridge.interfaces.cli.render import EXIT_FATAL, err, fail, fail_with, out, print_json, print_table
from ledgerbridge.interfaces.cli.workspace import open_hub, require_workspace
from ledgerbridge.money import Period
from ledgerbridge.runtimes.local import (
    EventBus,
    FlowRunner,
    RunRequest,
    RunResult,
    ScheduleEntry,
    Scheduler,
    StaticContextFactory,
    trigger_from_spec,
)
from ledgerbridge.runtimes.local.connections import open_connections


def flow_params(flow: FlowConfig) -> dict[str, Any]:
    """What a flow sees as ``ctx.params``: its configured params plus the names of its two connections."""
    return {"source": flow.source, "target": flow.target, "batch": flow.batch.model_dump(), **flow.params}


def all_params(workspace: Workspace) -> dict[str, Mapping[str, Any]]:
    return {flow.name: flow_params(flow) for flow in workspace.flows}


class WorkspaceContextFactory:
    """Opens the workspace's connections for each run and closes them after it."""

    def __init__(self, workspace: Workspace, hub: HubStore, progress: ProgressSink | None = None) -> None:
        self._workspace = workspace
        self._hub = hub
        self._progress = progress

    @contextlib.asynccontextmanager
    async def __call__(self, request: RunRequest) -> AsyncIterator[FlowContext]:
        flow = self._workspace.flow(request.flow)
        wanted = {flow.source: True, flow.target: True} if flow else None
        if flow is not None and wanted is not None:
            # a flow may name more connections in its params (period-close: slack_connection and the like)
            for key, value in flow.params.items():
                if key.endswith("_connection") and isinstance(value, str):
                    wanted[value] = True
        async with open_connections(self._workspace, names=wanted) as clients:
            progress = self._progress
            static = StaticContextFactory(
                self._hub,
                clients,
                params=all_params(self._workspace),
                mappings=self._workspace.mappings,
                progress=(lambda _request: progress) if progress is not None else None,
            )
            async with static(request) as ctx:
                yield ctx


def summarize(result: RunResult) -> dict[str, Any]:
    outcome = result.outcome
    return {
        "run_id": result.run_id,
        "flow": result.flow,
        "status": result.status,
        "exit_code": result.exit_code,
        "counters": outcome.counters() if outcome else {},
        "requests": result.requests,
        "throttled": result.throttled,
        "error": result.error,
        "notes": outcome.notes if outcome else [],
        "dry_run_payloads": outcome.dry_run_payloads if outcome else [],
    }


def print_result(summary: Mapping[str, Any]) -> None:
    counters = " ".join(f"{k}={v}" for k, v in summary["counters"].items())
    requests = " ".join(f"{k}={v}" for k, v in summary["requests"].items()) or "none"
    out.print(f"[bold]{summary['flow']}[/] run {summary['run_id']}: {summary['status']} — {counters}")
    out.print(f"  API requests: {requests}")
    for note in summary["notes"]:
        out.print(f"  note: {note}", markup=False)
    if summary["error"]:
        err.print(f"  error: {summary['error']}", markup=False)


def _period(value: str | None) -> Period | None:
    if value is None:
        return None
    try:
        return Period.parse(value)
    except ValueError as exc:
        fail(str(exc), hint="give the period as YYYY-MM, e.g. 2026-03")


def run(
    ctx: typer.Context,
    flow: Annotated[str, typer.Argument(help="the flow name, e.g. gl-actuals-to-planning")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show the exact payloads; write nothing")
    ] = False,
    period: Annotated[str | None, typer.Option("--period", help="fiscal month YYYY-MM")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the run summary as JSON")] = False,
) -> None:
    """Run one flow now. Exit 0 ok, 1 some records failed, 2 fatal or configuration error."""
    workspace = require_workspace(ctx)
    workspace.logging.apply()
    registry.discover()
    config = workspace.flow(flow)
    if config is None:
        fail(
            f"flow {flow!r} is not in {workspace.source_path}",
            hint="add it under flows: and run `config check`",
        )
    wanted_period = _period(period)
    with open_hub(workspace) as hub:
        try:
            result = asyncio.run(
                _run_once(workspace, hub, flow, dry_run, wanted_period, show_progress=not as_json)
            )
        except LedgerbridgeError as exc:
            fail_with(exc)
    if result is None:
        fail(
            f"flow {flow!r} is already running",
            hint="wait for it to finish (`ledgerbridge runs`)",
            code=EXIT_FATAL,
        )
    summary = summarize(result)
    if as_json:
        print_json(summary)
    else:
        print_result(summary)
        if dry_run:
            print_json(summary["dry_run_payloads"])
    raise typer.Exit(result.exit_code)


async def _run_once(
    workspace: Workspace,
    hub: HubStore,
    flow: str,
    dry_run: bool,
    period: Period | None,
    *,
    show_progress: bool,
) -> RunResult | None:
    with RichProgress(err, enabled=show_progress) as progress:
        runner = FlowRunner(hub, WorkspaceContextFactory(workspace, hub, progress))
        return await runner.run(flow, trigger="manual", dry_run=dry_run, period=period)


def schedule_entries(workspace: Workspace) -> list[ScheduleEntry]:
    """Scheduler entries for every enabled flow with a cron, interval or event trigger."""
    entries = []
    for flow in workspace.enabled_flows():
        if flow.trigger.kind == "manual" or flow.name not in registry.names():
            continue
        trigger = trigger_from_spec(flow.trigger.model_dump(), timezone=workspace.workspace.timezone)
        entries.append(ScheduleEntry(flow.name, trigger))
    return entries


def start(ctx: typer.Context) -> None:
    """Run the scheduler and event triggers of every enabled flow until interrupted (Ctrl-C)."""
    workspace = require_workspace(ctx)
    workspace.logging.apply()
    available = registry.discover()
    entries = schedule_entries(workspace)
    skipped = [f.name for f in workspace.enabled_flows() if f.name not in available]
    if skipped:
        err.print(f"not available in this version, not scheduled: {', '.join(skipped)}", markup=False)
    print_table("scheduled flows", ("flow", "trigger"), ((e.flow, type(e.trigger).__name__) for e in entries))
    with open_hub(workspace) as hub:
        asyncio.run(_serve(workspace, hub, entries))


async def _serve(workspace: Workspace, hub: HubStore, entries: list[ScheduleEntry]) -> None:
    runner = FlowRunner(hub, WorkspaceContextFactory(workspace, hub))
    scheduler = Scheduler(runner, entries, bus=EventBus())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, scheduler.stop)
    out.print("ledgerbridge is running; Ctrl-C stops it.")
    await scheduler.run()
