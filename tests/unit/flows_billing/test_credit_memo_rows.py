"""Nue credit memos → hub rows: a negative change's memo credits that change's return; a hand-made one
gets a return of its own; lines are positive whatever sign Nue gives them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.nue import CreditMemo
from ledgerbridge.flows.billing_to_erp import records


def _memo(**fields: Any) -> CreditMemo:
    body: dict[str, Any] = {
        "id": "cm-1",
        "customerId": "cust-1",
        "status": "Active",
        "amount": "30.00",
        "balance": "30.00",
        "name": "CM-00000001",
        "creditMemoDate": "2026-10-05",
        "creditMemoItems": [
            {
                "id": "i1",
                "amount": "-20.00",
                "quantity": "-2",
                "productId": "p1",
                "orderId": "o1",
                "originalOrderId": "o0",
                "orderProductId": "op1",
            },
            {"id": "i2", "amount": "10.00", "description": "Goodwill"},
        ],
        **fields,
    }
    return CreditMemo.model_validate(body)


def test_a_hand_made_memo_is_a_return_of_its_own_and_a_credit_memo_created_from_it() -> None:
    authorization, credit = records.credit_memo_rows(_memo(source="Manual"))
    assert (authorization.source_type, authorization.target_type) == ("credit_return", "returnauthorization")
    assert authorization.external_id == "lb-nue-ra-cm-1"
    assert authorization.payload["original_order_id"] == "o0"  # every product line credits order o0
    assert (credit.source_type, credit.target_type, credit.external_id) == (
        "credit_memo",
        "creditmemo",
        "lb-nue-cm-cm-1",
    )
    assert credit.payload["return_source_type"] == "credit_return"
    assert credit.payload["return_order_id"] == "cm-1"
    lines = credit.payload["lines"]
    assert [(line["product_id"], line["quantity"], line["amount"]) for line in lines] == [
        ("p1", Decimal(2), Decimal("20.00")),
        (records.NO_PRODUCT, Decimal(1), Decimal("10.00")),
    ]
    assert authorization.payload["lines"] == lines


def test_a_memo_billing_a_negative_change_credits_that_changes_return() -> None:
    (credit,) = records.credit_memo_rows(_memo(source="NegativeInvoice", orderIds=["chg-9"]))
    assert credit.payload["return_source_type"] == "order"
    assert credit.payload["return_order_id"] == "chg-9"
    assert credit.external_id == "lb-nue-cm-cm-1"


def test_a_product_only_a_memo_names_is_staged_with_no_type_to_map() -> None:
    memo = _memo()
    item = records.memo_item_record(memo.items[0], mapping_version="v1")
    assert item is not None and item.external_id == "lb-nue-prod-p1"
    assert item.payload["product_type"] is None
    assert records.memo_item_record(memo.items[1], mapping_version="v1") is None
