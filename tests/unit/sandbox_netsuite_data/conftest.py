"""Fixtures for the NetSuite emulator's data half: stores with a pinned clock (deterministic dates)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

# 2026-03-15 10:00 in Los Angeles: the account's "today" is 3/15/2026.
NOW = datetime(2026, 3, 15, 17, 0, tzinfo=UTC)


class Clock:
    """A settable clock so tests can move time forward between writes."""

    def __init__(self, moment: datetime = NOW) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> NetSuiteStore:
    return NetSuiteStore(account_id="1234567_SB1", clock=clock)


@pytest.fixture(scope="module")
def demo() -> NetSuiteStore:
    """The demo company (read-only use: module-scoped because building it posts ~1,100 transactions)."""
    demo_store = NetSuiteStore(account_id="1234567_SB1", clock=Clock())
    demo_store.load_seed("demo")
    return demo_store


def account_ids(store: NetSuiteStore) -> dict[str, str]:
    """acctnumber → internal id."""
    return {row["acctnumber"]: row["id"] for row in store.suiteql("SELECT id, acctnumber FROM account").items}


class World:
    """A customer, a vendor and items on the empty seed, plus helpers to post transactions."""

    def __init__(self, store: NetSuiteStore) -> None:
        self.store = store
        self.accounts = account_ids(store)
        self.customer = store.create("customer", {"companyName": "Acme Corp", "externalId": "CUST-1"})
        self.vendor = store.create("vendor", {"companyName": "Hosting Co"})
        self.saas = store.create(
            "servicesaleitem",
            {
                "itemId": "Platform Annual",
                "incomeAccount": {"id": self.accounts["4000"]},
                "deferredRevenueAccount": {"id": self.accounts["2500"]},
            },
        )
        self.service = store.create(
            "servicesaleitem", {"itemId": "Implementation", "incomeAccount": {"id": self.accounts["4000"]}}
        )

    def invoice(self, amount: str = "1000.00", *, day: str = "2026-03-05", **extra: Any) -> str:
        body: dict[str, Any] = {
            "entity": {"id": self.customer},
            "tranDate": day,
            "item": {
                "items": [{"item": {"id": self.service}, "quantity": Decimal(1), "rate": Decimal(amount)}]
            },
        }
        return self.store.create("invoice", body | extra)

    def pay(self, invoice: str, amount: str | None = None, *, day: str = "2026-03-10") -> str:
        line: dict[str, Any] = {"doc": {"id": invoice}, "apply": True}
        if amount is not None:
            line["amount"] = Decimal(amount)
        return self.store.create(
            "customerpayment",
            {"customer": {"id": self.customer}, "tranDate": day, "apply": {"items": [line]}},
        )


@pytest.fixture
def world(store: NetSuiteStore) -> World:
    return World(store)


def trial_balance(store: NetSuiteStore) -> list[dict[str, Any]]:
    return store.suiteql(
        "SELECT t.postingperiod, tal.accountingbook, SUM(tal.amount) AS amount, COUNT(*) AS lines "
        "FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction "
        "WHERE tal.posting = 'T' GROUP BY t.postingperiod, tal.accountingbook ORDER BY t.postingperiod ASC"
    ).items


def unbalanced_transactions(store: NetSuiteStore) -> list[dict[str, Any]]:
    return store.suiteql(
        "SELECT tal.transaction, tal.accountingbook, SUM(tal.amount) AS amount "
        "FROM transactionaccountingline tal GROUP BY tal.transaction, tal.accountingbook "
        "HAVING SUM(tal.amount) <> 0"
    ).items


GlLookup = Callable[[str], dict[str, Decimal]]


def gl_by_account(store: NetSuiteStore, transaction_id: str) -> dict[str, Decimal]:
    """acctnumber → signed amount (debit positive) for one transaction's accounting lines."""
    rows = store.suiteql(
        "SELECT a.acctnumber, SUM(tal.amount) AS amount FROM transactionaccountingline tal "
        f"JOIN account a ON a.id = tal.account WHERE tal.transaction = {int(transaction_id)} "
        "GROUP BY a.acctnumber"
    ).items
    return {row["acctnumber"]: Decimal(row["amount"]) for row in rows}
