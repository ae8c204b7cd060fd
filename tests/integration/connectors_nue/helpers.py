"""Setting up records in the emulator directly (in-process), so connector tests start from known state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerbridge.sandbox.nue import billing, catalog, lifecycle, orders
from ledgerbridge.sandbox.nue.store import NueStore


def customer_with_invoices(
    store: NueStore, *amounts: int, name: str = "Acme"
) -> tuple[str, list[dict[str, Any]]]:
    """A customer and one active invoice per amount (a one-time product at that price)."""
    customer = catalog.create_customers(store, [{"name": name, "recordType": "Business"}])[0]["id"]
    invoices = []
    for amount in amounts:
        sku = f"ITEM-{name}-{len(store.rows('products'))}"
        product = catalog.create_products(
            store, [{"name": sku, "sku": sku, "productType": "Asset", "listPrice": Decimal(amount)}]
        )[0]
        entry = store.find("priceBookEntries", "productId", product["id"])
        assert entry is not None
        order = orders.create_order(
            store,
            {
                "customer": {"id": customer},
                "orderProducts": [{"priceBookEntryId": entry["id"], "quantity": 1}],
            },
        )
        lifecycle.activate_order(store, order["id"], {})
        invoices.append(billing.invoice_orders(store, customer, [order["id"]], activate=True))
    return customer, invoices
