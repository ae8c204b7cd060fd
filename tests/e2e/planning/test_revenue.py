"""revenue-to-planning end to end: NetSuite demo seed ARM plans → Pigment demo revenue and SaaS metrics, over
real HTTP through the CLI. The expected figures are computed here from SuiteQL rows, independently of the
flow's code, following the definitions of docs/flows/revenue-to-planning.md.

One world for the module; the tests run in order (first load, then a period close, then a quiet run).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from .support import PlanningWorld, planning_world

FLOW = "revenue-to-planning"
D = Decimal
ZERO = D(0)

LINES_SQL = (
    "SELECT rpl.id AS id, rpl.plan AS plan, rpl.amount AS amount, rpl.isrecognized AS rec, "
    "TO_CHAR(ap.startdate, 'YYYY-MM-DD') AS month, tl.subsidiary AS sub, a.acctnumber AS acct "
    "FROM revenueplanline rpl JOIN revenueplan rp ON rp.id = rpl.plan "
    "JOIN accountingperiod ap ON ap.id = rpl.period "
    "JOIN transactionline tl ON tl.transaction = rp.createdfrom AND tl.mainline = 'T' "
    "JOIN item i ON i.id = rp.item JOIN account a ON a.id = i.incomeaccount"
)
PLANS_SQL = (
    "SELECT rp.id AS id, rp.amount AS amount, TO_CHAR(rp.startdate, 'YYYY-MM-DD') AS s, "
    "TO_CHAR(rp.enddate, 'YYYY-MM-DD') AS e, tl.subsidiary AS sub FROM revenueplan rp "
    "JOIN transactionline tl ON tl.transaction = rp.createdfrom AND tl.mainline = 'T'"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningWorld]:
    root: Path = tmp_path_factory.mktemp("revenue")
    with planning_world(root, systems=("netsuite", "pigment")) as w:
        yield w


def label(month: str) -> str:
    day = date.fromisoformat(f"{month[:7]}-01")
    return f"{calendar.month_abbr[day.month]} {day.year % 100:02d}"


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(first: date, last: date) -> list[date]:
    out, cur = [], first.replace(day=1)
    while cur <= last:
        out.append(cur)
        cur = date(cur.year + cur.month // 12, cur.month % 12 + 1, 1)
    return out


def maps(w: PlanningWorld) -> tuple[dict[str, str], dict[str, str]]:
    subs = {r["netsuite_subsidiary"]: r["pigment_entity"] for r in w.mapping_rows("planning-entities")}
    accts = {r["netsuite_account"]: r["pigment_account"] for r in w.mapping_rows("planning-accounts")}
    return subs, accts


def expected_revenue(w: PlanningWorld) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    """(Month label, entity code, account code) → (recognized, deferred), from SuiteQL rows."""
    subs, accts = maps(w)
    lines = w.ns_rows(LINES_SQL)
    by_plan: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_plan[line["plan"]].append(line)
    all_months = sorted({line["month"][:7] for line in lines})
    out: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for plan_lines in by_plan.values():
        first = min(line["month"][:7] for line in plan_lines)
        for month in all_months:
            if month < first:
                continue
            rec = sum(
                (D(x["amount"]) for x in plan_lines if x["month"][:7] == month and x["rec"] == "T"), ZERO
            )
            dfr = sum(
                (
                    D(x["amount"])
                    for x in plan_lines
                    if x["month"][:7] > month or (x["month"][:7] == month and x["rec"] == "F")
                ),
                ZERO,
            )
            entity, account = subs[plan_lines[0]["sub"]], accts[plan_lines[0]["acct"]]
            if account == "-":
                continue
            cell = out[(label(month), entity, account)]
            cell[0] += rec
            cell[1] += dfr
    return {k: (v[0], v[1]) for k, v in out.items() if v[0] or v[1]}


def expected_saas(w: PlanningWorld) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """(Month label, entity code) → (MRR, active subscriptions), from SuiteQL rows."""
    subs, _ = maps(w)
    lines = w.ns_rows(LINES_SQL)
    first = date.fromisoformat(min(x["month"] for x in lines))
    last = date.fromisoformat(max(x["month"] for x in lines))
    out: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [ZERO, 0])
    for plan in w.ns_rows(PLANS_SQL):
        start, end = date.fromisoformat(plan["s"]), date.fromisoformat(plan["e"])
        ends = [m for m in months_between(start, end) if start <= month_end(m) <= end]
        share = (D(plan["amount"]) / len(ends)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        for month in ends:
            if first <= month <= last:
                cell = out[(label(month.isoformat()), subs[plan["sub"]])]
                cell[0] += share
                cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def codes(w: PlanningWorld, list_name: str) -> dict[str, str]:
    return {item["name"]: str(item["properties"]["Code"]) for item in w.items(list_name)}


def pigment_revenue(w: PlanningWorld) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    entity, account = codes(w, "Entity"), codes(w, "Account")
    out: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for index, metric in enumerate(("Recognized Revenue", "Deferred Revenue")):
        for cell in w.cells(metric):
            dims = cell["dimensions"]
            key = (dims["Month"], entity[dims["Entity"]], account[dims["Account"]])
            out[key][index] += D(str(cell["value"] or 0))
    return {k: (v[0], v[1]) for k, v in out.items() if v[0] or v[1]}


def pigment_saas(w: PlanningWorld) -> dict[tuple[str, str], tuple[Decimal, int]]:
    entity = codes(w, "Entity")
    mrr = {
        (c["dimensions"]["Month"], entity[c["dimensions"]["Entity"]]): D(str(c["value"]))
        for c in w.cells("MRR")
    }
    active = {
        (c["dimensions"]["Month"], entity[c["dimensions"]["Entity"]]): int(D(str(c["value"])))
        for c in w.cells("Active Subscriptions")
    }
    return {
        k: (mrr.get(k, ZERO), active.get(k, 0)) for k in set(mrr) | set(active) if mrr.get(k) or active.get(k)
    }


def revenue_pushes(w: PlanningWorld) -> int:
    """Imports Pigment received (only this flow pushes in this module's world)."""
    return len(w.imports())


def test_first_run_loads_recognized_deferred_and_saas_metrics(world: PlanningWorld) -> None:
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    expected = expected_revenue(world)
    assert expected, "the demo seed has revenue plans"
    assert pigment_revenue(world) == expected
    saas = expected_saas(world)
    assert saas and pigment_saas(world) == saas
    # ARR is Pigment's own formula over the MRR the flow pushed
    entity = codes(world, "Entity")
    arr = {
        (c["dimensions"]["Month"], entity[c["dimensions"]["Entity"]]): D(str(c["value"]))
        for c in world.cells("ARR")
    }
    assert all(arr[key] == mrr * 12 for key, (mrr, _) in saas.items() if mrr)
    # one push per configuration carries every month
    assert revenue_pushes(world) == 2


def test_closing_a_period_moves_that_month_from_deferred_to_recognized(world: PlanningWorld) -> None:
    # the earliest open month: the demo seed leaves the last full month open
    period = world.ns_rows(
        "SELECT id, TO_CHAR(startdate, 'YYYY-MM-DD') AS s FROM accountingperiod WHERE isyear = 'F' "
        "AND isquarter = 'F' AND closed = 'F' ORDER BY startdate ASC"
    )[0]
    month = label(period["s"])
    before = pigment_revenue(world)
    pushes = revenue_pushes(world)
    world.ns_control("POST", f"/_sandbox/netsuite/periods/{period['id']}/close")

    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    after = pigment_revenue(world)
    assert after == expected_revenue(world)
    moved = {k for k in after if k[0] == month and after[k] != before.get(k)}
    assert moved, f"closing {month} changed nothing in Pigment"
    for key in moved:
        recognized_before, deferred_before = before[key]
        recognized_after, deferred_after = after[key]
        assert recognized_after > recognized_before
        # the month's amounts moved: deferred went down by what became recognized
        assert recognized_after + deferred_after == recognized_before + deferred_before
    # only the revenue slice of that month changed (SaaS metrics do not depend on recognition)
    assert revenue_pushes(world) == pushes + 1
    assert summary["counters"]["transferred"] == 1, summary


def test_rerun_with_nothing_new_pushes_nothing(world: PlanningWorld) -> None:
    pushes = revenue_pushes(world)
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert revenue_pushes(world) == pushes
    assert summary["counters"]["transferred"] == 0
    assert summary["counters"]["staged"] == 0


def test_missing_entity_mapping_waits_then_hub_retry_loads_it(world: PlanningWorld) -> None:
    # from here on the configurations are given by id, which skips discovery (about 20 metadata requests a
    # run) and must load the same cells as the names did
    (app,) = world.pigment("GET", "/_sandbox/pigment/model")["applications"]
    ids = {c["name"]: c["id"] for c in app["importConfigurations"]}
    world.set_params(
        FLOW,
        revenue_configuration=ids["revenue-to-planning · Revenue"],
        saas_configuration=ids["revenue-to-planning · SaaS metrics"],
    )
    rows = world.mapping_rows("planning-entities")
    world.set_mapping_rows("planning-entities", [r for r in rows if r["netsuite_subsidiary"] != "3"])
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 1, summary
    assert summary["counters"]["action_needed"] > 0
    hub = world.hub()
    try:
        waiting = hub.list(flow=FLOW, state="action_needed", limit=1000)
    finally:
        hub.close()
    assert waiting and all(
        "'3'" in (r.error_message or "") and "planning-entities" in (r.error_message or "") for r in waiting
    )
    # the months without subsidiary 3 loaded; the waiting ones kept their earlier values in Pigment
    assert pigment_revenue(world) == expected_revenue_with(world, rows)

    world.set_mapping_rows("planning-entities", rows)
    code, _ = world.cli("hub", "retry", "--state", "action_needed", "--flow", FLOW)
    assert code == 0
    summary = world.run(FLOW)
    assert summary["exit_code_cli"] == 0, summary
    assert pigment_revenue(world) == expected_revenue(world)
    assert pigment_saas(world) == expected_saas(world)


def expected_revenue_with(
    w: PlanningWorld, rows: list[dict[str, str]]
) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    """What Pigment shows while subsidiary 3 is unmapped: nothing changed in NetSuite, and the earlier load
    of every month is still there, so it equals the full expectation under the complete mapping."""
    saved = w.mapping_rows("planning-entities")
    w.set_mapping_rows("planning-entities", rows)
    try:
        return expected_revenue(w)
    finally:
        w.set_mapping_rows("planning-entities", saved)
