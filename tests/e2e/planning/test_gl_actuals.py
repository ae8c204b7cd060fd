"""gl-actuals-to-planning end to end on the demo seed, over real HTTP: the NetSuite and Pigment emulators
on loopback, the real CLI, and every assertion in the target's own state (Pigment cells and imports) or
the hub.

One world serves the module (each start costs seconds); the tests run in file order and each one leaves
Pigment equal to the trial balance for the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.planning.gl_actuals_support import (
    FLOW,
    actuals,
    configuration_id,
    diff,
    month_of,
    trial_balance,
)
from tests.e2e.planning.support import PlanningWorld, planning_world


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    with planning_world(tmp_path_factory.mktemp("gl-actuals")) as world:
        # by id: skips the name discovery (~20 metadata requests a run), which the tests' one process would
        # otherwise pay against Pigment's request window on every run
        world.set_params(FLOW, import_configuration=configuration_id(world))
        yield world


def _gl_imports(w: PlanningWorld) -> list[dict[str, Any]]:
    wanted = configuration_id(w)
    return [entry for entry in w.imports() if entry.get("configurationId") == wanted]


def _report_counts(entry: dict[str, Any]) -> tuple[int, int, int]:
    """(inserted, updated, deleted) of one import's detailed report."""
    summary = entry["detailedReport"]["summary"]
    return int(summary["insertedCount"]), int(summary["updatedCount"]), int(summary["deletedCount"])


def _account_id(w: PlanningWorld, number: str) -> str:
    (row,) = w.ns_rows(f"SELECT id FROM account WHERE acctnumber = '{number}'")
    return str(row["id"])


def _hub_rows(w: PlanningWorld, **filters: Any) -> list[Any]:
    store = w.hub()
    try:
        return store.list(flow=FLOW, limit=10_000, **filters)
    finally:
        store.close()


def test_first_run_equals_the_trial_balance_to_the_cent(w: PlanningWorld) -> None:
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    counters = summary["counters"]
    assert counters["transferred"] == counters["extracted"] > 20, counters
    expected = trial_balance(w)
    got = actuals(w)
    assert expected, "the demo GL maps to no planning cell: the oracle is broken"
    assert diff(expected, got) == {}
    # every month with P&L activity was loaded, with one push per period
    assert {key[0] for key in got} == {key[0] for key in expected}
    imports = _gl_imports(w)
    assert len(imports) == counters["transferred"]
    assert all(entry["importStatus"] == "Completed" for entry in imports), imports
    periods = _hub_rows(w, state="transferred")
    assert len([r for r in periods if r.source_type == "gl_period"]) == counters["extracted"]


def test_second_run_changes_nothing_and_costs_one_query(w: PlanningWorld) -> None:
    before = actuals(w)
    pushes_before = len(_gl_imports(w))
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert summary["counters"]["transferred"] == 0, summary
    # one detection query, plus the governance probe the connection may send when it opens
    assert summary["requests"].get("netsuite", 0) <= 2, summary["requests"]
    assert not any(key.startswith("pigment") for key in summary["requests"]), summary["requests"]
    assert len(_gl_imports(w)) == pushes_before
    assert actuals(w) == before


def test_forced_reload_of_a_period_pushes_the_same_file(w: PlanningWorld) -> None:
    """The ``periods`` param (what period-close uses) reloads now; Pigment reports nothing changed."""
    before = actuals(w)
    (period,) = w.ns_rows(
        "SELECT MAX(t.postingperiod) AS p FROM transaction t WHERE t.posting = 'T' AND t.postingperiod IN "
        "(SELECT id FROM accountingperiod WHERE closed = 'T' AND isquarter = 'F' AND isyear = 'F')"
    )
    count_before = len(_gl_imports(w))
    w.set_params(FLOW, periods=[str(period["p"])])
    try:
        summary = w.run(FLOW)
    finally:
        w.set_params(FLOW, periods=None)
    assert summary["exit_code_cli"] == 0, summary
    assert summary["counters"]["transferred"] == 1, summary
    imports = _gl_imports(w)
    assert len(imports) == count_before + 1
    assert _report_counts(imports[-1]) == (0, 0, 0), imports[-1]
    assert actuals(w) == before


def test_a_new_journal_entry_changes_exactly_its_cells(w: PlanningWorld) -> None:
    before = actuals(w)
    # the last full month is still open in the demo seed
    day = date.today().replace(day=1) - timedelta(days=1)
    day = day.replace(day=15)
    w.ns_create(
        "journalentry",
        {
            "subsidiary": {"id": "1"},
            "tranDate": day.isoformat(),
            "memo": "gl-actuals e2e: one new entry",
            "line": {
                "items": [
                    {"account": {"id": _account_id(w, "6400")}, "debit": "123.45", "department": {"id": "4"}},
                    {"account": {"id": _account_id(w, "4010")}, "credit": "23.45"},
                    {"account": {"id": _account_id(w, "1000")}, "credit": "100.00"},
                ]
            },
        },
    )
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert summary["counters"]["transferred"] == 1, summary  # only its period reloaded
    after = actuals(w)
    month = month_of(day.isoformat())
    changed = diff(before, after)
    # 6400 → Pigment 6400 in Sales (dept 4 → 200); 4010 → Pigment 4000, no department → 000; bank excluded
    assert set(changed) == {(month, "6400", "US01", "200"), (month, "4000", "US01", "000")}, changed
    old_6400 = before.get((month, "6400", "US01", "200"), Decimal(0))
    old_4000 = before.get((month, "4000", "US01", "000"), Decimal(0))
    assert after[(month, "6400", "US01", "200")] == old_6400 + Decimal("123.45")
    assert after[(month, "4000", "US01", "000")] == old_4000 + Decimal("23.45")  # revenue reads positive
    assert diff(trial_balance(w), after) == {}


def _open_month_day() -> date:
    """The 15th of the last full month (still open in the demo seed)."""
    return (date.today().replace(day=1) - timedelta(days=1)).replace(day=15)


def _waiting_then_retried(w: PlanningWorld, account: str, month: str) -> None:
    """Run: the account's lines wait (action_needed naming it), the rest of the month loads; then restore
    the mapping, ``hub retry`` the row through the CLI, run: the account's cells are in Pigment."""
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 1, (summary["counters"], summary["notes"], summary["requests"])
    waiting = _hub_rows(w, state="action_needed")
    assert len(waiting) == summary["counters"]["action_needed"] == 1, (summary, waiting)
    (row,) = waiting
    assert row.source_type == "gl_period_account" and row.payload["month"] == month
    assert f"'{account}'" in (row.error_message or "") and "planning-accounts" in (row.error_message or "")
    # the other accounts of the period loaded: Pigment equals the trial balance without this account
    rows = w.mapping_rows("planning-accounts")
    assert diff(trial_balance(w), actuals(w)) == {}
    assert not any(r["netsuite_account"] == account for r in rows)

    w.set_mapping_rows("planning-accounts", [*rows, {"netsuite_account": account, "pigment_account": "6400"}])
    code, answer = w.cli("hub", "retry", str(row.id))
    assert code == 0, answer
    summary = w.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert _hub_rows(w, state="action_needed") == []
    store = w.hub()
    try:
        settled = store.require(row.id)
    finally:
        store.close()
    assert settled.state.value == "transferred", settled
    assert diff(trial_balance(w), actuals(w)) == {}


def test_unmapped_account_waits_for_a_person_then_hub_retry_loads_it(w: PlanningWorld) -> None:
    day = _open_month_day()
    month = month_of(day.isoformat())
    account = w.ns_create(
        "account", {"acctNumber": "6950", "acctName": "Conference Sponsorships", "acctType": "Expense"}
    )
    w.ns_create(
        "journalentry",
        {
            "subsidiary": {"id": "1"},
            "tranDate": day.isoformat(),
            "memo": "gl-actuals e2e: an account nobody mapped",
            "line": {
                "items": [
                    {"account": {"id": account}, "debit": "900.00", "department": {"id": "7"}},
                    {
                        "account": {"id": _account_id(w, "6100")},
                        "credit": "900.00",
                        "department": {"id": "7"},
                    },
                ]
            },
        },
    )
    before = actuals(w)
    _waiting_then_retried(w, "6950", month)
    after = actuals(w)
    # 6950 → Pigment 6400 and its 6100 counterpart, both in Marketing (department 7 → 300)
    assert set(diff(before, after)) == {(month, "6400", "US01", "300"), (month, "6000", "US01", "300")}
    assert after[(month, "6400", "US01", "300")] == before.get((month, "6400", "US01", "300"), 0) + 900

    # the same with a row removed from the table: only that account's (period, account) row waits
    rows = w.mapping_rows("planning-accounts")
    w.set_mapping_rows("planning-accounts", [r for r in rows if r["netsuite_account"] != "6950"])
    _waiting_then_retried(w, "6950", month)
    assert actuals(w) == after
