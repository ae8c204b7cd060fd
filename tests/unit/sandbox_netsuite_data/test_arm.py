"""ARM-lite revenue plans: straight-line by days, rounding remainder last, recognition on period close."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledgerbridge.sandbox.netsuite.arm import schedule

from .conftest import World

RECOGNITION = """
SELECT ap.periodname,
       SUM(CASE WHEN rpl.isrecognized = 'T' THEN rpl.amount ELSE 0 END) AS recognized,
       SUM(CASE WHEN rpl.isrecognized = 'F' THEN rpl.amount ELSE 0 END) AS deferred
FROM revenueplanline rpl
JOIN revenueplan rp ON rp.id = rpl.plan
JOIN accountingperiod ap ON ap.id = rpl.period
GROUP BY ap.periodname, ap.startdate
ORDER BY ap.startdate ASC
"""


def test_schedule_is_straight_line_by_days_with_remainder_last() -> None:
    plan = schedule(Decimal("1000.00"), date(2026, 1, 15), date(2026, 3, 14))
    days = (17, 28, 14)  # Jan 15-31, Feb, Mar 1-14 = 59 days
    expected_first = (Decimal("1000.00") * 17 / 59).quantize(Decimal("0.01"))
    assert [d for d, _ in plan] == [date(2026, 1, 15), date(2026, 2, 1), date(2026, 3, 1)]
    assert plan[0][1] == expected_first
    assert plan[1][1] == (Decimal("1000.00") * days[1] / 59).quantize(Decimal("0.01"))
    assert sum(amount for _, amount in plan) == Decimal("1000.00")


def test_schedule_single_day_and_thirds() -> None:
    assert schedule(Decimal("10"), date(2026, 5, 5), date(2026, 5, 5)) == [(date(2026, 5, 5), Decimal("10"))]
    thirds = schedule(Decimal("100.00"), date(2026, 1, 1), date(2026, 3, 31))
    assert sum(a for _, a in thirds) == Decimal("100.00")
    assert len({a for _, a in thirds}) > 1  # unequal months by days, not equal thirds


def _order(world: World) -> str:
    return world.store.create(
        "salesorder",
        {
            "entity": {"id": world.customer},
            "tranDate": "2026-01-01",
            "item": {
                "items": [
                    {
                        "item": {"id": world.saas},
                        "amount": Decimal("1200.00"),
                        "revRecStartDate": "2026-01-01",
                        "revRecEndDate": "2026-12-31",
                    },
                    {"item": {"id": world.service}, "amount": Decimal("500")},  # no term: no plan
                    {
                        "item": {"id": world.saas},
                        "amount": Decimal("300"),
                        "custcol_nue_start_date": "2026-02-01",
                        "custcol_nue_end_date": "2026-04-30",
                    },
                ]
            },
        },
    )


def test_sales_order_lines_with_terms_get_plans(world: World) -> None:
    order = _order(world)
    plans = world.store.suiteql(
        "SELECT id, createdfromline, item, amount, startdate, enddate FROM revenueplan "
        f"WHERE createdfrom = {order} "
        "ORDER BY createdfromline ASC"
    ).items
    assert [(p["createdfromline"], p["amount"], p["startdate"], p["enddate"]) for p in plans] == [
        ("1", "1200", "1/1/2026", "12/31/2026"),
        ("3", "300", "2/1/2026", "4/30/2026"),
    ]
    lines = world.store.suiteql(
        f"SELECT COUNT(*) AS n, SUM(amount) AS total FROM revenueplanline WHERE plan = {plans[0]['id']}"
    ).items[0]
    assert lines == {"links": [], "n": "12", "total": "1200"}


def test_recognized_and_deferred_follow_closed_periods(world: World) -> None:
    _order(world)
    january = world.store.period_for(date(2026, 1, 10))
    february = world.store.period_for(date(2026, 2, 10))
    world.store.close_period(january)
    world.store.close_period(february)
    rows = {r["periodname"]: r for r in world.store.suiteql(RECOGNITION).items}
    assert rows["Jan 2026"]["recognized"] == "101.92"  # 1200 * 31/365
    assert rows["Jan 2026"]["deferred"] == "0"
    assert rows["Feb 2026"]["recognized"] == str(
        (Decimal(1200) * 28 / 365).quantize(Decimal("0.01"))
        + (Decimal(300) * 28 / 89).quantize(Decimal("0.01"))
    )
    assert rows["Mar 2026"]["recognized"] == "0"
    world.store.reopen_period(february)
    rows = {r["periodname"]: r for r in world.store.suiteql(RECOGNITION).items}
    assert rows["Feb 2026"]["recognized"] == "0"


def test_plans_follow_order_updates_and_deletes(world: World) -> None:
    order = _order(world)
    plan_ids = [
        r["id"] for r in world.store.suiteql(f"SELECT id FROM revenueplan WHERE createdfrom = {order}").items
    ]
    world.store.update("salesorder", order, {"item": {"items": [{"line": 1, "amount": Decimal("2400")}]}})
    after = world.store.suiteql(
        f"SELECT id, amount FROM revenueplan WHERE createdfrom = {order} ORDER BY id"
    ).items
    assert [r["id"] for r in after] == plan_ids  # plan ids are stable
    assert after[0]["amount"] == "2400"
    world.store.delete("salesorder", order)
    assert world.store.suiteql("SELECT COUNT(*) AS n FROM revenueplanline").items[0]["n"] == "0"
