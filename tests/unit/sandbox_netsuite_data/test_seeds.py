"""Seeds: the demo company's books balance and look like a real account; the NetSuite2 sample loads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

from .conftest import Clock, trial_balance, unbalanced_transactions


def test_empty_seed(store: NetSuiteStore) -> None:
    counts = store.stats_counts()
    assert (counts["subsidiary"], counts["currency"], counts["account"]) == (1, 1, 8)
    years = store.suiteql(
        "SELECT periodname FROM accountingperiod WHERE isyear = 'T' ORDER BY startdate ASC"
    ).items
    assert [y["periodname"] for y in years] == ["FY 2025", "FY 2026", "FY 2027"]
    assert (
        store.suiteql(
            "SELECT COUNT(*) AS n FROM accountingperiod WHERE isquarter = 'F' AND isyear = 'F'"
        ).items[0]["n"]
        == "36"
    )
    book = store.suiteql("SELECT id, isprimary FROM accountingbook").items
    assert book == [{"links": [], "id": "1", "isprimary": "T"}]


def test_demo_trial_balance_is_zero_per_period_and_book(demo: NetSuiteStore) -> None:
    tb = trial_balance(demo)
    assert len(tb) >= 24
    assert {row["amount"] for row in tb} == {"0"}
    assert {row["accountingbook"] for row in tb} == {"1"}
    assert unbalanced_transactions(demo) == []


def test_demo_company_shape(demo: NetSuiteStore) -> None:
    counts = demo.stats_counts()
    assert counts["subsidiary"] == 3
    assert counts["customer"] == 30 and counts["vendor"] == 15
    assert 40 <= counts["account"] <= 50
    assert counts["invoice"] > 100 and counts["customerpayment"] > 100 and counts["vendorbill"] > 300
    assert counts["journalentry"] == 24 * 4
    subs = demo.suiteql(
        "SELECT s.name, c.symbol, s.parent FROM subsidiary s "
        "JOIN currency c ON c.id = s.currency ORDER BY s.id"
    ).items
    assert [(s["name"], s["symbol"]) for s in subs] == [
        ("Northwind Cloud, Inc.", "USD"),
        ("Northwind Cloud Ltd", "GBP"),
        ("Northwind Cloud GmbH", "EUR"),
    ]
    assert "parent" not in subs[0] and subs[1]["parent"] == subs[2]["parent"]
    children = demo.suiteql("SELECT fullname FROM department WHERE parent IS NOT NULL ORDER BY id").items
    assert children[0]["fullname"] == "Engineering : Platform"
    rates = demo.suiteql("SELECT COUNT(*) AS n FROM consolidatedexchangerate").items[0]["n"]
    assert rates == str(24 * 2)


def test_demo_history_closed_before_last_month(demo: NetSuiteStore) -> None:
    # the pinned clock says 2026-03-15: history runs Mar 2024 .. Feb 2026; Feb 2026 stays open
    months = demo.suiteql(
        "SELECT periodname, closed FROM accountingperiod WHERE isquarter = 'F' AND isyear = 'F' "
        "AND startdate <= TO_DATE('2026-02-01', 'YYYY-MM-DD') ORDER BY startdate ASC"
    ).items
    assert months[-1] == {"links": [], "periodname": "Feb 2026", "closed": "F"}
    assert all(m["closed"] == "T" for m in months[:-1])
    first_posting = demo.suiteql("SELECT MIN(trandate) AS d FROM transaction").items[0]["d"]
    assert first_posting.startswith("3/") and first_posting.endswith("/2024")
    with pytest.raises(NsError) as err:
        demo.create(
            "journalentry",
            {
                "tranDate": "2025-06-30",
                "line": {
                    "items": [{"account": {"id": "40"}, "debit": 1}, {"account": {"id": "2"}, "credit": 1}]
                },
            },
        )
    assert err.value.detail.startswith("You cannot post to a closed period")


def test_demo_revenue_plans_and_ar_aging(demo: NetSuiteStore) -> None:
    rec = demo.suiteql(
        "SELECT SUM(CASE WHEN isrecognized = 'T' THEN amount ELSE 0 END) AS recognized, "
        "SUM(CASE WHEN isrecognized = 'F' THEN amount ELSE 0 END) AS deferred FROM revenueplanline"
    ).items[0]
    assert Decimal(rec["recognized"]) > 0 and Decimal(rec["deferred"]) > 0
    open_ar = demo.suiteql(
        "SELECT COUNT(*) AS n FROM transaction WHERE type = 'CustInvc' AND foreignamountunpaid > 0"
    ).items[0]["n"]
    assert int(open_ar) > 0
    budgets = demo.suiteql("SELECT COUNT(*) AS n FROM budgetsmachine").items[0]["n"]
    assert budgets == str(9 * 12)


def test_demo_is_deterministic(demo: NetSuiteStore) -> None:
    again = NetSuiteStore(account_id="1234567_SB1", clock=Clock())
    again.load_seed("demo")
    query = "SELECT id, tranid, trandate, foreigntotal, entity FROM transaction ORDER BY id ASC"
    assert again.suiteql(query, limit=1000).items == demo.suiteql(query, limit=1000).items


def test_netsuite2_sample_loads_with_its_anomalies(store: NetSuiteStore) -> None:
    store.load_seed("netsuite2-sample")
    tx = store.suiteql(
        "SELECT id, type, postingperiod, BUILTIN.DF(entity) AS e FROM transaction ORDER BY id ASC"
    ).items
    assert [(t["id"], t["type"]) for t in tx] == [
        ("3", "VendBill"),
        ("302", "VendBill"),
        ("5914", "VendBill"),
    ]
    # the inactive history copy of transaction 302 was skipped, the live one kept
    gl = store.suiteql(
        "SELECT tal.transaction, tal.account, a.accttype, tal.amount FROM transactionaccountingline tal "
        "LEFT JOIN account a ON a.id = tal.account ORDER BY tal.transaction ASC"
    ).items
    assert len(gl) == 5
    assert {"transaction": "3", "account": "157", "accttype": "OthExpense", "links": []} in gl
    assert all("amount" not in row for row in gl)  # the sample carries no amounts
    periods = store.suiteql(
        "SELECT id, periodname, closed FROM accountingperiod ORDER BY startdate ASC"
    ).items
    assert periods[0] == {"links": [], "id": "20", "periodname": "Jan 2001", "closed": "T"}
    assert store.get("customer", "1409")["firstName"] == "Joe"
    assert store.get("subsidiary", "4")["currency"]["refName"] == "US Dollar"


def test_unknown_seed(store: NetSuiteStore) -> None:
    with pytest.raises(NsError):
        store.load_seed("bogus")  # type: ignore[arg-type]
