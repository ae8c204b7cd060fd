"""Customers, products and price book entries: creation and updates, validated the way Nue would.

``POST /customers`` takes an array (≤ 200 per call; ``name`` and ``recordType`` Consumer/Business required —
reference notes §1.2). Products carry one of the three types the NetSuite sync maps to item record types
(Subscription → non-inventory sale item, Entitlement → service sale item, Asset → inventory item; §1.8).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import coerce
from .errors import NueError
from .store import NueStore, Record

RECORD_TYPES = ("Business", "Consumer")
PRODUCT_TYPES = ("Subscription", "Entitlement", "Asset")
STANDARD_PRICE_BOOK = "STANDARD"
_CUSTOMER_UPDATABLE = (
    "name",
    "recordType",
    "email",
    "phone",
    "description",
    "customerSince",
    "paymentTerm",
    "billingAddress",
)


def _customer_fields(body: Mapping[str, Any], where: str, *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if not partial or "name" in body:
        fields["name"] = coerce.required_text(body, "name", where)
    if not partial or "recordType" in body:
        fields["recordType"] = coerce.choice(body, "recordType", where, RECORD_TYPES)
    for key in ("email", "phone", "description", "paymentTerm"):
        if key in body:
            fields[key] = coerce.text(body, key, where, required=False)
    if "customerSince" in body:
        since = coerce.day(body, "customerSince", where, required=False)
        fields["customerSince"] = since.isoformat() if since else None
    if "billingAddress" in body:
        address = body["billingAddress"]
        fields["billingAddress"] = dict(coerce.obj(address, f"{where}.billingAddress")) if address else None
    return fields


def create_customers(store: NueStore, payload: Any) -> list[Record]:
    """``POST /customers``: validate every entry first, then create them all (all or nothing)."""
    entries = coerce.items(payload, "body")
    limit = store.settings.max_customers_per_request
    if not entries:
        raise NueError.invalid("Send at least one customer.")
    if len(entries) > limit:
        raise NueError.invalid(f"At most {limit} customers may be created per request; got {len(entries)}.")
    parsed = [
        _customer_fields(coerce.obj(entry, f"customers[{i}]"), f"customers[{i}]", partial=False)
        for i, entry in enumerate(entries)
    ]
    created: list[Record] = []
    with store.lock:
        for fields, entry in zip(parsed, entries, strict=True):
            record: Record = {
                "id": store.new_id("customer"),
                "accountNumber": store.next_number("ACC"),
                "email": None,
                "phone": None,
                "description": None,
                "customerSince": None,
                "currencyIsoCode": coerce.text(entry, "currencyIsoCode", "customer", required=False)
                or store.settings.currency,
                "paymentTerm": "Net 30",
                "billingAddress": None,
                "status": "Active",
                **fields,
            }
            created.append(store.insert("customers", record))
    return created


def update_customer(store: NueStore, customer_id: str, payload: Any) -> Record:
    """``PATCH /customers/{id}`` (assumed path): change the given fields; bumps ``lastModifiedDate``."""
    body = coerce.obj(payload, "body")
    unknown = sorted(set(body) - set(_CUSTOMER_UPDATABLE))
    if unknown:
        raise NueError.invalid(f"These customer fields cannot be updated: {', '.join(unknown)}.")
    fields = _customer_fields(body, "customer", partial=True)
    with store.lock:
        record = store.require("customers", customer_id, "Customer")
        record.update(fields)
        return store.touch("customers", record)


def create_products(store: NueStore, payload: Any) -> list[Record]:
    """``POST /products`` (array). A ``listPrice`` also creates the product's standard price book entry."""
    entries = coerce.items(payload, "body")
    if not entries:
        raise NueError.invalid("Send at least one product.")
    checked: list[tuple[Mapping[str, Any], str, str, Decimal | None]] = []
    for i, entry in enumerate(entries):
        where = f"products[{i}]"
        body = coerce.obj(entry, where)
        coerce.required_text(body, "name", where)
        sku = coerce.required_text(body, "sku", where)
        kind = coerce.choice(body, "productType", where, PRODUCT_TYPES)
        price = coerce.amount(body, "listPrice", where, required=False)
        if price is not None and price < 0:
            raise NueError.invalid(f"{where}.listPrice cannot be negative.", field=f"{where}.listPrice")
        checked.append((body, sku, kind, price))
    with store.lock:
        skus = [sku for _, sku, _, _ in checked]
        taken = {p["sku"] for p in store.rows("products")}
        duplicate = next((s for s in skus if s in taken or skus.count(s) > 1), None)
        if duplicate is not None:
            raise NueError(409, "DUPLICATE_VALUE", f"A product with SKU '{duplicate}' already exists.")
        created: list[Record] = []
        for body, sku, kind, price in checked:
            product: Record = {
                "id": store.new_id("product"),
                "name": body["name"],
                "sku": sku,
                "productType": kind,
                "description": body.get("description"),
                "productCategory": body.get("productCategory") or kind,
                "priceModel": "Recurring" if kind == "Subscription" else "OneTime",
                "billingPeriod": "Month" if kind == "Subscription" else None,
                "uom": body.get("uom") or ("User" if kind == "Subscription" else "Each"),
                "status": "Active",
            }
            created.append(store.insert("products", product))
            if price is not None:
                _insert_entry(store, product, price, STANDARD_PRICE_BOOK, store.settings.currency)
        return created


def create_price_book_entries(store: NueStore, payload: Any) -> list[Record]:
    """``POST /price-book-entries`` (assumed path; array of ``{productId, listPrice, priceBookId?}``)."""
    entries = coerce.items(payload, "body")
    if not entries:
        raise NueError.invalid("Send at least one price book entry.")
    with store.lock:
        checked: list[tuple[Record, Decimal, str, str]] = []
        for i, entry in enumerate(entries):
            where = f"priceBookEntries[{i}]"
            body = coerce.obj(entry, where)
            product_id = coerce.required_text(body, "productId", where)
            product = store.get("products", product_id)
            if product is None:
                raise NueError.rule(
                    "PRODUCT_NOT_FOUND", f"{where}.productId '{product_id}' is not a product."
                )
            price = coerce.required_amount(body, "listPrice", where)
            if price < 0:
                raise NueError.invalid(f"{where}.listPrice cannot be negative.", field=f"{where}.listPrice")
            book = coerce.text(body, "priceBookId", where, required=False) or STANDARD_PRICE_BOOK
            currency = coerce.text(body, "currencyIsoCode", where, required=False) or store.settings.currency
            checked.append((product, price, book, currency))
        return [_insert_entry(store, *entry) for entry in checked]


def _insert_entry(store: NueStore, product: Record, price: Decimal, book: str, currency: str) -> Record:
    entry: Record = {
        "id": store.new_id("pricebookentry"),
        "name": product["name"],
        "priceBookId": book,
        "productId": product["id"],
        "productSku": product["sku"],
        "listPrice": price,
        "currencyIsoCode": currency,
        "billingPeriod": product["billingPeriod"],
        "active": True,
    }
    return store.insert("priceBookEntries", entry)


def price_entry_for(store: NueStore, *, entry_id: str | None, product_id: str | None, where: str) -> Record:
    """The price book entry an order line names, by id or (first active) for a product."""
    if entry_id is not None:
        entry = store.get("priceBookEntries", entry_id)
        if entry is None:
            raise NueError.rule(
                "PRICE_BOOK_ENTRY_NOT_FOUND", f"{where}: price book entry '{entry_id}' not found."
            )
        if not entry["active"]:
            raise NueError.rule(
                "PRICE_BOOK_ENTRY_INACTIVE", f"{where}: price book entry '{entry_id}' is inactive."
            )
        return entry
    if product_id is not None:
        found = next(
            (e for e in store.rows("priceBookEntries") if e["productId"] == product_id and e["active"]), None
        )
        if found is None:
            raise NueError.rule(
                "PRICE_BOOK_ENTRY_NOT_FOUND", f"{where}: product '{product_id}' has no active price."
            )
        return found
    raise NueError.invalid(
        f"{where}: give priceBookEntryId (or productId).", field=f"{where}.priceBookEntryId"
    )


def require_customer(store: NueStore, customer_id: str) -> Record:
    customer = store.get("customers", customer_id)
    if customer is None:
        raise NueError.rule("CUSTOMER_NOT_FOUND", f"Customer '{customer_id}' does not exist.")
    return customer


def product_of(store: NueStore, entry: Record) -> Record:
    return store.require("products", entry["productId"], "Product")
