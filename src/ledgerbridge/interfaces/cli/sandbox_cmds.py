"""``ledgerbridge sandbox up`` and ``ledgerbridge demo``.

The demo is the product on rails: it starts every emulator seeded with a demo company, writes a workspace
pointed at them (credentials by reference to the sandbox's own file), runs every flow this version has end to
end through the real HTTP stack, checks the NetSuite ledger through the connector, prints a summary (records
moved per flow, API requests spent, failures with reasons) and, without ``--once``, keeps the sandbox up.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from ledgerbridge.config.loader import load_workspace
from ledgerbridge.config.problems import ConfigErrors
from ledgerbridge.config.templates import render_sandbox
from ledgerbridge.config.workspace import Workspace
from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.flows import registry
from ledgerbridge.hub import HubStore
from ledgerbridge.interfaces.cli.demo_close import close_last_month
from ledgerbridge.interfaces.cli.render import EXIT_FATAL, fail, out, print_json, print_table
from ledgerbridge.interfaces.cli.run_cmds import WorkspaceContextFactory, summarize
from ledgerbridge.interfaces.cli.workspace import print_config_errors
from ledgerbridge.money import to_decimal
from ledgerbridge.runtimes.local import FlowRunner
from ledgerbridge.runtimes.local.connections import open_connections
from ledgerbridge.sandbox.world import SandboxStartError, run_sandbox, start_sandbox

sandbox_app = typer.Typer(help="The emulated world: every external system on loopback.", no_args_is_help=True)

SEEDS = ("demo", "empty", "netsuite2-sample")
DEMO_DIR = Path(".ledgerbridge/demo")

#: the trial balance per posting period and accounting book: every row must be zero in a balanced ledger
TRIAL_BALANCE_SQL = (
    "SELECT ap.periodname AS period, ap.startdate AS startdate, tal.accountingbook AS book, "
    "SUM(tal.amount) AS balance, COUNT(*) AS lines "
    "FROM transactionaccountingline tal "
    "JOIN transaction t ON t.id = tal.transaction "
    "JOIN accountingperiod ap ON ap.id = t.postingperiod "
    "WHERE tal.posting = 'T' "
    "GROUP BY ap.periodname, ap.startdate, tal.accountingbook "
    "ORDER BY ap.startdate ASC"
)


@sandbox_app.command("up")
def up(
    seed: Annotated[str, typer.Option("--seed", help="demo, empty or netsuite2-sample")] = "demo",
    tls: Annotated[bool, typer.Option("--tls", help="serve HTTPS with a generated CA")] = False,
    port_base: Annotated[int, typer.Option("--port-base", min=1024, max=65000)] = 8700,
) -> None:
    """Serve every emulator on 127.0.0.1 until Ctrl-C; writes .ledgerbridge/sandbox.json."""
    if seed not in SEEDS:
        fail(f"unknown seed {seed!r}", hint=f"use one of: {', '.join(SEEDS)}")
    try:
        run_sandbox(seed=seed, tls=tls, port_base=port_base, workdir=Path.cwd())
    except SandboxStartError as exc:
        fail(str(exc))


def demo(
    once: Annotated[bool, typer.Option("--once", help="run everything once and exit (CI)")] = False,
    port_base: Annotated[
        int,
        typer.Option("--port-base", help="sandbox ports start here; 0 picks free ports", min=0, max=65000),
    ] = 8700,
    workdir: Annotated[
        Path, typer.Option("--workdir", help="where the demo workspace and hub live")
    ] = DEMO_DIR,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Start the sandbox, run every flow end to end, print a summary; without --once keep serving."""
    shutil.rmtree(workdir / ".ledgerbridge", ignore_errors=True)  # a fresh hub and fresh credentials
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        sandbox = start_sandbox(seed="demo", port_base=port_base or None, workdir=workdir)
    except SandboxStartError as exc:
        fail(str(exc), hint="another sandbox may be running; try --port-base 9700")
    with sandbox:
        config_file = workdir / "ledgerbridge.yaml"
        config_file.write_text(render_sandbox(sandbox.info), encoding="utf-8")
        try:
            workspace = load_workspace(config_file)
        except ConfigErrors as errors:
            print_config_errors(errors)
            raise typer.Exit(EXIT_FATAL) from None
        summary = asyncio.run(_demo_run(workspace, dict(sandbox.urls)))
        summary["sandbox"] = sandbox.urls
        summary["workspace"] = str(config_file)
        if as_json:
            print_json(summary)
        else:
            _print_summary(summary)
        close = summary.get("close") or {}
        closed_ok = not close or (close.get("run") or {}).get("exit_code", 1) == 0
        code = (
            1
            if any(run["exit_code"] for run in summary["runs"])
            or not summary["ledger"]["balanced"]
            or not closed_ok
            else 0
        )
        if not once:
            out.print("\nThe sandbox stays up (Ctrl-C stops it). Try:")
            out.print(f"  ledgerbridge --config {config_file} hub list")
            _wait_for_interrupt()
    raise typer.Exit(code)


async def _demo_run(workspace: Workspace, urls: dict[str, str]) -> dict[str, Any]:
    available = registry.discover()
    runs: list[dict[str, Any]] = []
    close: dict[str, Any] | None = None
    with HubStore.open(workspace.hub.connect_url()) as hub:
        runner = FlowRunner(hub, WorkspaceContextFactory(workspace, hub))
        for flow in workspace.enabled_flows():
            if flow.name not in available:
                continue
            try:
                result = await runner.run(flow.name, trigger="manual")
            except LedgerbridgeError as exc:
                runs.append({"flow": flow.name, "status": "failed", "exit_code": 2, "error": str(exc)})
                continue
            if result is not None:
                runs.append(summarize(result))
        if "period-close" in available:
            close = await close_last_month(workspace, urls, runner, hub, datetime.now(UTC).date())
        stats = hub.stats()
    ledger = await _ledger_check(workspace)
    missing = [flow.name for flow in workspace.enabled_flows() if flow.name not in available]
    return {"runs": runs, "not_available": missing, "hub": stats, "ledger": ledger, "close": close}


async def _ledger_check(workspace: Workspace) -> dict[str, Any]:
    """The NetSuite trial balance per period and book, read through the connector with SuiteQL."""
    async with open_connections(workspace, names={"netsuite": True}) as clients:
        netsuite = clients["netsuite"]
        periods: list[dict[str, Any]] = []
        async for row in netsuite.suiteql(TRIAL_BALANCE_SQL):
            periods.append(
                {
                    "period": row.get("period"),
                    "book": row.get("book"),
                    "balance": to_decimal(row.get("balance") or "0"),
                    "lines": int(row.get("lines") or 0),
                }
            )
        requests = {kind: n for kind, n in netsuite.requests_sent.as_dict().items() if n}
    unbalanced = [p for p in periods if p["balance"] != Decimal(0)]
    return {
        "periods": len(periods),
        "posting_lines": sum(p["lines"] for p in periods),
        "balanced": not unbalanced,
        "unbalanced": unbalanced,
        "requests": requests,
    }


def _print_summary(summary: dict[str, Any]) -> None:
    out.print("[bold]ledgerbridge demo[/]")
    for name, url in summary["sandbox"].items():
        out.print(f"  {name:<10} {url}")
    if summary["runs"]:
        print_table(
            "flows",
            ("flow", "status", "moved", "failed", "action needed", "API requests", "error"),
            (
                (
                    run["flow"],
                    run["status"],
                    run.get("counters", {}).get("transferred", 0),
                    run.get("counters", {}).get("failed", 0),
                    run.get("counters", {}).get("action_needed", 0),
                    # per connection; the per-configuration push counters (pigment:push:<id>) stay in --json
                    " ".join(f"{k}={v}" for k, v in run.get("requests", {}).items() if ":" not in k),
                    run.get("error") or "",
                )
                for run in summary["runs"]
            ),
        )
    if summary["not_available"]:
        out.print(f"  flows not in this version yet: {', '.join(summary['not_available'])}")
    close = summary.get("close")
    if close:
        _print_close(close)
    ledger = summary["ledger"]
    verdict = "balanced" if ledger["balanced"] else f"UNBALANCED in {len(ledger['unbalanced'])} period(s)"
    out.print(
        f"  NetSuite ledger (SuiteQL through the connector): {ledger['periods']} period/book rows, "
        f"{ledger['posting_lines']} posting lines, trial balance {verdict}"
    )


def _print_close(close: dict[str, Any]) -> None:
    report = close.get("report") or {}
    totals = report.get("totals") or {}
    out.print(
        f"\n[bold]period close[/]: {close['period']} closed in NetSuite → period-close "
        f"({(close.get('run') or {}).get('status', 'not run')}): actual {totals.get('actual', '?')}, "
        f"budget {totals.get('budget', '?')}, variance {totals.get('variance', '?')} "
        f"({totals.get('variance_pct', '?')} %); Slack messages {close['slack_messages']}, "
        f"emails {close['emails']}"
    )
    lines = report.get("top_variances") or []
    if lines:
        print_table(
            "largest variances",
            ("account", "department", "actual", "budget", "variance", "%"),
            (
                (
                    line.get("account"),
                    line.get("department"),
                    line.get("actual"),
                    line.get("budget"),
                    line.get("variance"),
                    line.get("variance_pct"),
                )
                for line in lines
            ),
        )


def _wait_for_interrupt() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
