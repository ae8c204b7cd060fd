"""The demo's period close: a person closes last month in NetSuite, ``period-close`` reports it.

The demo seed leaves the last full month open (every earlier month is closed), so the first pass of the
demo only records the closed months as period-close's baseline. This step then closes that month through
the NetSuite emulator's control route (NetSuite has no REST call for it: a controller closes periods in the
UI) and runs ``period-close`` again, which loads the month's final actuals into Pigment, moves the forecast's
switchover month and sends the budget-vs-actual summary to Slack and email. The summary shows the report
and what the Slack and SMTP emulators received.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from ledgerbridge.config.workspace import Workspace
from ledgerbridge.hub import HubStore
from ledgerbridge.interfaces.cli.run_cmds import summarize
from ledgerbridge.runtimes.local import FlowRunner
from ledgerbridge.runtimes.local.connections import open_connections

FLOW = "period-close"
_PERIODS_SQL = (
    "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS startdate, closed FROM accountingperiod "
    "WHERE isquarter = 'F' AND isyear = 'F'"
)


async def _last_open_month(workspace: Workspace, today: date) -> dict[str, Any] | None:
    """The latest month that ended before today and is still open, read with SuiteQL."""
    async with open_connections(workspace, names={"netsuite": True}) as clients:
        rows = [row async for row in clients["netsuite"].suiteql(_PERIODS_SQL)]
    ended = [
        row
        for row in rows
        if row.get("closed") == "F" and date.fromisoformat(str(row["startdate"])) < today.replace(day=1)
    ]
    return max(ended, key=lambda row: str(row["startdate"]), default=None)


async def _count(urls: dict[str, str], system: str, path: str) -> int:
    """How many messages an emulator's control route lists (Slack channel messages, SMTP mailbox)."""
    if system not in urls:
        return 0
    async with httpx.AsyncClient(base_url=urls[system], timeout=30) as http:
        answer = await http.get(path)
        answer.raise_for_status()
        return len(answer.json().get("messages", []))


async def close_last_month(
    workspace: Workspace, urls: dict[str, str], runner: FlowRunner, hub: HubStore, today: date
) -> dict[str, Any] | None:
    """Close last month in the NetSuite emulator, run period-close, and return what it produced."""
    if workspace.flow(FLOW) is None or "netsuite" not in urls:
        return None
    period = await _last_open_month(workspace, today)
    if period is None:
        return None
    async with httpx.AsyncClient(base_url=urls["netsuite"], timeout=30) as http:
        (await http.post(f"/_sandbox/netsuite/periods/{period['id']}/close")).raise_for_status()
    result = await runner.run(FLOW, trigger="manual")
    reports = [
        row.payload
        for row in hub.list(flow=FLOW, limit=1000)
        if row.payload.get("period_id") == str(period["id"]) and "totals" in row.payload
    ]
    return {
        "period": period["periodname"],
        "run": summarize(result) if result is not None else None,
        "report": reports[0] if reports else None,
        "slack_messages": await _count(urls, "slack", "/_sandbox/slack/messages"),
        "emails": await _count(urls, "mailbox", "/_sandbox/mail"),
    }
