"""Seeds: ``empty`` and ``demo`` (a small SaaS book over the last six months), and JSON fixtures.

The demo is built through the same domain functions the API uses, with the tenant clock frozen at each
business moment in turn, so every record's ``createdDate``/``lastModifiedDate`` and the change feed read like
six months of history: new orders, seat changes, an upgrade, a downgrade, a co-term, a cancellation, renewals,
catch-up, $0 and negative invoices, credit memos and payments.

A fixture (``POST /_sandbox/seed``) is ``{"customers": [...], "products": [...], "priceBookEntries": [...],
"orders": [{<POST /orders body>, "activate"?: bool, "invoice"?: bool}], "raw": {"<table>": [records]}}``;
``raw`` records are stored as given (tests use it for records Nue would never produce, e.g. an order whose
customer is gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from . import billing, catalog, changes, coerce, credit_memos, lifecycle, orders, payments
from .errors import NueError
from .settings import SeedName
from .store import TABLES, NueStore, Record

_DEMO_PRODUCTS: tuple[tuple[str, str, str, str], ...] = (
    ("Platform Pro", "PLAT-PRO", "Subscription", "100"),
    ("Platform Enterprise", "PLAT-ENT", "Subscription", "150"),
    ("Analytics Add-on", "ANLY-ADD", "Subscription", "25"),
    ("Premium Support", "SUP-PREM", "Subscription", "40"),
    ("Sandbox Seat", "SBX-SEAT", "Subscription", "0"),
    ("API Calls 1M", "API-1M", "Entitlement", "500"),
    ("Onboarding Package", "ONB-PKG", "Entitlement", "2500"),
    ("Hardware Token", "HW-TOKEN", "Asset", "45"),
    ("Edge Appliance", "EDGE-APL", "Asset", "1200"),
)
_DEMO_CUSTOMERS: tuple[tuple[str, str, int | None], ...] = (
    ("Acme Corp", "ap@acme.example", 190),
    ("Globex", "billing@globex.example", 185),
    ("Initech", "finance@initech.example", 180),
    ("Umbrella Group", "ar@umbrella.example", 160),
    ("Stark Industries", "accounts@stark.example", 150),
    ("Wayne Enterprises", "ap@wayne.example", 130),
    ("Wonka Industries", "billing@wonka.example", 70),
    ("Cyberdyne Systems", "ap@cyberdyne.example", 100),
    ("Soylent", "finance@soylent.example", None),
    ("Hooli", "ap@hooli.example", None),
)


def load_seed(store: NueStore, name: SeedName | str) -> None:
    """Replace the tenant's data with a named seed."""
    if name not in ("empty", "demo"):
        raise ValueError(f"unknown seed {name!r}; choose one of empty, demo")
    store.reset()
    if name == "demo":
        _Demo(store).build()


class _Demo:
    """Six months of a SaaS company's billing, told in order."""

    def __init__(self, store: NueStore) -> None:
        self.store = store
        self.today = store.clock.today()
        self.entries: dict[str, str] = {}
        self.customers: dict[str, str] = {}
        self._keys = 0

    def at(self, days_ago: int) -> date:
        day = self.today - timedelta(days=days_ago)
        self.store.clock.freeze(datetime.combine(day, time(17, 0), tzinfo=UTC))
        return day

    def build(self) -> None:
        try:
            self._catalog()
            self._story()
        finally:
            self.store.clock.freeze(None)

    def _catalog(self) -> None:
        self.at(200)
        products = catalog.create_products(
            self.store,
            [{"name": n, "sku": s, "productType": t, "listPrice": p} for n, s, t, p in _DEMO_PRODUCTS],
        )
        for product in products:
            entry = self.store.find("priceBookEntries", "productId", product["id"])
            assert entry is not None
            self.entries[product["sku"]] = entry["id"]
        # every account exists from the start (stamps never go backwards, so history is written in order);
        # customerSince is the business date each became a customer
        for name, email, since in _DEMO_CUSTOMERS:
            body: dict[str, Any] = {"name": name, "recordType": "Business", "email": email}
            if since is not None:
                body["customerSince"] = (self.today - timedelta(days=since)).isoformat()
            self.customers[name] = catalog.create_customers(self.store, [body])[0]["id"]

    def order(self, customer: str, lines: list[dict[str, Any]], *, activate: bool = True) -> Record:
        specs = [self._spec(line) for line in lines]
        order = orders.create_order(
            self.store, {"customer": {"id": self.customers[customer]}, "orderProducts": specs}
        )
        if activate:
            lifecycle.activate_order(self.store, order["id"], {})
        return order

    def _spec(self, line: Mapping[str, Any]) -> dict[str, Any]:
        spec = {key: value for key, value in line.items() if key != "sku"}
        spec["priceBookEntryId"] = self.entries[line["sku"]]
        return spec

    def invoice(self, customer: str, *order_list: Record, catch_up: bool = False) -> Record:
        return billing.invoice_orders(
            self.store,
            self.customers[customer],
            [o["id"] for o in order_list],
            catch_up=catch_up,
            activate=True,
        )

    def change(self, *asset_changes: dict[str, Any], products: list[dict[str, Any]] | None = None) -> Record:
        specs = [self._spec(p) for p in products or []]
        order = changes.create_change_order(
            self.store, {"assetChanges": list(asset_changes), "products": specs}
        )
        lifecycle.activate_order(self.store, order["id"], {})
        return order

    def pay(self, invoice: Record, amount: str) -> None:
        self._keys += 1
        payments.pay_invoices(
            self.store,
            {
                "payInvoices": [
                    {
                        "invoiceId": invoice["id"],
                        "customerId": invoice["customerId"],
                        "transactionAmount": Decimal(amount),
                        "paymentSource": "Nue",
                        "paymentMethod": "ACH",
                        "idempotencyKey": f"demo-payment-{self._keys}",
                    }
                ]
            },
        )

    def sub(self, order: Record, sku: str) -> str:
        line = next(
            line
            for line in self.store.require("orders", order["id"], "Order")["orderProducts"]
            if line["productSku"] == sku and line["assetNumber"]
        )
        return str(line["assetNumber"])

    def _story(self) -> None:
        start = self.at(175)
        acme = self.order(
            "Acme Corp", [{"sku": "PLAT-PRO", "quantity": 20}, {"sku": "ANLY-ADD", "quantity": 20}]
        )
        acme_inv = self.invoice("Acme Corp", acme)
        globex = self.order(
            "Globex",
            [{"sku": "PLAT-ENT", "ramps": [{"term": 3, "quantity": 25}, {"term": 9, "quantity": 50}]}],
        )
        globex_inv = self.invoice("Globex", globex)
        initech = self.order(
            "Initech",
            [
                {"sku": "PLAT-PRO", "quantity": 10},
                {"sku": "HW-TOKEN", "quantity": 10},
                {"sku": "ONB-PKG", "quantity": 1},
            ],
        )
        initech_inv = self.invoice("Initech", initech)

        self.at(150)
        umbrella = self.order(
            "Umbrella Group",
            [
                {"sku": "PLAT-PRO", "quantity": 5, "splitIntervalMonths": 6},
                {"sku": "SUP-PREM", "quantity": 5},
            ],
        )
        self.invoice("Umbrella Group", umbrella)
        stark = self.order(
            "Stark Industries", [{"sku": "EDGE-APL", "quantity": 2}, {"sku": "API-1M", "quantity": 1}]
        )
        stark_inv = self.invoice("Stark Industries", stark)
        self.pay(acme_inv, str(acme_inv["amount"]))
        self.pay(initech_inv, "10000")

        day = self.at(120)
        more_seats = self.change(
            {
                "changeType": "UpdateQuantity",
                "assetNumber": self.sub(acme, "PLAT-PRO"),
                "quantity": 5,
                "startDate": day.isoformat(),
            }
        )
        self.invoice("Acme Corp", more_seats)
        wayne = self.order(
            "Wayne Enterprises",
            [
                {
                    "sku": "PLAT-ENT",
                    "quantity": 30,
                    "subscriptionStartDate": (day - timedelta(days=60)).isoformat(),
                }
            ],
        )
        self.invoice("Wayne Enterprises", wayne, catch_up=True)

        day = self.at(90)
        fewer_seats = self.change(
            {
                "changeType": "UpdateQuantity",
                "assetNumber": self.sub(initech, "PLAT-PRO"),
                "quantity": -3,
                "startDate": day.isoformat(),
            }
        )
        self.invoice("Initech", fewer_seats)  # a negative invoice
        upgrade = self.change(
            {
                "changeType": "Upgrade",
                "assetNumber": self.sub(umbrella, "PLAT-PRO"),
                "targetPriceBookEntryId": self.entries["PLAT-ENT"],
                "startDate": day.isoformat(),
            }
        )
        self.invoice("Umbrella Group", upgrade)
        self.pay(stark_inv, str(stark_inv["amount"]))

        day = self.at(60)
        swap = self.change(
            {
                "changeType": "Swap",
                "assetNumber": self.sub(stark, "EDGE-APL"),
                "targetPriceBookEntryId": self.entries["HW-TOKEN"],
                "startDate": day.isoformat(),
            }
        )
        self.invoice("Stark Industries", swap)
        wonka = self.order("Wonka Industries", [{"sku": "SBX-SEAT", "quantity": 10}])
        self.invoice("Wonka Industries", wonka)  # a $0 invoice
        cyberdyne = self.order(
            "Cyberdyne Systems", [{"sku": "PLAT-PRO", "quantity": 15, "subscriptionTerm": 6}]
        )
        self.invoice("Cyberdyne Systems", cyberdyne)
        memo = credit_memos.create_credit_memo(
            self.store,
            {
                "customerId": self.customers["Globex"],
                "amount": Decimal("500.00"),
                "sourceInvoiceId": globex_inv["id"],
                "activate": True,
            },
        )
        payments.apply_credit_memos(
            self.store,
            {
                "appliedInvoices": [
                    {
                        "invoiceId": globex_inv["id"],
                        "creditMemoId": memo["id"],
                        "transactionAmount": Decimal("500.00"),
                        "idempotencyKey": "demo-credit-1",
                    }
                ]
            },
        )

        day = self.at(30)
        cyber_renewal = self.change(
            {"changeType": "Renew", "assetNumber": self.sub(cyberdyne, "PLAT-PRO"), "renewalTerm": 12},
            products=[{"sku": "ANLY-ADD", "quantity": 15}],
        )
        self.invoice("Cyberdyne Systems", cyber_renewal)
        downgrade = self.change(
            {
                "changeType": "Downgrade",
                "assetNumber": self.sub(wayne, "PLAT-ENT"),
                "targetPriceBookEntryId": self.entries["PLAT-PRO"],
                "startDate": day.isoformat(),
            },
        )
        self.invoice("Wayne Enterprises", downgrade)
        self.change({"changeType": "UpdateTerm", "assetNumber": self.sub(stark, "API-1M"), "term": 6})
        acme_end = start + timedelta(days=395)
        co_term = self.change(
            {
                "changeType": "CoTerm",
                "assetNumber": self.sub(acme, "ANLY-ADD"),
                "coTermDate": acme_end.isoformat(),
            }
        )
        self.invoice("Acme Corp", co_term)
        soylent = self.order("Soylent", [{"sku": "PLAT-PRO", "quantity": 8}])
        billing.invoice_orders(self.store, self.customers["Soylent"], [soylent["id"]])  # stays a draft

        day = self.at(5)
        cancel = self.change(
            {
                "changeType": "Cancel",
                "assetNumber": self.sub(umbrella, "SUP-PREM"),
                "cancellationDate": day.isoformat(),
            }
        )
        self.invoice("Umbrella Group", cancel)
        self.order("Hooli", [{"sku": "PLAT-PRO", "quantity": 3}], activate=False)  # a draft order


def load_fixture(store: NueStore, data: Mapping[str, Any]) -> dict[str, int]:
    """Add a fixture's records to the tenant (see the module docstring); returns counts by kind."""
    unknown = sorted(set(data) - {"customers", "products", "priceBookEntries", "orders", "raw"})
    if unknown:
        raise ValueError(f"unknown fixture keys: {', '.join(unknown)}")
    counts: dict[str, int] = {}
    try:
        with store.lock:
            if data.get("products"):
                counts["products"] = len(catalog.create_products(store, data["products"]))
            if data.get("priceBookEntries"):
                counts["priceBookEntries"] = len(
                    catalog.create_price_book_entries(store, data["priceBookEntries"])
                )
            if data.get("customers"):
                counts["customers"] = len(catalog.create_customers(store, data["customers"]))
            for raw in coerce.items(data.get("orders"), "orders", required=False):
                body = dict(coerce.obj(raw, "orders[]"))
                activate, invoice = bool(body.pop("activate", False)), bool(body.pop("invoice", False))
                order = orders.create_order(store, body)
                if activate or invoice:
                    lifecycle.activate_order(store, order["id"], {})
                if invoice:
                    billing.invoice_orders(store, order["customerId"], [order["id"]], activate=True)
                counts["orders"] = counts.get("orders", 0) + 1
            for table, records in coerce.obj(data.get("raw") or {}, "raw").items():
                if table not in TABLES:
                    raise ValueError(f"raw: unknown table {table!r}")
                for record in coerce.items(records, f"raw.{table}"):
                    row = dict(coerce.obj(record, f"raw.{table}[]"))
                    if not isinstance(row.get("id"), str):
                        raise ValueError(f"raw.{table}: every record needs a string id")
                    store.insert(table, row)
                counts[table] = counts.get(table, 0) + len(records)
    except NueError as exc:
        raise ValueError(f"{exc.code}: {exc.message}") from None
    return counts
