"""`ledgerbridge demo --once`: sandbox, a workspace pointed at it, every flow there is, the ledger check."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ledgerbridge.interfaces.cli.main import app


def test_demo_once_runs_end_to_end_and_exits_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--once", "--port-base", "0", "--workdir", str(tmp_path / "demo"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    ledger = summary["ledger"]
    # the demo seed holds 24 months of GL history; every period must balance to the cent
    assert ledger["balanced"] is True and ledger["unbalanced"] == []
    assert ledger["periods"] >= 24 and ledger["posting_lines"] > 0
    assert ledger["requests"]["query"] >= 1
    assert all(run["exit_code"] == 0 for run in summary["runs"])
    # every planning flow ran and moved something into Pigment (or, for period-close, set its baseline)
    moved = {run["flow"]: run["counters"]["transferred"] for run in summary["runs"]}
    for flow in (
        "hierarchy-to-planning",
        "gl-actuals-to-planning",
        "ar-ap-to-planning",
        "revenue-to-planning",
    ):
        assert moved.get(flow, 0) > 0, (flow, moved)
    # then last month is closed in NetSuite: one Slack message, one email, a report with ten lines
    close = summary["close"]
    assert close["run"]["exit_code"] == 0, close
    assert (close["slack_messages"], close["emails"]) == (1, 1), close
    assert close["report"]["totals"]["actual"] and len(close["report"]["top_variances"]) == 10
    # the workspace it wrote references the sandbox's credentials, never inlines them
    workspace = (tmp_path / "demo" / "ledgerbridge.yaml").read_text()
    sandbox = json.loads((tmp_path / "demo" / ".ledgerbridge" / "sandbox.json").read_text())
    assert sandbox["netsuite"]["token_secret"] not in workspace
    assert sandbox["netsuite"]["token_secret"] not in result.output
