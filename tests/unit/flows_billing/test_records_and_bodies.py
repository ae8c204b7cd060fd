"""billing-to-erp's pure parts: Nue records → hub rows, hub rows → NetSuite bodies, params, duplicates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.connectors.nue import Customer, Invoice, Order
from ledgerbridge.errors import ConfigError, RecordRejected
from ledgerbridge.flows.billing_to_erp import bodies, records
from ledgerbridge.flows.billing_to_erp.settings import BillingParams
from ledgerbridge.flows.billing_to_erp.writer import _duplicate_or_failed
from ledgerbridge.mapping import GlAccountMapping, RecordTypeMapping

STAMP = "2026-03-01T10:00:00Z"


def _line(op: str, line_type: str, product: str = "P1", total: str = "100") -> dict[str, Any]:
    return {
        "id": op,
        "orderId": "O1",
        "lineType": line_type,
        "quantity": "2",
        "totalPrice": total,
        "productId": product,
        "productName": "Pro",
        "productSku": "PRO",
        "productType": "Subscription",
        "startDate": "2026-03-01",
        "endDate": "2027-02-28",
    }


def test_only_line_item_and_ramp_item_lines_are_transferred() -> None:
    order = Order.model_validate(
        {
            "id": "O1",
            "customerId": "C1",
            "status": "Activated",
            "lastModifiedDate": STAMP,
            "activatedDate": "2026-03-01",
            "orderProducts": [
                _line("L1", "LineItem"),
                _line("L2", "RampItem"),
                _line("L3", "SummaryItem"),
                _line("L4", "SplitItem"),
            ],
        }
    )

    header, *lines = records.order_records(order)

    assert header.external_id == "lb-nue-so-O1" and header.target_type == "salesorder"
    assert [line["order_product_id"] for line in header.payload["lines"]] == ["L1", "L2"]
    assert [line.source_id for line in lines] == ["L1", "L2"]
    assert {line.target_type for line in lines} == {"salesorder_line"}


def test_invoice_details_are_grouped_by_their_original_order() -> None:
    def detail(n: int, order: str, original: str | None) -> dict[str, Any]:
        return {
            "id": f"D{n}",
            "amount": "50",
            "orderId": order,
            "originalOrderId": original,
            "orderProductId": f"L{n}",
        }

    invoice = Invoice.model_validate(
        {
            "id": "INV-9",
            "customerId": "C1",
            "status": "Active",
            "amount": "150",
            "balance": "150",
            "invoiceDate": "2026-03-05",
            "lastModifiedDate": STAMP,
            "invoiceItems": [
                {
                    "id": "I1",
                    "amount": "100",
                    "productId": "P1",
                    "invoiceItemDetails": [detail(1, "A", None), detail(2, "CO", "A")],
                },
                {"id": "I2", "amount": "50", "productId": "P2", "invoiceItemDetails": [detail(3, "B", None)]},
            ],
        }
    )

    rows = records.invoice_records(invoice)

    assert [(row.source_id, row.external_id) for row in rows] == [
        ("INV-9/A", "lb-nue-inv-INV-9-A"),
        ("INV-9/B", "lb-nue-inv-INV-9-B"),
    ]
    assert [len(row.payload["lines"]) for row in rows] == [2, 1]
    assert rows[0].payload["amount"] == Decimal("100")
    single = Invoice.model_validate(
        {
            **invoice.model_dump(by_alias=True),
            "invoiceItems": [invoice.model_dump(by_alias=True)["invoiceItems"][1]],
        }
    )
    assert [row.external_id for row in records.invoice_records(single)] == ["lb-nue-inv-INV-9"]


def test_customer_body_has_the_standard_and_custom_fields() -> None:
    customer = Customer.model_validate(
        {
            "id": "C 1",
            "name": "Acme",
            "email": "ap@acme.test",
            "customerSince": "2025-01-01",
            "region__c": "EMEA",
        }
    )

    row = records.customer_record(
        customer,
        subsidiary="2",
        custom_fields={"region__c": "custentity_region", "customerSince": "custentity_since"},
    )

    assert row.external_id == "lb-nue-cust-C-1"
    assert row.payload == {
        "externalId": "lb-nue-cust-C-1",
        "companyName": "Acme",
        "email": "ap@acme.test",
        "startDate": "2025-01-01",
        "subsidiary": {"id": "2"},
        "custentity_region": "EMEA",
        "custentity_since": "2025-01-01",
    }


def test_item_body_takes_type_accounts_and_tax_schedule_from_settings() -> None:
    settings = bodies.ItemSettings(RecordTypeMapping(None), GlAccountMapping(None), tax_schedule="5")

    record_type, body = bodies.item_body(
        {"product_id": "P1", "name": "Token", "sku": "TOK", "product_type": "Asset"},
        "lb-nue-prod-P1",
        settings,
    )

    assert record_type == "inventoryitem"
    assert body == {
        "externalId": "lb-nue-prod-P1",
        "itemId": "TOK",
        "displayName": "Token",
        "taxSchedule": {"id": "5"},
    }


def test_transaction_lines_carry_nue_and_rev_rec_dates_as_decimals() -> None:
    (line,) = bodies.transaction_lines(
        [
            {
                "product_id": "P1",
                "quantity": "3",
                "amount": "30.10",
                "order_product_id": "L1",
                "start_date": "2026-01-01",
                "end_date": None,
            }
        ],
        {"P1": "9"},
    )

    assert line["amount"] == Decimal("30.10") and line["quantity"] == Decimal("3")
    assert line["custcol_nue_start_date"] == line["revRecStartDate"] == "2026-01-01"
    assert "custcol_nue_end_date" not in line and "revRecEndDate" not in line


def test_a_record_unknown_to_the_hub_is_rejected_naming_it() -> None:
    with pytest.raises(RecordRejected, match="customer C9"):
        bodies.mirrored_id(None, "customer", "C9")


def test_duplicate_item_answer_links_the_existing_item() -> None:
    duplicate = RecordRejected(
        "This record already exists: an item named 'PRO' has internal ID 42.", vendor_code="DUP_RCRD"
    )

    assert _duplicate_or_failed("noninventorysaleitem", duplicate).target_id == "42"
    assert _duplicate_or_failed("customer", duplicate).error is duplicate  # only items are linked
    other = RecordRejected("bad", vendor_code="USER_ERROR")
    assert _duplicate_or_failed("inventoryitem", other).error is other


def test_params_refuse_unknown_keys_and_cap_the_batch() -> None:
    assert BillingParams.parse({"batch": {"size": 500}}).batch_size == 100
    with pytest.raises(ConfigError, match="subsidary"):
        BillingParams.parse({"subsidary": "1"})
