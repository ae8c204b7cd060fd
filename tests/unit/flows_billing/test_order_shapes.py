"""Which sales order holds each line (new, change, renewal with merge off/on), returns and credit memos."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.connectors.nue import Invoice, Order
from ledgerbridge.flows.billing_to_erp import records

STAMP = "2026-03-01T10:00:00Z"


def _order(order_type: str, *lines: dict[str, Any], order_id: str = "R") -> Order:
    return Order.model_validate(
        {
            "id": order_id,
            "customerId": "C1",
            "orderType": order_type,
            "status": "Activated",
            "lastModifiedDate": STAMP,
            "orderProducts": list(lines),
        }
    )


def _line(
    op: str, original: str | None, subscription: str, total: str = "100", quantity: str = "1"
) -> dict[str, Any]:
    return {
        "id": op,
        "orderId": "R",
        "lineType": "LineItem",
        "quantity": quantity,
        "totalPrice": total,
        "productId": "P1",
        "originalOrderId": original,
        "subscriptionId": subscription,
    }


def test_a_change_order_appends_to_the_original_grouped_by_subscription() -> None:
    change = _order("ChangeOrder", _line("L2", "A", "S2"), _line("L1", "A", "S1"))

    header, *children = records.order_records(change)

    assert (header.source_type, header.target_type, header.external_id) == (
        "order",
        "salesorder_append",
        "lb-nue-so-R",
    )
    (group,) = header.payload["appends"]
    assert group["original_order_id"] == "A"
    assert [line["changes"] for line in group["lines"]] == ["S1", "S2"]
    assert [child.payload["holder"] for child in children] == ["A", "A"]


@pytest.mark.parametrize(
    ("merge", "shapes"),
    [
        (False, [("order", "salesorder")]),
        (True, [("order", "salesorder"), ("order_append", "salesorder_append")]),
    ],
)
def test_a_renewal_is_a_new_sales_order_unless_merged(merge: bool, shapes: list[tuple[str, str]]) -> None:
    renewal = _order("RenewalOrder", _line("L1", "A", "S1"), _line("L2", "R", "S9"))

    rows = records.order_records(renewal, merge_renewals=merge)

    assert [
        (row.source_type, row.target_type) for row in rows if row.source_type != "order_product"
    ] == shapes
    holders = {row.source_id: row.payload["holder"] for row in rows if row.source_type == "order_product"}
    assert holders == ({"L1": "A", "L2": "R"} if merge else {"L1": "R", "L2": "R"})
    if merge:
        assert rows[0].payload["lines"][0]["order_product_id"] == "L2"
        assert rows[1].external_id == "lb-nue-so-R_append"


def test_a_negative_change_returns_positive_quantities_and_amounts() -> None:
    change = _order("ChangeOrder", _line("L1", "A", "S1", total="-1100", quantity="-1"))

    (row,) = records.return_records(change)

    assert (row.target_type, row.external_id) == ("returnauthorization", "lb-nue-ra-R")
    assert row.payload["original_order_id"] == "A"
    assert (row.payload["lines"][0]["quantity"], row.payload["lines"][0]["amount"]) == (
        Decimal(1),
        Decimal(1100),
    )


def test_a_negative_invoice_is_a_credit_memo_of_the_return() -> None:
    invoice = Invoice.model_validate(
        {
            "id": "INV-2",
            "customerId": "C1",
            "status": "Active",
            "amount": "-1100",
            "balance": "-1100",
            "lastModifiedDate": STAMP,
            "invoiceItems": [
                {
                    "id": "I1",
                    "amount": "-1100",
                    "productId": "P1",
                    "invoiceItemDetails": [
                        {
                            "id": "D1",
                            "amount": "-1100",
                            "quantity": "-1",
                            "orderId": "R",
                            "orderProductId": "L1",
                        }
                    ],
                }
            ],
        }
    )

    (row,) = records.credit_memo_records(invoice)

    assert (row.target_type, row.external_id, row.payload["return_order_id"]) == (
        "creditmemo",
        "lb-nue-cm-INV-2",
        "R",
    )
    assert row.payload["amount"] == Decimal(1100) and row.payload["lines"][0]["amount"] == Decimal(1100)


def test_invoice_lines_follow_the_sales_order_holding_them() -> None:
    invoice = Invoice.model_validate(
        {
            "id": "INV-3",
            "customerId": "C1",
            "status": "Active",
            "amount": "200",
            "balance": "200",
            "lastModifiedDate": STAMP,
            "invoiceItems": [
                {
                    "id": "I1",
                    "amount": "200",
                    "productId": "P1",
                    "invoiceItemDetails": [
                        {
                            "id": "D1",
                            "amount": "100",
                            "orderId": "R",
                            "originalOrderId": "A",
                            "orderProductId": "L1",
                        },
                        {
                            "id": "D2",
                            "amount": "100",
                            "orderId": "R",
                            "originalOrderId": "R",
                            "orderProductId": "L2",
                        },
                    ],
                }
            ],
        }
    )

    merged_off = records.invoice_records(invoice, {"L1": "R", "L2": "R"})
    no_hub = records.invoice_records(invoice)

    assert [row.external_id for row in merged_off] == ["lb-nue-inv-INV-3"]
    assert [row.payload["order_id"] for row in no_hub] == ["A", "R"]
