"""Issue 3: every invoice, credit memo and payment posted through the record service (real HTTP, TBA-signed,
through our connector) appears in the general ledger, and the trial balance from SuiteQL sums to zero per
period and accounting book."""

from __future__ import annotations

from decimal import Decimal

from ledgerbridge.connectors.netsuite import NetSuiteClient

TRIAL_BALANCE = (
    "SELECT t.postingperiod AS period, tal.accountingbook AS book, SUM(tal.amount) AS balance, COUNT(*) AS n "
    "FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction "
    "WHERE tal.posting = 'T' GROUP BY t.postingperiod, tal.accountingbook ORDER BY t.postingperiod ASC"
)


async def _income_account(client: NetSuiteClient) -> str:
    page = await client.suiteql_page(
        "SELECT id FROM account WHERE accttype = 'Income' ORDER BY id ASC", limit=1
    )
    return str(page.items[0]["id"])


async def test_postings_reach_the_gl_and_every_period_balances(client: NetSuiteClient) -> None:
    income = await _income_account(client)
    customer = await client.create("customer", {"companyName": "Ledger Check Ltd"})
    item = await client.create(
        "servicesaleitem", {"itemId": "GL check service", "incomeAccount": {"id": income}}
    )
    invoice = await client.create(
        "invoice",
        {
            "entity": {"id": customer},
            "tranDate": "2026-03-05",
            "item": {"items": [{"item": {"id": item}, "quantity": 1, "rate": Decimal("1000.00")}]},
        },
    )
    credit = await client.create(
        "creditmemo",
        {
            "entity": {"id": customer},
            "tranDate": "2026-03-08",
            "item": {"items": [{"item": {"id": item}, "amount": Decimal("200.00")}]},
            "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": Decimal("200.00")}]},
        },
    )
    payment = await client.create(
        "customerpayment",
        {
            "customer": {"id": customer},
            "tranDate": "2026-04-02",
            "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": Decimal("800.00")}]},
        },
    )

    ids = ", ".join((invoice, credit, payment))
    per_transaction = {
        row["transaction"]: client.decode_row(row, {"net": Decimal, "debits": Decimal})
        async for row in client.suiteql(
            "SELECT tal.transaction AS transaction, SUM(tal.amount) AS net, SUM(tal.debit) AS debits "
            f"FROM transactionaccountingline tal WHERE tal.transaction IN ({ids}) "
            "GROUP BY tal.transaction ORDER BY tal.transaction ASC"
        )
    }
    assert set(per_transaction) == {invoice, credit, payment}
    for posted in per_transaction.values():
        assert posted["net"] == 0 and posted["debits"] > 0  # balanced, and really posted
    assert per_transaction[invoice]["debits"] == Decimal("1000.00")
    assert per_transaction[payment]["debits"] == Decimal("800.00")

    balances = [
        client.decode_row(row, {"balance": Decimal, "n": int}) async for row in client.suiteql(TRIAL_BALANCE)
    ]
    assert len({row["period"] for row in balances}) >= 2  # March and April
    assert all(row["balance"] == 0 for row in balances), balances

    settled = await client.get("invoice", invoice)
    assert settled is not None
    assert settled["amountRemaining"] == Decimal("0.00") and settled["status"]["refName"] == "Paid In Full"
