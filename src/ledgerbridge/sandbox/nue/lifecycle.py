"""The order state machine: ``Draft → Activated`` (or ``Canceled``), for new, change and renewal orders.

Activation (``POST /orders/{id}``, reference notes §1.2) creates the subscriptions/entitlements/assets of a
new order, or applies a change order's asset changes (and creates assets for the products it adds), then —
with ``options.generateInvoice`` — runs an invoice over the order's lines, activated with
``options.activateInvoice``. The answer carries ``order``, ``assets`` (created or changed) and ``invoices``.
"""

from __future__ import annotations

from typing import Any

from . import billing, coerce
from .changes import apply_change_order
from .errors import NueError
from .orders import create_assets
from .store import NueStore, Record


def activate_order(store: NueStore, order_id: str, payload: Any) -> Record:
    body = coerce.obj(payload or {}, "body")
    options = coerce.obj(body.get("options") or {}, "options")
    generate = coerce.flag(options, "generateInvoice", "options")
    activate_invoice = coerce.flag(options, "activateInvoice", "options")
    with store.lock:
        order = store.require("orders", order_id, "Order")
        if order["status"] != "Draft":
            raise NueError.state(
                f"Order {order['orderNumber']} is {order['status']}; only drafts can be activated."
            )
        if order["orderType"] == "NewOrder":
            assets = create_assets(store, order, order["orderProducts"])
        else:
            assets = apply_change_order(store, order)
        if "poNumber" in body:
            order["poNumber"] = coerce.text(body, "poNumber", "body", required=False)
        order["status"] = "Activated"
        order["activatedDate"] = store.clock.today().isoformat()
        store.touch("orders", order, event="activated")
        documents: list[Record] = []
        if generate and any(line["billable"] for line in order["orderProducts"]):
            documents.append(
                billing.invoice_orders(store, order["customerId"], [order["id"]], activate=activate_invoice)
            )
        return {"order": order, "assets": assets, "invoices": documents}


def cancel_order(store: NueStore, order_id: str) -> Record:
    """Cancel an order (a sandbox helper; tray.ai documents the operation, its path is unknown).

    A draft is simply dropped from use; an activated order's subscriptions stay as they are — what the
    cancellation means for billing is for the integration to decide (the flows treat invoices of a
    cancelled order as needing a person).
    """
    with store.lock:
        order = store.require("orders", order_id, "Order")
        if order["status"] == "Canceled":
            return order
        order["status"] = "Canceled"
        order["canceledDate"] = store.clock.today().isoformat()
        return store.touch("orders", order, event="canceled")
