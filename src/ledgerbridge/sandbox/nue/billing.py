"""Invoices: runs over activated orders, activation, cancellation, and rendering with related data.

An invoice run bills every billable order product (``LineItem``/``RampItem``) of the given orders that no
earlier invoice took, for its whole service period. Items group the lines by the subscription/entitlement/
asset (and product) they bill; each item's ``invoiceItemDetails`` name the order product, its order, the
original order of the subscription, and the subscription itself. A run can be flagged catch-up
(``isCatchUp``: periods already past, billed at once). Totals may be $0 (free lines) or negative (change
orders that take something away): a negative run is a negative invoice, or a credit memo when the
``negative_invoices`` setting says so.

Statuses: ``Draft → Active → Canceled`` with ``paymentStatus`` ``Open | PartiallyPaid | Paid | Canceled``.
Balances move only through ``payments.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from . import catalog, coerce
from .credit_memos import activate_credit_memo, memo_from_lines
from .documents import ZERO, check_cancellable, line_detail, period, refresh_invoice, release_lines
from .errors import NueError
from .store import NueStore, Record

_GRAPHQL_EQ = re.compile(r'(\w+)\s*:?\s*\{\s*_eq\s*:\s*"([^"]*)"\s*\}')


# --- invoice runs ------------------------------------------------------------------------------------


def invoice_orders(
    store: NueStore,
    customer_id: str,
    order_ids: Iterable[str],
    *,
    invoice_date: date | None = None,
    catch_up: bool = False,
    activate: bool = False,
) -> Record:
    """Bill the not yet billed lines of ``order_ids``; returns the invoice (or credit memo) created."""
    with store.lock:
        customer = catalog.require_customer(store, customer_id)
        orders = [_billable_order(store, order_id, customer_id) for order_id in dict.fromkeys(order_ids)]
        lines = [
            line
            for order in orders
            for line in order["orderProducts"]
            if line["billable"] and line["invoiceId"] is None and line["creditMemoId"] is None
        ]
        if not lines:
            raise NueError.rule(
                "NOTHING_TO_INVOICE", "Every billable line of these orders is already invoiced."
            )
        total = sum((line["totalPrice"] for line in lines), ZERO)
        day = invoice_date or store.clock.today()
        if total < 0 and store.settings.negative_invoices == "credit_memo":
            document = memo_from_lines(store, customer, lines, day)
            table = "creditMemos"
        else:
            document = _invoice_from_lines(store, customer, lines, day, catch_up)
            table = "invoices"
        for line in lines:
            line["invoiceId" if table == "invoices" else "creditMemoId"] = document["id"]
        store.insert(table, document)
        for order in orders:
            store.touch("orders", order)
        if activate:
            if table == "invoices":
                activate_invoice(store, document)
            else:
                activate_credit_memo(store, document)
        return document


def _billable_order(store: NueStore, order_id: str, customer_id: str) -> Record:
    order = store.get("orders", order_id)
    if order is None:
        raise NueError.rule("ORDER_NOT_FOUND", f"Order '{order_id}' does not exist.")
    if order["customerId"] != customer_id:
        raise NueError.rule("CUSTOMER_MISMATCH", f"Order {order['orderNumber']} belongs to another customer.")
    if order["status"] != "Activated":
        raise NueError.state(
            f"Order {order['orderNumber']} is {order['status']}; only activated orders are billed."
        )
    return order


def _grouped(lines: list[Record]) -> dict[tuple[str, str], list[Record]]:
    groups: dict[tuple[str, str], list[Record]] = {}
    for line in lines:
        groups.setdefault((line["assetId"] or line["id"], line["productId"]), []).append(line)
    return groups


def _invoice_from_lines(
    store: NueStore, customer: Record, lines: list[Record], day: date, catch_up: bool
) -> Record:
    invoice_id = store.new_id("invoice")
    items: list[Record] = []
    for group in _grouped(lines).values():
        first = group[0]
        item_id = store.new_id("invoiceitem")
        parents = {"invoiceItemId": item_id, "invoiceId": invoice_id}
        details = [line_detail(store, line, parents, 1) for line in group]
        start, end = period(group)
        items.append(
            {
                "id": item_id,
                "invoiceId": invoice_id,
                "productId": first["productId"],
                "productName": first["productName"],
                "productSku": first["productSku"],
                "productType": first["productType"],
                "assetType": first["assetType"],
                "assetId": first["assetId"],
                "assetNumber": first["assetNumber"],
                "subscriptionId": first["subscriptionId"],
                "quantity": sum((line["quantity"] for line in group), Decimal(0)),
                "amount": sum((d["amount"] for d in details), ZERO),
                "startDate": start,
                "endDate": end,
                "invoiceItemDetails": details,
            }
        )
    total = sum((item["amount"] for item in items), ZERO)
    start, end = period(lines)
    return {
        "id": invoice_id,
        "name": store.next_number("INV"),
        "customerId": customer["id"],
        "orderIds": sorted({line["orderId"] for line in lines}),
        "status": "Draft",
        "paymentStatus": "Open",
        "invoiceDate": day.isoformat(),
        "dueDate": (day + timedelta(days=store.settings.payment_term_days)).isoformat(),
        "startDate": start,
        "endDate": end,
        "amount": total,
        "amountWithoutTax": total,
        "taxAmount": ZERO,
        "balance": total,
        "currencyIsoCode": customer["currencyIsoCode"],
        "isCatchUp": catch_up,
        "activatedDate": None,
        "cancellationDate": None,
        "comments": None,
        "invoiceItems": items,
    }


# --- invoice actions -----------------------------------------------------------------------------------


def activate_invoice(
    store: NueStore, invoice: Record, *, invoice_date: date | None = None, comment: str | None = None
) -> str | None:
    """Draft → Active; returns a warning instead when it is active already."""
    if invoice["status"] == "Active":
        return f"Invoice {invoice['name']} is already active."
    if invoice["status"] != "Draft":
        raise NueError.state(
            f"Invoice {invoice['name']} is {invoice['status']}; only drafts can be activated."
        )
    if invoice_date is not None:
        invoice["invoiceDate"] = invoice_date.isoformat()
        invoice["dueDate"] = (invoice_date + timedelta(days=store.settings.payment_term_days)).isoformat()
    if comment:
        invoice["comments"] = comment
    invoice["status"] = "Active"
    invoice["activatedDate"] = store.clock.today().isoformat()
    refresh_invoice(invoice)
    store.touch("invoices", invoice, event="activated")
    return None


def select_invoices(store: NueStore, body: Mapping[str, Any], ids_key: str = "invoiceIds") -> list[Record]:
    """The invoices an action names: ``invoiceIds`` or a ``graphqlFilter`` of ``{field {_eq: "v"}}`` terms."""
    ids = body.get(ids_key)
    graphql = body.get("graphqlFilter")
    if ids is not None:
        wanted = [str(key) for key in coerce.items(ids, ids_key)]
        if not wanted:
            raise NueError.invalid(f"{ids_key} is empty.", field=ids_key)
        return [store.require("invoices", key, "Invoice") for key in wanted]
    if isinstance(graphql, str):
        terms = _GRAPHQL_EQ.findall(graphql)
        if not terms:
            raise NueError.invalid(
                'graphqlFilter must hold terms like {status {_eq: "Draft"}}.', field="graphqlFilter"
            )
        return [
            invoice
            for invoice in store.rows("invoices")
            if all(str(invoice.get(field, "")).lower() == value.lower() for field, value in terms)
        ]
    raise NueError.invalid(f"Send {ids_key} or graphqlFilter.", field=ids_key)


def activate_invoices(store: NueStore, payload: Any) -> tuple[list[Record], list[str]]:
    body = coerce.obj(payload, "body")
    invoice_date = coerce.day(body, "invoiceDate", "body", required=False)
    comment_body = body.get("invoiceComment")
    comment = None
    if comment_body:
        comment = coerce.text(
            coerce.obj(comment_body, "invoiceComment"), "comment", "invoiceComment", required=False
        )
    with store.lock:
        invoices = select_invoices(store, body)
        for invoice in invoices:
            if invoice["status"] == "Canceled":
                raise NueError.state(f"Invoice {invoice['name']} is Canceled; it cannot be activated.")
        warnings = [
            warning
            for invoice in invoices
            if (warning := activate_invoice(store, invoice, invoice_date=invoice_date, comment=comment))
        ]
        return invoices, warnings


def cancel_invoices(store: NueStore, payload: Any) -> tuple[list[Record], list[str]]:
    """Cancel drafts (and active invoices without applications); a second cancel is a no-op + warning."""
    body = coerce.obj(payload, "body")
    with store.lock:
        invoices = select_invoices(store, body)
        warnings: list[str] = []
        for invoice in invoices:
            check_cancellable(store, invoice, "Invoice")
        for invoice in invoices:
            if invoice["status"] == "Canceled":
                warnings.append(f"Invoice {invoice['name']} was already canceled.")
                continue
            invoice["status"] = "Canceled"
            invoice["balance"] = ZERO
            invoice["cancellationDate"] = store.clock.today().isoformat()
            refresh_invoice(invoice)
            release_lines(store, invoice["id"])
            store.touch("invoices", invoice, event="canceled")
        return invoices, warnings


# --- rendering -----------------------------------------------------------------------------------------


def applications_by_invoice(store: NueStore) -> dict[str, list[Record]]:
    """Payment and credit applications by invoice id, oldest first (``includes=paymentApplications``)."""
    found: dict[str, list[Record]] = {}
    for table in ("paymentApplications", "creditApplications"):
        for application in store.rows(table):
            found.setdefault(application["invoiceId"], []).append(application)
    for rows in found.values():
        rows.sort(key=lambda a: (a["createdDate"], a["id"]))
    return found


def with_includes(
    store: NueStore,
    invoice: Record,
    includes: frozenset[str],
    applications: dict[str, list[Record]] | None = None,
) -> Record:
    """A copy of ``invoice`` with the related data ``includes`` asks for (orders, assets, applications);
    ``applications`` is :func:`applications_by_invoice`, built once per list request."""
    out = dict(invoice)
    if "paymentApplications" in includes:
        index = applications if applications is not None else applications_by_invoice(store)
        out["paymentApplications"] = index.get(invoice["id"], [])
    if "orders" in includes:
        out["orders"] = [
            {k: o[k] for k in ("id", "orderNumber", "orderType", "status", "activatedDate")}
            for key in invoice["orderIds"]
            if (o := store.get("orders", key)) is not None
        ]
    if "assets" in includes:
        numbers = {item["assetNumber"] for item in invoice["invoiceItems"] if item["assetNumber"]}
        out["assets"] = [
            asset
            for table in ("subscriptions", "entitlements", "assets")
            for asset in store.rows(table)
            if asset["assetNumber"] in numbers
        ]
    return out
