"""The ``demo`` seed: "Northwind Cloud", a three-subsidiary SaaS company, built through the normal
record-service path (every transaction is validated and posted like a client's would be).

- Subsidiaries: Northwind Cloud, Inc. (US, USD, parent), Northwind Cloud Ltd (UK, GBP),
  Northwind Cloud GmbH (DE, EUR); transactions stay in the subsidiary's currency; the
  ``consolidatedexchangerate`` table holds monthly GBP→USD and EUR→USD rates for book 1.
- A chart of ~45 accounts with parents, departments with parents, classes, locations, 30 customers,
  15 vendors, 7 items (annual and monthly subscriptions with deferred revenue, services, hardware).
- 24 months of history ending with the last full month before today: annual subscriptions sold on sales
  orders with 12-month terms (→ revenue plans) and invoiced up front (→ deferred revenue), monthly-plan
  invoices, customer payments 10-50 days later (recent invoices stay open for A/R aging), a few credit
  memos, monthly vendor bills and bill payments, monthly payroll and depreciation journal entries.
- Budgets for the current fiscal year (budget imports by account and department).
- Every month before the last full month is closed (with its quarter and year once complete), so
  revenue plans show recognised and deferred amounts and the last month is open for the close flow.

Deterministic: one seeded random generator; dates are relative to the store's clock ("today").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledgerbridge.money import Period
from ledgerbridge.sandbox.netsuite import codec
from ledgerbridge.sandbox.netsuite.seed import add_book, base_tables, set_defaults

if TYPE_CHECKING:
    from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

SEED = 20_240_601
HISTORY_MONTHS = 24

# (number, name, type, parent number, GL-default role)
CHART: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("1000", "Cash", "Bank", None, None),
    ("1010", "Operating Bank - US", "Bank", "1000", "bank"),
    ("1020", "Operating Bank - UK", "Bank", "1000", None),
    ("1030", "Operating Bank - DE", "Bank", "1000", None),
    ("1100", "Accounts Receivable", "AcctRec", None, "ar"),
    ("1150", "Undeposited Funds", "OthCurrAsset", None, "undeposited"),
    ("1200", "Prepaid Expenses", "OthCurrAsset", None, None),
    ("1400", "Inventory", "OthCurrAsset", None, None),
    ("1500", "Fixed Assets", "FixedAsset", None, None),
    ("1510", "Computer Equipment", "FixedAsset", "1500", None),
    ("1590", "Accumulated Depreciation", "FixedAsset", "1500", None),
    ("2000", "Accounts Payable", "AcctPay", None, "ap"),
    ("2100", "Accrued Liabilities", "OthCurrLiab", None, None),
    ("2110", "Accrued Payroll", "OthCurrLiab", "2100", None),
    ("2120", "Accrued Expenses", "OthCurrLiab", "2100", None),
    ("2200", "Sales Tax Payable", "OthCurrLiab", None, "tax"),
    ("2300", "VAT Payable", "OthCurrLiab", None, None),
    ("2500", "Deferred Revenue", "DeferRevenue", None, "deferred_revenue"),
    ("2600", "Long-term Debt", "LongTermLiab", None, None),
    ("3000", "Equity", "Equity", None, None),
    ("3010", "Common Stock", "Equity", "3000", None),
    ("3020", "Retained Earnings", "Equity", "3000", None),
    ("4000", "Revenue", "Income", None, None),
    ("4010", "Subscription Revenue", "Income", "4000", "income"),
    ("4020", "Professional Services Revenue", "Income", "4000", None),
    ("4030", "Hardware Revenue", "Income", "4000", None),
    ("4090", "Discounts", "Income", "4000", None),
    ("5000", "Cost of Revenue", "COGS", None, None),
    ("5010", "Hosting", "COGS", "5000", None),
    ("5020", "Support Staff", "COGS", "5000", None),
    ("5030", "Hardware COGS", "COGS", "5000", None),
    ("6000", "Operating Expenses", "Expense", None, None),
    ("6100", "Salaries & Wages", "Expense", "6000", "expense"),
    ("6110", "Payroll Taxes", "Expense", "6000", None),
    ("6120", "Benefits", "Expense", "6000", None),
    ("6200", "Rent", "Expense", "6000", None),
    ("6300", "Software & Subscriptions", "Expense", "6000", None),
    ("6400", "Marketing", "Expense", "6000", None),
    ("6500", "Travel", "Expense", "6000", None),
    ("6600", "Professional Fees", "Expense", "6000", None),
    ("6700", "Depreciation", "Expense", "6000", None),
    ("7000", "Other Income", "OthIncome", None, None),
    ("7010", "Interest Income", "OthIncome", "7000", None),
    ("8000", "Other Expense", "OthExpense", None, None),
    ("8010", "FX Gain/Loss", "OthExpense", "8000", None),
    ("8020", "Bank Fees", "OthExpense", "8000", None),
)

DEPARTMENTS: tuple[tuple[str, str | None], ...] = (
    ("Engineering", None),
    ("Platform", "Engineering"),
    ("Product", "Engineering"),
    ("Sales", None),
    ("Sales Americas", "Sales"),
    ("Sales EMEA", "Sales"),
    ("Marketing", None),
    ("Customer Success", None),
    ("G&A", None),
    ("Finance", "G&A"),
    ("People", "G&A"),
)
CLASSES = ("Subscription", "Services", "Hardware")

_COMPANY_WORDS = (
    (
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Stark",
        "Wayne",
        "Hooli",
        "Pied Piper",
        "Vandelay",
        "Soylent",
        "Tyrell",
        "Cyberdyne",
        "Wonka",
        "Gringotts",
        "Oceanic",
        "Aperture",
        "Black Mesa",
        "Nakatomi",
        "Monarch",
        "Massive Dynamic",
        "Dunder Mifflin",
        "Prestige",
        "Virtucon",
        "Zorg",
        "Bluth",
        "Sterling",
        "Rekall",
        "Blue Sun",
        "Weyland",
        "Octan",
    ),
    (
        "Corp",
        "Industries",
        "Systems",
        "Labs",
        "Holdings",
        "Group",
        "Analytics",
        "Logistics",
        "Health",
        "Energy",
    ),
)
VENDORS: tuple[tuple[str, str, str, int], ...] = (
    # name, expense account, subsidiary key, monthly amount (subsidiary currency)
    ("Amazon Web Services", "5010", "US", 42_000),
    ("Google Workspace", "6300", "US", 3_200),
    ("WeWork", "6200", "US", 28_000),
    ("Salesforce", "6300", "US", 9_500),
    ("Slack Technologies", "6300", "US", 2_100),
    ("Datadog", "5010", "US", 7_800),
    ("HubSpot", "6400", "US", 6_400),
    ("Deloitte", "6600", "US", 12_000),
    ("Delta Air Lines", "6500", "US", 4_300),
    ("Zoom Video", "6300", "US", 900),
    ("Atlassian", "6300", "US", 2_700),
    ("Regus London", "6200", "UK", 9_000),
    ("BT Business", "6300", "UK", 700),
    ("Deutsche Telekom", "6300", "DE", 650),
    ("Spaces Berlin", "6200", "DE", 7_500),
)


@dataclass
class _World:
    store: NetSuiteStore
    rng: random.Random
    first: date
    last: date
    accounts: dict[str, str] = field(default_factory=dict)
    subs: dict[str, str] = field(default_factory=dict)
    currencies: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    banks: dict[str, str] = field(default_factory=dict)

    def ref(self, internal_id: str) -> dict[str, str]:
        return {"id": internal_id}


def seed_demo(store: NetSuiteStore) -> None:
    today = store.repo.today()
    last = Period.of(today) - 1
    first = last - (HISTORY_MONTHS - 1)
    world = _World(store, random.Random(SEED), first.start, last.end)
    base_tables(store)
    _masters(world)
    customers = _customers(world)
    vendors = _vendors(world)
    store.periods.ensure_years(first.year, today.year + 1)
    _exchange_rates(world)
    _sales(world, customers)
    _purchases(world, vendors)
    _journals(world)
    _budgets(world, today.year)
    _close_history(world, last)


def _masters(w: _World) -> None:
    s = w.store
    for code, name, symbol, rate in (
        ("USD", "US Dollar", "$", "1"),
        ("GBP", "British Pound", "£", "1.27"),
        ("EUR", "Euro", "€", "1.09"),
    ):
        w.currencies[code] = s.create(
            "currency",
            {
                "name": name,
                "symbol": code,
                "displaySymbol": symbol,
                "exchangeRate": Decimal(rate),
                "isBaseCurrency": code == "USD",
                "externalId": f"DEMO-CUR-{code}",
            },
        )
    s.repo.set_setting("base_currency", w.currencies["USD"])
    w.subs["US"] = s.create(
        "subsidiary",
        {
            "name": "Northwind Cloud, Inc.",
            "currency": w.ref(w.currencies["USD"]),
            "country": "US",
            "state": "CA",
            "externalId": "DEMO-SUB-US",
        },
    )
    s.repo.set_setting("root_subsidiary", w.subs["US"])
    for key, name, cur, country in (
        ("UK", "Northwind Cloud Ltd", "GBP", "GB"),
        ("DE", "Northwind Cloud GmbH", "EUR", "DE"),
    ):
        w.subs[key] = s.create(
            "subsidiary",
            {
                "name": name,
                "parent": w.ref(w.subs["US"]),
                "currency": w.ref(w.currencies[cur]),
                "country": country,
                "externalId": f"DEMO-SUB-{key}",
            },
        )
    add_book(s, 1, "Primary Accounting Book", primary=True)
    for sub_id in w.subs.values():
        s.repo.upsert_row(
            "accountingbooksubsidiaries", {"accountingbook": 1, "subsidiary": int(sub_id), "status": "ACTIVE"}
        )
    roles: dict[str, str] = {}
    for number, name, acct_type, parent, role in CHART:
        body: dict[str, Any] = {
            "acctNumber": number,
            "acctName": name,
            "acctType": acct_type,
            "externalId": f"DEMO-ACCT-{number}",
        }
        if parent:
            body["parent"] = w.ref(w.accounts[parent])
        w.accounts[number] = s.create("account", body)
        if role:
            roles[role] = w.accounts[number]
    set_defaults(s, roles)
    w.banks = {"US": w.accounts["1010"], "UK": w.accounts["1020"], "DE": w.accounts["1030"]}
    for name, parent in DEPARTMENTS:
        body = {"name": name, "externalId": "DEMO-DEPT-" + name.upper().replace(" ", "-").replace("&", "AND")}
        if parent:
            body["parent"] = w.ref(w.departments[parent])
        w.departments[name] = s.create("department", body)
    for name in CLASSES:
        w.classes[name] = s.create(
            "classification", {"name": name, "externalId": f"DEMO-CLASS-{name.upper()}"}
        )
    for key, name in (("US", "San Francisco"), ("UK", "London"), ("DE", "Berlin")):
        w.locations[key] = s.create(
            "location", {"name": name, "subsidiary": w.ref(w.subs[key]), "externalId": f"DEMO-LOC-{key}"}
        )
    s.create("budgetcategory", {"name": "Budget"})
    s.create("budgetcategory", {"name": "Forecast"})
    deferred = w.ref(w.accounts["2500"])
    for key, rtype, name, income, extra in (
        (
            "annual",
            "servicesaleitem",
            "Platform Subscription - Annual",
            "4010",
            {"deferredRevenueAccount": deferred},
        ),
        (
            "support",
            "servicesaleitem",
            "Premium Support - Annual",
            "4010",
            {"deferredRevenueAccount": deferred},
        ),
        ("monthly", "servicesaleitem", "Platform Subscription - Monthly", "4010", {}),
        ("implementation", "servicesaleitem", "Implementation Services", "4020", {}),
        ("training", "servicesaleitem", "Training Day", "4020", {}),
        ("hosting", "noninventorysaleitem", "Dedicated Hosting", "4010", {}),
        (
            "appliance",
            "inventoryitem",
            "Edge Appliance",
            "4030",
            {"assetAccount": w.ref(w.accounts["1400"]), "cogsAccount": w.ref(w.accounts["5030"])},
        ),
    ):
        w.items[key] = s.create(
            rtype,
            {
                "itemId": name,
                "displayName": name,
                "incomeAccount": w.ref(w.accounts[income]),
                "externalId": f"DEMO-ITEM-{key.upper()}",
                **extra,
            },
        )


@dataclass
class _Customer:
    id: str
    sub: str
    plan: str  # "annual" | "monthly"
    start: date
    seats: int
    price: Decimal


def _customers(w: _World) -> list[_Customer]:
    out = []
    names = [f"{a} {b}" for a in _COMPANY_WORDS[0] for b in _COMPANY_WORDS[1]]
    w.rng.shuffle(names)
    for index in range(30):
        sub = "US" if index < 18 else "UK" if index < 25 else "DE"
        currency = {"US": "USD", "UK": "GBP", "DE": "EUR"}[sub]
        name = names[index]
        internal_id = w.store.create(
            "customer",
            {
                "companyName": name,
                "entityId": f"CUST-{index + 1:03d}",
                "email": f"ap@{name.split()[0].lower()}.example",
                "subsidiary": w.ref(w.subs[sub]),
                "currency": w.ref(w.currencies[currency]),
                "externalId": f"DEMO-CUST-{index + 1:03d}",
            },
        )
        start_offset = w.rng.randrange(0, 20)
        start = (Period.of(w.first) + start_offset).start + timedelta(days=w.rng.randrange(0, 20))
        out.append(
            _Customer(
                internal_id,
                sub,
                "annual" if index % 3 != 2 else "monthly",
                start,
                w.rng.choice((10, 25, 50, 100, 250)),
                Decimal(w.rng.choice((30, 45, 60, 75))),
            )
        )
    return out


def _vendors(w: _World) -> list[tuple[str, str, str, int]]:
    out = []
    for index, (name, account, sub, monthly) in enumerate(VENDORS):
        currency = {"US": "USD", "UK": "GBP", "DE": "EUR"}[sub]
        internal_id = w.store.create(
            "vendor",
            {
                "companyName": name,
                "entityId": f"VEND-{index + 1:03d}",
                "subsidiary": w.ref(w.subs[sub]),
                "currency": w.ref(w.currencies[currency]),
                "expenseAccount": w.ref(w.accounts[account]),
                "externalId": f"DEMO-VEND-{index + 1:03d}",
            },
        )
        out.append((internal_id, account, sub, monthly))
    return out


def _exchange_rates(w: _World) -> None:
    repo = w.store.repo
    rows = []
    next_id = 1
    for month in w.store.periods.months():
        start = date.fromisoformat(str(month.body["startDate"]))
        if start < w.first or start > w.last:
            continue
        for key, base in (("UK", Decimal("1.27")), ("DE", Decimal("1.09"))):
            drift = Decimal(w.rng.randrange(-300, 300)) / Decimal(10_000)
            rate = str((base + drift).quantize(Decimal("0.0001")))
            currency = w.currencies["GBP" if key == "UK" else "EUR"]
            rows.append(
                {
                    "id": next_id,
                    "postingperiod": month.id,
                    "fromcurrency": int(currency),
                    "tocurrency": int(w.currencies["USD"]),
                    "fromsubsidiary": int(w.subs[key]),
                    "tosubsidiary": int(w.subs["US"]),
                    "accountingbook": 1,
                    "averagerate": rate,
                    "currentrate": rate,
                    "historicalrate": rate,
                }
            )
            next_id += 1
    repo.insert_many("consolidatedexchangerate", rows)


def _line(w: _World, item: str, quantity: int, rate: Decimal, **extra: Any) -> dict[str, Any]:
    return {"item": w.ref(w.items[item]), "quantity": Decimal(quantity), "rate": rate, **extra}


def _sales(w: _World, customers: list[_Customer]) -> None:
    s = w.store
    for cust in customers:
        dims = {
            "department": w.ref(w.departments["Sales EMEA" if cust.sub != "US" else "Sales Americas"]),
            "location": w.ref(w.locations[cust.sub]),
        }
        sub_class = w.ref(w.classes["Subscription"])
        if cust.plan == "annual":
            term_start = cust.start
            first_term = True
            while term_start <= w.last:
                term_end = _add_year(term_start) - timedelta(days=1)
                lines = [
                    _line(
                        w,
                        "annual",
                        cust.seats,
                        cust.price * 12,
                        revRecStartDate=term_start.isoformat(),
                        revRecEndDate=term_end.isoformat(),
                        **{"class": sub_class},
                    ),
                    _line(
                        w,
                        "support",
                        1,
                        Decimal(cust.seats * 60),
                        revRecStartDate=term_start.isoformat(),
                        revRecEndDate=term_end.isoformat(),
                        **{"class": sub_class},
                    ),
                ]
                if first_term:
                    lines.append(
                        _line(
                            w,
                            "implementation",
                            1,
                            Decimal(w.rng.choice((5_000, 8_000, 12_000))),
                            **{"class": w.ref(w.classes["Services"])},
                        )
                    )
                order = s.create(
                    "salesorder",
                    {
                        "entity": w.ref(cust.id),
                        "tranDate": term_start.isoformat(),
                        "item": {"items": lines},
                        "externalId": f"DEMO-SO-{cust.id}-{term_start.isoformat()}",
                        **dims,
                    },
                )
                invoice = s.transform("salesorder", order, "invoice", {"tranDate": term_start.isoformat()})
                _maybe_pay(w, cust, invoice, term_start)
                first_term = False
                term_start = term_end + timedelta(days=1)
        else:
            month = Period.of(cust.start)
            while month.start <= w.last:
                day = month.start
                lines = [_line(w, "monthly", cust.seats, cust.price, **{"class": sub_class})]
                if w.rng.random() < 0.15:
                    lines.append(
                        _line(w, "training", 1, Decimal(1_500), **{"class": w.ref(w.classes["Services"])})
                    )
                invoice = s.create(
                    "invoice",
                    {
                        "entity": w.ref(cust.id),
                        "tranDate": day.isoformat(),
                        "dueDate": (day + timedelta(days=30)).isoformat(),
                        "item": {"items": lines},
                        "externalId": f"DEMO-INV-{cust.id}-{day.isoformat()}",
                        **dims,
                    },
                )
                if w.rng.random() < 0.04:
                    s.transform(
                        "invoice",
                        invoice,
                        "creditmemo",
                        {"tranDate": (day + timedelta(days=5)).isoformat(), "memo": "Service credit"},
                    )
                else:
                    _maybe_pay(w, cust, invoice, day)
                month = month + 1


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _maybe_pay(w: _World, cust: _Customer, invoice: str, invoiced: date) -> None:
    paid_on = invoiced + timedelta(days=w.rng.randrange(10, 50))
    if paid_on > w.last:
        return  # still open at the end of the history: A/R aging has something to show
    w.store.transform(
        "invoice",
        invoice,
        "customerpayment",
        {"tranDate": paid_on.isoformat(), "account": w.ref(w.banks[cust.sub])},
    )


def _purchases(w: _World, vendors: list[tuple[str, str, str, int]]) -> None:
    s = w.store
    month = Period.of(w.first)
    last = Period.of(w.last)
    dept_for = {"5010": "Platform", "6400": "Marketing", "6600": "Finance", "6500": "Sales"}
    while month <= last:
        for vendor_id, account, sub, monthly in vendors:
            amount = (Decimal(monthly) * Decimal(w.rng.randrange(90, 115)) / 100).quantize(Decimal("0.01"))
            bill_day = month.start + timedelta(days=w.rng.randrange(0, 10))
            bill = s.create(
                "vendorbill",
                {
                    "entity": w.ref(vendor_id),
                    "tranDate": bill_day.isoformat(),
                    "dueDate": (bill_day + timedelta(days=30)).isoformat(),
                    "tranId": f"B{month.year}{month.month:02d}-{vendor_id}",
                    "expense": {
                        "items": [
                            {
                                "account": w.ref(w.accounts[account]),
                                "amount": amount,
                                "department": w.ref(w.departments[dept_for.get(account, "G&A")]),
                                "location": w.ref(w.locations[sub]),
                            }
                        ]
                    },
                },
            )
            pay_day = bill_day + timedelta(days=w.rng.randrange(20, 40))
            if pay_day <= w.last:
                s.create(
                    "vendorpayment",
                    {
                        "entity": w.ref(vendor_id),
                        "tranDate": pay_day.isoformat(),
                        "account": w.ref(w.banks[sub]),
                        "apply": {"items": [{"doc": w.ref(bill), "apply": True, "amount": amount}]},
                    },
                )
        month = month + 1


def _journals(w: _World) -> None:
    s = w.store
    month = Period.of(w.first)
    last = Period.of(w.last)
    payroll = {"US": ("Engineering", 310_000), "UK": ("Sales EMEA", 64_000), "DE": ("Platform", 52_000)}
    while month <= last:
        for key, (dept, base) in payroll.items():
            gross = (Decimal(base) * Decimal(w.rng.randrange(97, 104)) / 100).quantize(Decimal("1"))
            split = {
                dept: gross * Decimal("0.6"),
                "Customer Success": gross * Decimal("0.15"),
                "G&A": gross * Decimal("0.25"),
            }
            taxes = (gross * Decimal("0.0765")).quantize(Decimal("0.01"))
            benefits = (gross * Decimal("0.09")).quantize(Decimal("0.01"))
            lines: list[dict[str, Any]] = [
                {
                    "account": w.ref(w.accounts["6100"]),
                    "debit": amount.quantize(Decimal("0.01")),
                    "department": w.ref(w.departments[name]),
                    "memo": "Salaries",
                }
                for name, amount in split.items()
            ]
            lines.append({"account": w.ref(w.accounts["6110"]), "debit": taxes, "memo": "Employer taxes"})
            lines.append({"account": w.ref(w.accounts["6120"]), "debit": benefits, "memo": "Benefits"})
            total = sum((Decimal(str(line["debit"])) for line in lines), Decimal(0))
            lines.append({"account": w.ref(w.banks[key]), "credit": total, "memo": "Payroll funding"})
            s.create(
                "journalentry",
                {
                    "subsidiary": w.ref(w.subs[key]),
                    "tranDate": month.end.isoformat(),
                    "memo": f"Payroll {month}",
                    "line": {"items": lines},
                    "externalId": f"DEMO-JE-PAY-{key}-{month}",
                },
            )
        s.create(
            "journalentry",
            {
                "subsidiary": w.ref(w.subs["US"]),
                "tranDate": month.end.isoformat(),
                "memo": f"Depreciation {month}",
                "line": {
                    "items": [
                        {
                            "account": w.ref(w.accounts["6700"]),
                            "debit": Decimal("4150.00"),
                            "department": w.ref(w.departments["G&A"]),
                        },
                        {"account": w.ref(w.accounts["1590"]), "credit": Decimal("4150.00")},
                    ]
                },
                "externalId": f"DEMO-JE-DEP-{month}",
            },
        )
        month = month + 1


def _budgets(w: _World, year: int) -> None:
    s = w.store
    year_id = s.suiteql(
        "SELECT id FROM accountingperiod WHERE isyear = 'T' AND startdate = "
        f"TO_DATE('{year}-01-01', 'YYYY-MM-DD')"
    ).items[0]["id"]
    plan = (
        ("6100", "Engineering", 190_000),
        ("6100", "Sales", 60_000),
        ("6100", "G&A", 80_000),
        ("6200", "G&A", 30_000),
        ("6300", "Engineering", 25_000),
        ("6400", "Marketing", 7_000),
        ("6500", "Sales", 5_000),
        ("6600", "Finance", 12_000),
        ("5010", "Platform", 50_000),
    )
    for account, dept, monthly in plan:
        amounts = {f"periodAmount{m}": Decimal(monthly) * Decimal(100 + 2 * m) / 100 for m in range(1, 13)}
        s.create(
            "budgetimport",
            {
                "account": w.ref(w.accounts[account]),
                "department": w.ref(w.departments[dept]),
                "subsidiary": w.ref(w.subs["US"]),
                "year": w.ref(year_id),
                "externalId": f"DEMO-BUDGET-{year}-{account}-{dept.upper().replace('&', 'AND')}",
                **amounts,
            },
        )


def _close_history(w: _World, last: Period) -> None:
    s = w.store
    cutoff = codec.sql_date(last.start)
    rows = s.repo.conn.execute(
        "SELECT id FROM accountingperiod WHERE enddate < ? AND closed = 'F' "
        "ORDER BY startdate, isyear, isquarter",
        (cutoff,),
    ).fetchall()
    for (period_id,) in rows:
        s.close_period(str(period_id))
