"""The general ledger: posting rules, balances, applications and status, closed periods, budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

from .conftest import World, gl_by_account, trial_balance, unbalanced_transactions


def _period(store: NetSuiteStore, day: str) -> str:
    return store.period_for(date.fromisoformat(day))


def test_invoice_posts_ar_debit_income_credit_and_tax(world: World) -> None:
    invoice = world.store.create(
        "invoice",
        {
            "entity": {"id": world.customer},
            "tranDate": "2026-03-05",
            "item": {
                "items": [
                    {
                        "item": {"id": world.service},
                        "quantity": 2,
                        "rate": Decimal("250.00"),
                        "tax1Amt": Decimal("40"),
                    }
                ]
            },
        },
    )
    assert gl_by_account(world.store, invoice) == {
        "1100": Decimal("540"),  # A/R = total incl. tax
        "4000": Decimal("-500"),  # income credit
        "2200": Decimal("-40"),  # tax payable credit
    }
    body = world.store.get("invoice", invoice)
    assert (body["subtotal"], body["taxTotal"], body["total"]) == (
        Decimal("500.00"),
        Decimal("40"),
        Decimal("540.00"),
    )
    row = world.store.suiteql(
        "SELECT t.type, t.recordtype, t.posting, t.status, t.foreigntotal, t.foreignamountunpaid, "
        "t.postingperiod "
        f"FROM transaction t WHERE t.id = {invoice}"
    ).items[0]
    assert row | {"links": []} == {
        "links": [],
        "type": "CustInvc",
        "recordtype": "invoice",
        "posting": "T",
        "status": "A",
        "foreigntotal": "540",
        "foreignamountunpaid": "540",
        "postingperiod": _period(world.store, "2026-03-05"),
    }


def test_transaction_lines_follow_netsuite_signs(world: World) -> None:
    invoice = world.invoice("120.00")
    lines = world.store.suiteql(
        f"SELECT tl.id, tl.mainline, tl.quantity, tl.netamount, tl.item FROM transactionline tl "
        f"WHERE tl.transaction = {invoice} ORDER BY tl.id ASC"
    ).items
    assert [(r["id"], r["mainline"], r.get("quantity"), r["netamount"]) for r in lines] == [
        ("0", "T", None, "120"),
        ("1", "F", "-1", "-120"),
    ]


def test_deferred_revenue_when_item_defers_and_line_has_term(world: World) -> None:
    line = {"item": {"id": world.saas}, "amount": Decimal("1200"), "revRecStartDate": "2026-03-01"}
    no_term = world.store.create(
        "invoice", {"entity": {"id": world.customer}, "tranDate": "2026-03-05", "item": {"items": [line]}}
    )
    assert gl_by_account(world.store, no_term)["4000"] == Decimal("-1200")
    termed = world.store.create(
        "invoice",
        {
            "entity": {"id": world.customer},
            "tranDate": "2026-03-05",
            "item": {
                "items": [
                    line | {"custcol_nue_start_date": "2026-03-01", "custcol_nue_end_date": "2027-02-28"}
                ]
            },
        },
    )
    assert gl_by_account(world.store, termed) == {"1100": Decimal("1200"), "2500": Decimal("-1200")}


def test_partial_and_full_payment_reduce_amount_remaining_and_set_status(world: World) -> None:
    invoice = world.invoice("1000.00")
    first = world.pay(invoice, "400.00")
    assert gl_by_account(world.store, first) == {"1150": Decimal("400"), "1100": Decimal("-400")}
    body = world.store.get("invoice", invoice)
    assert (body["amountRemaining"], body["status"]["refName"]) == (Decimal("600.00"), "Open")
    world.pay(invoice)  # the rest, by default
    body = world.store.get("invoice", invoice)
    assert (body["amountRemaining"], body["amountPaid"]) == (Decimal("0.00"), Decimal("1000.00"))
    assert body["status"] == {"id": "B", "refName": "Paid In Full"}
    row = world.store.suiteql(
        f"SELECT foreignamountunpaid, BUILTIN.DF(status) s FROM transaction WHERE id = {invoice}"
    )
    assert row.items[0] == {"links": [], "foreignamountunpaid": "0", "s": "Invoice : Paid In Full"}


def test_overpaying_an_invoice_is_refused(world: World) -> None:
    invoice = world.invoice("100.00")
    with pytest.raises(NsError) as err:
        world.pay(invoice, "150.00")
    assert "exceeds the amount due" in err.value.detail


def test_payment_to_bank_account_and_unapplied_amount(world: World) -> None:
    invoice = world.invoice("100.00")
    payment = world.store.create(
        "customerpayment",
        {
            "customer": {"id": world.customer},
            "tranDate": "2026-03-10",
            "payment": Decimal("150"),
            "account": {"id": world.accounts["1000"]},
            "apply": {"items": [{"doc": {"id": invoice}, "apply": True}]},
        },
    )
    body = world.store.get("customerpayment", payment)
    assert (body["applied"], body["unapplied"]) == (Decimal("100.00"), Decimal("50.00"))
    assert body["status"]["refName"] == "Deposited"
    assert gl_by_account(world.store, payment) == {"1000": Decimal("150"), "1100": Decimal("-150")}


def test_updating_and_deleting_a_payment_reopens_the_invoice(world: World) -> None:
    invoice = world.invoice("100.00")
    payment = world.pay(invoice)
    world.store.update(
        "customerpayment", payment, {"apply": {"items": [{"doc": {"id": invoice}, "amount": Decimal("30")}]}}
    )
    assert world.store.get("invoice", invoice)["amountRemaining"] == Decimal("70.00")
    with pytest.raises(NsError) as err:
        world.store.delete("invoice", invoice)  # a payment is applied to it
    assert "dependent records" in err.value.detail
    world.store.delete("customerpayment", payment)
    body = world.store.get("invoice", invoice)
    assert (body["amountRemaining"], body["status"]["refName"]) == (Decimal("100.00"), "Open")
    assert (
        world.store.suiteql(
            f"SELECT COUNT(*) AS n FROM transactionaccountingline WHERE transaction = {payment}"
        ).items[0]["n"]
        == "0"
    )


def test_credit_memo_reverses_invoice_and_applies(world: World) -> None:
    invoice = world.invoice("500.00")
    credit = world.store.create(
        "creditmemo",
        {
            "entity": {"id": world.customer},
            "tranDate": "2026-03-08",
            "item": {"items": [{"item": {"id": world.service}, "amount": Decimal("200")}]},
            "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": Decimal("200")}]},
        },
    )
    assert gl_by_account(world.store, credit) == {"1100": Decimal("-200"), "4000": Decimal("200")}
    assert world.store.get("invoice", invoice)["amountRemaining"] == Decimal("300.00")
    memo = world.store.get("creditmemo", credit)
    assert (memo["amountRemaining"], memo["status"]["refName"]) == (Decimal("0.00"), "Fully Applied")


def test_payment_can_consume_a_credit_memo(world: World) -> None:
    invoice = world.invoice("500.00")
    credit = world.store.create(
        "creditmemo",
        {
            "entity": {"id": world.customer},
            "tranDate": "2026-03-08",
            "item": {"items": [{"item": {"id": world.service}, "amount": Decimal("100")}]},
        },
    )
    payment = world.store.create(
        "customerpayment",
        {
            "customer": {"id": world.customer},
            "tranDate": "2026-03-10",
            "apply": {
                "items": [{"doc": {"id": invoice}, "apply": True}, {"doc": {"id": credit}, "apply": True}]
            },
        },
    )
    assert world.store.get("customerpayment", payment)["payment"] == Decimal("400.00")  # 500 due - 100 credit
    assert world.store.get("invoice", invoice)["status"]["refName"] == "Paid In Full"
    assert world.store.get("creditmemo", credit)["status"]["refName"] == "Fully Applied"


def test_applying_another_customers_invoice_is_refused(world: World) -> None:
    other = world.store.create("customer", {"companyName": "Other"})
    invoice = world.invoice("100.00")
    with pytest.raises(NsError) as err:
        world.store.create(
            "customerpayment",
            {"customer": {"id": other}, "apply": {"items": [{"doc": {"id": invoice}, "apply": True}]}},
        )
    assert "another customer" in err.value.detail


def test_journal_entry_must_balance(world: World) -> None:
    lines = [
        {"account": {"id": world.accounts["6000"]}, "debit": Decimal("75.50"), "memo": "rent"},
        {"account": {"id": world.accounts["1000"]}, "credit": Decimal("75.50")},
    ]
    journal = world.store.create("journalentry", {"tranDate": "2026-03-31", "line": {"items": lines}})
    assert gl_by_account(world.store, journal) == {"6000": Decimal("75.5"), "1000": Decimal("-75.5")}
    lines[1]["credit"] = Decimal("70")
    with pytest.raises(NsError) as err:
        world.store.create("journalentry", {"tranDate": "2026-03-31", "line": {"items": lines}})
    assert err.value.code == "USER_ERROR"
    assert "out of balance" in err.value.detail


def test_vendor_bill_and_payment(world: World) -> None:
    bill = world.store.create(
        "vendorbill",
        {
            "entity": {"id": world.vendor},
            "tranDate": "2026-03-03",
            "expense": {"items": [{"account": {"id": world.accounts["6000"]}, "amount": Decimal("880.10")}]},
        },
    )
    assert gl_by_account(world.store, bill) == {"6000": Decimal("880.1"), "2000": Decimal("-880.1")}
    payment = world.store.create(
        "vendorpayment",
        {
            "entity": {"id": world.vendor},
            "tranDate": "2026-03-20",
            "apply": {"items": [{"doc": {"id": bill}, "apply": True}]},
        },
    )
    assert gl_by_account(world.store, payment) == {"2000": Decimal("880.1"), "1000": Decimal("-880.1")}
    assert world.store.get("vendorbill", bill)["status"]["refName"] == "Paid In Full"


def test_every_posting_balances_and_trial_balance_is_zero(world: World) -> None:
    for amount in ("100.00", "250.55", "999.99"):
        invoice = world.invoice(amount)
        world.pay(invoice, "50.00")
    world.store.transform("invoice", world.invoice("80.00"), "creditmemo")
    assert unbalanced_transactions(world.store) == []
    tb = trial_balance(world.store)
    assert tb and all(row["amount"] == "0" for row in tb)
    assert world.store.stats_counts()["invoice"] == 4


def test_sales_order_does_not_post(world: World) -> None:
    order = world.store.create(
        "salesorder",
        {
            "entity": {"id": world.customer},
            "item": {"items": [{"item": {"id": world.service}, "amount": 10}]},
        },
    )
    row = world.store.suiteql(f"SELECT posting, status FROM transaction WHERE id = {order}").items[0]
    assert (row["posting"], row["status"]) == ("F", "F")
    assert gl_by_account(world.store, order) == {}


def test_closed_period_refuses_postings_until_reopened(world: World) -> None:
    invoice = world.invoice("100.00", day="2026-02-10")
    february = _period(world.store, "2026-02-10")
    world.store.close_period(february)
    for call in (
        lambda: world.invoice("5.00", day="2026-02-11"),
        lambda: world.store.update("invoice", invoice, {"memo": "late edit"}),
        lambda: world.store.delete("invoice", invoice),
    ):
        with pytest.raises(NsError) as err:
            call()
        assert err.value.code == "USER_ERROR"
        assert err.value.detail.startswith("You cannot post to a closed period")
    # a payment dated in an open period may still settle the February invoice
    world.pay(invoice, day="2026-03-02")
    assert world.store.get("invoice", invoice)["status"]["refName"] == "Paid In Full"
    world.store.reopen_period(february)
    world.invoice("5.00", day="2026-02-11")
    period = world.store.get("accountingperiod", february)
    assert period["closed"] is False


def test_moving_tran_date_moves_the_posting_period(world: World) -> None:
    invoice = world.invoice("10.00", day="2026-03-05")
    world.store.update("invoice", invoice, {"tranDate": "2026-04-02"})
    assert world.store.get("invoice", invoice)["postingPeriod"]["refName"] == "Apr 2026"


def test_foreign_currency_rate_converts_gl_amounts(store: NetSuiteStore) -> None:
    world = World(store)
    eur = store.create("currency", {"name": "Euro", "symbol": "EUR", "exchangeRate": Decimal("1.10")})
    invoice = store.create(
        "invoice",
        {
            "entity": {"id": world.customer},
            "currency": {"id": eur},
            "tranDate": "2026-03-05",
            "item": {"items": [{"item": {"id": world.service}, "amount": Decimal("100.01")}]},
        },
    )
    assert store.get("invoice", invoice)["exchangeRate"] == Decimal("1.1")
    assert gl_by_account(store, invoice) == {"1100": Decimal("110.01"), "4000": Decimal("-110.01")}
    assert unbalanced_transactions(store) == []


def test_budget_import_period_amounts_and_single_period(world: World) -> None:
    store = world.store
    year = store.suiteql(
        "SELECT id FROM accountingperiod WHERE isyear = 'T' AND periodname = 'FY 2026'"
    ).items[0]["id"]
    store.create(
        "budgetimport",
        {
            "account": {"id": world.accounts["6000"]},
            "year": {"id": year},
            "periodAmount1": Decimal("100"),
            "periodAmount2": Decimal("200.5"),
        },
    )
    march = _period(store, "2026-03-01")
    store.create(
        "budgetimport",
        {
            "account": {"id": world.accounts["6000"]},
            "accountingPeriod": {"id": march},
            "amount": Decimal("300"),
        },
    )
    rows = store.suiteql(
        "SELECT p.periodname, bm.amount, b.total FROM budgetsmachine bm JOIN budgets b ON b.id = bm.budget "
        "JOIN accountingperiod p ON p.id = bm.period ORDER BY p.startdate ASC"
    ).items
    assert [(r["periodname"], r["amount"], r["total"]) for r in rows] == [
        ("Jan 2026", "100", "600.5"),
        ("Feb 2026", "200.5", "600.5"),
        ("Mar 2026", "300", "600.5"),
    ]
    with pytest.raises(NsError) as err:
        store.create("budgetimport", {"account": {"id": world.accounts["6000"]}, "year": {"id": year}})
    assert "Amount" in err.value.detail
