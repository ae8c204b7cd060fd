"""Seeds: ``empty`` (a minimal one-subsidiary USD account), ``demo`` (a three-subsidiary SaaS company with
24 months of history, see seed_demo.py) and ``netsuite2-sample`` (a real NetSuite2 sample, see
seed_sample.py).

``empty`` holds: currency USD (1), subsidiary "Parent Company" (1), the primary accounting book (1), the
account types, a minimal chart of accounts, the budget category "Budget", and monthly accounting periods
(with quarters and years) for the current year ± 1. GL defaults: A/R 1100, undeposited funds 1150,
bank 1000, A/P 2000, tax payable 2200, deferred revenue 2500, income 4000, expense 6000.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledgerbridge.sandbox.netsuite.projection import account_type_rows

if TYPE_CHECKING:
    from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

# (number, name, type, GL-default role)
MINIMAL_CHART: tuple[tuple[str, str, str, str | None], ...] = (
    ("1000", "Operating Bank", "Bank", "bank"),
    ("1100", "Accounts Receivable", "AcctRec", "ar"),
    ("1150", "Undeposited Funds", "OthCurrAsset", "undeposited"),
    ("2000", "Accounts Payable", "AcctPay", "ap"),
    ("2200", "Sales Tax Payable", "OthCurrLiab", "tax"),
    ("2500", "Deferred Revenue", "DeferRevenue", "deferred_revenue"),
    ("4000", "Revenue", "Income", "income"),
    ("6000", "Operating Expenses", "Expense", "expense"),
)


def load(store: NetSuiteStore, name: str) -> None:
    if name == "empty":
        seed_empty(store)
    elif name == "demo":
        from ledgerbridge.sandbox.netsuite.seed_demo import seed_demo

        seed_demo(store)
    else:
        from ledgerbridge.sandbox.netsuite.seed_sample import seed_sample

        seed_sample(store)


def base_tables(store: NetSuiteStore) -> None:
    """Lookup rows every seed needs: account types, the fiscal calendar, the primary book."""
    repo = store.repo
    repo.insert_many("accounttype", account_type_rows())
    repo.upsert_row(
        "fiscalcalendar", {"id": 1, "name": "Calendar Year", "fiscalmonth": "JAN", "isdefault": "T"}
    )
    add_book(store, 1, "Primary Accounting Book", primary=True)
    tax_schedules(store)


def tax_schedules(store: NetSuiteStore) -> None:
    """Items name a tax schedule in accounts with tax on; every seed has ids 1 and 2."""
    store.create("taxschedule", {"name": "S1 Taxable", "description": "Taxable goods and services"})
    store.create("taxschedule", {"name": "S2 Non-Taxable", "description": "Exempt"})


def add_book(store: NetSuiteStore, book_id: int, name: str, *, primary: bool) -> None:
    store.repo.upsert_row(
        "accountingbook",
        {
            "id": book_id,
            "name": name,
            "isprimary": "T" if primary else "F",
            "isconsolidated": "T",
            "isadjustmentonly": "F",
            "lastmodifieddate": store.repo.local_sql(store.repo.now_stamp()),
        },
    )


def set_defaults(store: NetSuiteStore, roles: dict[str, str]) -> None:
    for role, account_id in roles.items():
        store.repo.set_setting(f"gl:{role}", account_id)


def seed_empty(store: NetSuiteStore) -> None:
    base_tables(store)
    usd = store.create(
        "currency",
        {
            "name": "US Dollar",
            "symbol": "USD",
            "displaySymbol": "$",
            "isBaseCurrency": True,
            "exchangeRate": 1,
        },
    )
    store.repo.set_setting("base_currency", usd)
    parent = store.create("subsidiary", {"name": "Parent Company", "currency": {"id": usd}, "country": "US"})
    store.repo.set_setting("root_subsidiary", parent)
    store.repo.upsert_row(
        "accountingbooksubsidiaries", {"accountingbook": 1, "subsidiary": int(parent), "status": "ACTIVE"}
    )
    roles: dict[str, str] = {}
    for number, name, acct_type, role in MINIMAL_CHART:
        body: dict[str, Any] = {"acctNumber": number, "acctName": name, "acctType": acct_type}
        account_id = store.create("account", body)
        if role:
            roles[role] = account_id
    set_defaults(store, roles)
    store.create("budgetcategory", {"name": "Budget"})
    today = store.repo.today()
    store.periods.ensure_years(today.year - 1, today.year + 1)
