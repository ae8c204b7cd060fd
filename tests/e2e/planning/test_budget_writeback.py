"""budget-writeback end to end: an approved Pigment budget version (demo seed "Budget FY26") → NetSuite
budget lines, over real HTTP through the CLI, checked in NetSuite's own ``budgets`` / ``budgetsmachine``.

One world for the module; the tests run in order: nothing approved, approval and first write (with one
ambiguous Pigment account left unresolved on purpose), a quiet re-run, one changed cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from .support import PlanningWorld, planning_world

FLOW = "budget-writeback"
VERSION = "Budget FY26"
D = Decimal
#: NetSuite rows that receive the budget where several map to one Pigment code. Pigment account 6500
#: (NetSuite 6200 and 6700) is left without a choice, so its lines must wait as action_needed.
ACCOUNT_TARGETS = {"4010", "5010", "6110"}
DEPARTMENT_TARGETS = {"1", "4", "9"}
AMBIGUOUS = "6500"

NS_BUDGET_SQL = (
    "SELECT a.acctnumber AS acct, b.subsidiary AS sub, b.department AS dept, "
    "TO_CHAR(ap.startdate, 'YYYY-MM') AS m, bm.amount AS amount, b.id AS id "
    "FROM budgets b JOIN budgetsmachine bm ON bm.budget = b.id JOIN account a ON a.id = b.account "
    "JOIN accountingperiod ap ON ap.id = bm.period JOIN budgetcategory c ON c.id = b.category "
    "WHERE c.name = 'Budget'"
)

Key = tuple[str, str, str, str]  # (NetSuite account number, subsidiary id, department id, "YYYY-MM")


def _mark(rows: list[dict[str, str]], key: str, chosen: set[str]) -> list[dict[str, str]]:
    return [{**row, "budget_target": "true"} if row[key] in chosen else row for row in rows]


def _only(rows: list[dict[str, str]], key: str, chosen: set[str]) -> list[dict[str, str]]:
    """Exactly ``chosen`` carry budget_target (the sandbox workspace marks its own choice, 6200 included)."""
    bare = [{k: v for k, v in row.items() if k != "budget_target"} for row in rows]
    return _mark(bare, key, chosen)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    root: Path = tmp_path_factory.mktemp("budget")
    with planning_world(root, systems=("netsuite", "pigment")) as w:
        w.set_mapping_rows(
            "planning-accounts",
            _only(w.mapping_rows("planning-accounts"), "netsuite_account", ACCOUNT_TARGETS),
        )
        w.set_mapping_rows(
            "planning-departments",
            _only(w.mapping_rows("planning-departments"), "netsuite_department", DEPARTMENT_TARGETS),
        )
        yield w


def reverse(w: PlanningWorld, name: str, key: str, value: str) -> dict[str, str]:
    """Pigment code → NetSuite key, the test's own reading of the mapping (single row, else budget_target)."""
    candidates: dict[str, list[dict[str, str]]] = {}
    for row in w.mapping_rows(name):
        if row[value] != "-":
            candidates.setdefault(row[value], []).append(row)
    out: dict[str, str] = {}
    for code, rows in candidates.items():
        chosen = rows if len(rows) == 1 else [r for r in rows if r.get("budget_target") == "true"]
        if len(chosen) == 1:
            out[code] = chosen[0][key]
    return out


def codes(w: PlanningWorld, list_name: str) -> dict[str, str]:
    return {item["name"]: str(item["properties"]["Code"]) for item in w.items(list_name)}


def month_code(label: str) -> str:
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"20{label[4:]}-{months.index(label[:3]) + 1:02d}"


def expected_budget(w: PlanningWorld) -> tuple[dict[Key, Decimal], set[str]]:
    """Pigment's Budget cells of the version, reverse-mapped to NetSuite keys; and the Pigment account codes
    that have no single NetSuite target."""
    accounts = reverse(w, "planning-accounts", "netsuite_account", "pigment_account")
    entities = reverse(w, "planning-entities", "netsuite_subsidiary", "pigment_entity")
    departments = reverse(w, "planning-departments", "netsuite_department", "pigment_department")
    account_code, entity_code, dept_code = codes(w, "Account"), codes(w, "Entity"), codes(w, "Department")
    out: dict[Key, Decimal] = {}
    unresolved: set[str] = set()
    for cell in w.cells("Budget"):
        dims = cell["dimensions"]
        if dims["Version"] != VERSION:
            continue
        account = account_code[dims["Account"]]
        if account not in accounts:
            unresolved.add(account)
            continue
        key = (
            accounts[account],
            entities[entity_code[dims["Entity"]]],
            departments[dept_code[dims["Department"]]],
            month_code(dims["Month"]),
        )
        out[key] = out.get(key, D(0)) + D(str(cell["value"]))
    return out, unresolved


def ns_budget(w: PlanningWorld) -> dict[Key, Decimal]:
    return {
        (r["acct"], r["sub"], r.get("dept", ""), r["m"]): D(r["amount"]) for r in w.ns_rows(NS_BUDGET_SQL)
    }


def flow_rows(w: PlanningWorld) -> list[Any]:
    with_hub = w.hub()
    try:
        return with_hub.list(flow=FLOW, limit=1000)
    finally:
        with_hub.close()


def test_nothing_is_written_before_a_budget_version_is_approved(world: PlanningWorld) -> None:
    before = ns_budget(world)
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert summary["counters"]["transferred"] == 0
    assert ns_budget(world) == before
    # the demo marks Actuals approved: only Budget-type versions are written back
    assert flow_rows(world) == []


def test_approved_version_is_written_to_netsuite_budgets(world: PlanningWorld) -> None:
    world.pigment("POST", f"/_sandbox/pigment/versions/{VERSION}/approve")
    summary = world.run(FLOW)
    expected, unresolved = expected_budget(world)
    assert unresolved == {AMBIGUOUS}
    # lines of the ambiguous account wait for a person; the others are written
    assert summary["exit_code_cli"] == 1, summary
    assert summary["counters"]["action_needed"] == 3  # 6500 for each of the three entities (G&A)
    actual = ns_budget(world)
    assert expected and {k: actual.get(k) for k in expected} == expected

    rows = flow_rows(world)
    waiting = [r for r in rows if r.state == "action_needed"]
    assert len(waiting) == 3
    assert all(
        AMBIGUOUS in (r.error_message or "") and "budget_target" in (r.error_message or "") for r in waiting
    )
    (version,) = [r for r in rows if r.source_type == "budget.version"]
    hub = world.hub()
    try:
        links = hub.links(version.id)
        audit = hub.audit(version.id)
    finally:
        hub.close()
    lines = [r for r in rows if r.source_type == "budget.line"]
    assert len(links) == len(lines) == len(expected) // 12 + 3
    # every transferred line is linked and carries its NetSuite budget import id
    assert all(r.target_id for r in lines if r.state == "transferred")
    approved = [e for e in audit if e.action == "budget_version_approved"]
    assert len(approved) == 1 and VERSION in (approved[0].reason or "")
    assert approved[0].detail and approved[0].detail["version"] == VERSION and approved[0].detail["seen_at"]


def test_rerun_writes_nothing_and_leaves_netsuite_unchanged(world: PlanningWorld) -> None:
    before = world.ns_rows(NS_BUDGET_SQL)
    summary = world.run(FLOW)
    assert summary["counters"]["transferred"] == 0, summary
    assert summary["counters"]["staged"] == 0, summary
    # at most the governanceLimits read that sizes the connection's limiter once per process
    assert summary["requests"].get("netsuite", 0) <= 1, summary
    assert world.ns_rows(NS_BUDGET_SQL) == before


def test_changed_cell_updates_exactly_that_netsuite_line(world: PlanningWorld) -> None:
    cell = next(
        c
        for c in world.cells("Budget")
        if c["dimensions"]["Version"] == VERSION and c["dimensions"]["Account"] == "Hosting"
    )
    new_value = D(str(cell["value"])) + D("1234.56")
    world.pigment(
        "PUT",
        "/_sandbox/pigment/metrics/Budget/cells",
        {"cells": [{"dimensions": cell["dimensions"], "value": str(new_value)}]},
    )
    world.pigment("POST", f"/_sandbox/pigment/versions/{VERSION}/approve")
    before = ns_budget(world)
    summary = world.run(FLOW)
    # the changed line and the version row (its fingerprint changed, so it is audited again)
    assert summary["counters"]["transferred"] == 2, summary
    assert summary["counters"]["staged"] == 1, summary
    after = ns_budget(world)
    changed = {k for k in after if after[k] != before.get(k)}
    assert len(changed) == 1
    expected, _ = expected_budget(world)
    (key,) = changed
    assert after[key] == expected[key] == new_value
    assert {k: after.get(k) for k in expected} == expected
    hub = world.hub()
    try:
        (version,) = [r for r in hub.list(flow=FLOW, limit=1000) if r.source_type == "budget.version"]
        approvals = [e for e in hub.audit(version.id) if e.action == "budget_version_approved"]
    finally:
        hub.close()
    assert len(approvals) == 2


def test_marking_a_budget_target_then_hub_retry_writes_the_waiting_lines(world: PlanningWorld) -> None:
    rows = world.mapping_rows("planning-accounts")
    world.set_mapping_rows("planning-accounts", _mark(rows, "netsuite_account", {"6200"}))
    code, _ = world.cli("hub", "retry", "--state", "action_needed", "--flow", FLOW)
    assert code == 0
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert summary["counters"]["action_needed"] == 0, summary
    expected, unresolved = expected_budget(world)
    assert unresolved == set()
    actual = ns_budget(world)
    assert {k: actual.get(k) for k in expected} == expected
    assert any(key[0] == "6200" for key in expected)
    assert all(r.state == "transferred" for r in flow_rows(world))


def test_a_line_removed_from_the_version_is_zeroed_in_netsuite(world: PlanningWorld) -> None:
    entity = codes(world, "Entity")
    gone = [
        c
        for c in world.cells("Budget")
        if c["dimensions"]["Version"] == VERSION
        and c["dimensions"]["Account"] == "Marketing Programs"
        and entity[c["dimensions"]["Entity"]] == "UK01"
    ]
    assert len(gone) == 12
    world.pigment(
        "PUT",
        "/_sandbox/pigment/metrics/Budget/cells",
        {"cells": [{"dimensions": c["dimensions"], "value": None} for c in gone]},
    )
    before = ns_budget(world)
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    after = ns_budget(world)
    changed = {k: after[k] for k in after if after[k] != before.get(k)}
    # NetSuite 6400 (Pigment 6400) for subsidiary 2 (UK01), department 7 (Marketing): twelve months of 0
    assert len(changed) == 12
    assert {(k[0], k[1], k[2]) for k in changed} == {("6400", "2", "7")}
    assert set(changed.values()) == {D(0)}
