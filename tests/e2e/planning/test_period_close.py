"""period-close end to end on the demo seed: NetSuite, Pigment, Slack and the SMTP mailbox on loopback, the
real CLI. Closing October 2026 in NetSuite sends exactly one Slack message and one email whose figures are
Pigment's budget vs actual for that month; a re-run sends nothing; a reopen is reported and not reloaded; a
second close sends revision 2.

The tests of this module share one world and run in order (each step builds on the previous one).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from ledgerbridge.hub import State

from .support import PlanningWorld, planning_world

D = Decimal
PERIOD = "2026-10"
MONTH = "Oct 26"
BUDGET = "Budget FY26"
FORECAST = "Forecast FY26"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    root: Path = tmp_path_factory.mktemp("period-close")
    with planning_world(root) as found:
        yield found


def period_id(world: PlanningWorld, name: str) -> str:
    (row,) = world.ns_rows(f"SELECT id FROM accountingperiod WHERE periodname = '{name}'")
    return str(row["id"])


def switchover(world: PlanningWorld, version: str) -> Any:
    (item,) = [item for item in world.items("Version") if item["name"] == version]
    return item["properties"]["Switchover Month"]


def expected_lines(world: PlanningWorld) -> dict[tuple[str, str], tuple[D, D, D]]:
    """Pigment's own cells of the month (control routes), summed over entities per account x department."""
    sums: dict[tuple[str, str], list[D]] = {}

    def add(metric: str, index: int, **filters: str) -> None:
        for cell in world.cells(metric, Month=MONTH):
            dims = cell["dimensions"]
            if any(dims.get(k) != v for k, v in filters.items()) or cell["value"] is None:
                continue
            key = (dims["Account"], dims["Department"])
            sums.setdefault(key, [D(0), D(0), D(0)])[index] += D(str(cell["value"]))

    add("Actuals", 0)
    add("Budget", 1, Version=BUDGET)
    add("Variance", 2, Version=BUDGET)
    return {key: (a, b, v) for key, (a, b, v) in sums.items()}


def money(amount: D) -> str:
    return f"{amount:,.2f}"


def line_of(text: str, account: str, department: str) -> str:
    found = [line for line in text.splitlines() if account[:30] in line and department[:26] in line]
    assert len(found) == 1, (account, department, text)
    return found[0]


def test_first_run_records_the_baseline_and_sends_nothing(world: PlanningWorld) -> None:
    # the demo Pigment seed already switched over in October; start from September, NetSuite's last close
    world.pigment(
        "PATCH", f"/_sandbox/pigment/lists/Version/items/{FORECAST}", {"Switchover Month": "Sep 26"}
    )
    summary = world.run("period-close")
    assert summary["exit_code_cli"] == 0, str(summary)
    assert world.slack_messages() == [] and world.emails() == []
    hub = world.hub()
    baseline = hub.find_by_external_id("lb-close-2026-09")
    assert baseline is not None and baseline.state is State.SKIPPED
    assert hub.find_by_external_id(f"lb-close-{PERIOD}") is None  # October is still open


def test_a_close_with_incomplete_actuals_is_held(world: PlanningWorld) -> None:
    """An October account without a mapping: gl-actuals leaves that slice action_needed, so the close report
    is held (action_needed) and nothing is sent; after the mapping is back, `hub retry` sends it."""
    rows = world.mapping_rows("planning-accounts")
    used = {
        str(row["acctnumber"])
        for row in world.ns_rows(
            "SELECT DISTINCT a.acctnumber FROM transactionaccountingline tal "
            "JOIN transaction t ON t.id = tal.transaction JOIN account a ON a.id = tal.account "
            f"WHERE t.postingperiod = {period_id(world, 'Oct 2026')} AND tal.posting = 'T'"
        )
    }
    dropped = next(row for row in rows if row["netsuite_account"] in used and row["pigment_account"] != "-")
    world.set_mapping_rows("planning-accounts", [row for row in rows if row is not dropped])
    world.ns_control("POST", f"/_sandbox/netsuite/periods/{period_id(world, 'Oct 2026')}/close")
    preview = world.run("period-close", "--dry-run")
    assert [p["external_id"] for p in preview["dry_run_payloads"]] == [f"lb-close-{PERIOD}"], str(preview)
    assert world.hub().find_by_external_id(f"lb-close-{PERIOD}") is None  # a dry run writes nothing
    summary = world.run("period-close")
    assert summary["exit_code_cli"] == 1, str(summary)
    assert world.slack_messages() == [] and world.emails() == []
    held = world.hub().find_by_external_id(f"lb-close-{PERIOD}")
    assert held is not None and held.state is State.ACTION_NEEDED
    assert "incomplete" in (held.error_message or ""), held.error_message
    assert switchover(world, FORECAST) == "Sep 26"  # nothing moved for a held close

    world.set_mapping_rows("planning-accounts", rows)
    code, _ = world.cli("hub", "retry", str(held.id))
    assert code == 0


def test_closing_a_month_sends_one_summary_with_pigments_figures(world: PlanningWorld) -> None:
    summary = world.run("period-close")
    assert summary["exit_code_cli"] == 0, str(summary)

    (slack,) = world.slack_messages()
    (mail,) = world.emails()
    assert switchover(world, FORECAST) == MONTH
    # the actuals were loaded by gl-actuals-to-planning for the period
    assert any(cell["value"] for cell in world.cells("Actuals", Month=MONTH))

    expected = expected_lines(world)
    actual = sum((a for a, _, _ in expected.values()), D(0))
    budget = sum((b for _, b, _ in expected.values()), D(0))
    variance = sum((v for _, _, v in expected.values()), D(0))
    assert variance == actual - budget
    top = sorted(expected.items(), key=lambda kv: (-abs(kv[1][2]), kv[0]))[:10]

    record = world.hub().find_by_external_id(f"lb-close-{PERIOD}")
    assert record is not None and record.state is State.TRANSFERRED
    report = record.payload
    assert D(report["totals"]["actual"]) == actual
    assert D(report["totals"]["budget"]) == budget and D(report["totals"]["variance"]) == variance
    assert [(line["account"], line["department"]) for line in report["top_variances"]] == [k for k, _ in top]
    assert (report["budget_version"], report["forecast_version"], report["month"]) == (
        BUDGET,
        FORECAST,
        MONTH,
    )

    totals = f"Actual {money(actual)} | Budget {money(budget)}"
    for text in (html.unescape(slack["text"]), mail["text"], html.unescape(mail["html"])):
        assert totals in text
        assert f"Variance {money(variance)}" in text
    for (account, department), (a, b, v) in top:
        pct = (v * 100 / b).quantize(D("0.1"), rounding=ROUND_HALF_UP) if b else None
        for text in (html.unescape(slack["text"]), mail["text"]):
            row = line_of(text, account, department)
            assert [money(a), money(b), money(v)] == row.split()[-4:-1], row
            assert row.split()[-1] == ("n/a" if pct is None else f"{pct:+}%")
        assert f'<td align="right">{money(v)}</td>' in mail["html"]

    slack_row = world.hub().find_by_external_id(f"lb-close-{PERIOD}-slack")
    email_row = world.hub().find_by_external_id(f"lb-close-{PERIOD}-email")
    assert slack_row is not None and slack_row.target_id == f"{slack['channel']}:{slack['ts']}"
    assert email_row is not None and email_row.target_id == mail["message_id"]


def test_a_rerun_sends_nothing_more(world: PlanningWorld) -> None:
    imports = len(world.imports())
    summary = world.run("period-close")
    assert summary["exit_code_cli"] == 0, str(summary)
    assert len(world.slack_messages()) == 1 and len(world.emails()) == 1
    assert len(world.imports()) == imports


def test_a_reopened_month_is_reported_and_not_reloaded(world: PlanningWorld) -> None:
    imports = len(world.imports())
    world.ns_control("POST", f"/_sandbox/netsuite/periods/{period_id(world, 'Oct 2026')}/reopen")
    summary = world.run("period-close")
    assert summary["exit_code_cli"] == 1, summary  # a person must look at it
    assert any("reopened" in note for note in summary.get("notes", [])), summary
    messages = world.slack_messages()
    assert len(messages) == 2 and "reopened" in messages[1]["text"]
    assert len(world.emails()) == 1
    assert len(world.imports()) == imports  # no actuals reload, no switchover push
    notice = world.hub().find_by_external_id(f"lb-close-{PERIOD}-r1-reopened")
    assert notice is not None and notice.state is State.ACTION_NEEDED
    # and it is reported once
    world.run("period-close")
    assert len(world.slack_messages()) == 2


def test_closing_it_again_sends_revision_two(world: PlanningWorld) -> None:
    world.ns_control("POST", f"/_sandbox/netsuite/periods/{period_id(world, 'Oct 2026')}/close")
    summary = world.run("period-close")
    assert summary["exit_code_cli"] == 0, str(summary)
    messages, mails = world.slack_messages(), world.emails()
    assert len(messages) == 3 and len(mails) == 2
    assert "revision 2" in messages[2]["text"] and "revision 2" in mails[1]["subject"]
    record = world.hub().find_by_external_id(f"lb-close-{PERIOD}-r2")
    assert record is not None and record.state is State.TRANSFERRED and record.payload["revision"] == 2
