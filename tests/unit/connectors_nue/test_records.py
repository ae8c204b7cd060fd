"""Nue JSON parsed into typed records: Decimal money, dates, open enumerations, nested lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from ledgerbridge.connectors.nue import (
    ChangeOrder,
    CreditApplication,
    Invoice,
    LineType,
    Order,
    PaymentApplication,
    PaymentStatus,
)
from ledgerbridge.money import Money
from ledgerbridge.money import json_loads as loads

INVOICE = b"""{
  "id": "inv-1", "name": "INV-00000001", "customerId": "c-1", "status": "Active",
  "paymentStatus": "PartiallyPaid", "amount": 200.00, "balance": 50.00, "currencyIsoCode": "EUR",
  "isCatchUp": true, "invoiceDate": "2025-01-15",
  "createdDate": "2025-01-15T17:00:00.001Z", "lastModifiedDate": "2025-01-15T17:00:00.009Z",
  "customField__c": "kept",
  "invoiceItems": [{"id": "it-1", "amount": 200.00, "subscriptionId": "s-1",
     "invoiceItemDetails": [{"id": "d-1", "amount": 200.00, "orderProductId": "op-1",
                             "originalOrderId": "o-1", "changeType": null, "lineType": "LineItem",
                             "startDate": "2025-01-01"}]}],
  "paymentApplications": [
     {"id": "pa-1", "invoiceId": "inv-1", "amount": 100.00, "paymentId": "p-1", "applicationType": "Payment"},
     {"id": "ca-1", "invoiceId": "inv-1", "amount": 50.00, "creditMemoId": "cm-1",
      "applicationType": "CreditMemo"}]
}"""


def test_invoice_parses_money_dates_items_and_applications() -> None:
    invoice = Invoice.model_validate(loads(INVOICE))
    assert invoice.amount == Decimal("200.00") and isinstance(invoice.balance, Decimal)
    assert invoice.total == Money(Decimal("200.00"), "EUR") and invoice.open_balance.amount == Decimal(
        "50.00"
    )
    assert invoice.payment_status is PaymentStatus.PARTIALLY_PAID
    assert invoice.is_catch_up and not invoice.is_zero and not invoice.is_negative
    assert invoice.invoice_date == date(2025, 1, 15)
    assert invoice.position == (datetime(2025, 1, 15, 17, 0, 0, 9000, tzinfo=UTC), "inv-1")
    [detail] = invoice.details
    assert (detail.order_product_id, detail.original_order_id, detail.line_type) == (
        "op-1",
        "o-1",
        LineType.LINE_ITEM,
    )
    payment, credit = invoice.applications()
    assert isinstance(payment, PaymentApplication) and payment.payment_id == "p-1"
    assert isinstance(credit, CreditApplication) and credit.credit_memo_id == "cm-1"
    assert invoice.model_extra == {"customField__c": "kept"}


def test_order_lines_and_unknown_enum_values() -> None:
    order = Order.model_validate(
        {
            "id": "o-1",
            "customerId": "c-1",
            "status": "Activated",
            "orderType": "ChangeOrder",
            "totalAmount": Decimal("-900.00"),
            "orderProducts": [
                {"id": "l1", "orderId": "o-1", "lineType": "SummaryItem", "quantity": 3, "totalPrice": 0},
                {
                    "id": "l2",
                    "orderId": "o-1",
                    "lineType": "RampItem",
                    "quantity": -3,
                    "totalPrice": Decimal("-900.00"),
                    "changeType": "UpdateQuantity",
                },
                {
                    "id": "l3",
                    "orderId": "o-1",
                    "lineType": "FutureItem",
                    "quantity": 1,
                    "totalPrice": 0,
                    "changeType": "Teleport",
                },
            ],
        }
    )
    assert order.is_negative and order.total == Money(Decimal("-900.00"), "USD")
    assert [line.id for line in order.transferable_lines] == ["l2"]
    assert (
        order.order_products[2].line_type == "FutureItem"
        and order.order_products[2].change_type == "Teleport"
    )
    assert order.order_products[1].amount.amount == Decimal("-900.00")


def test_change_order_types_and_renewal_flag() -> None:
    change = ChangeOrder.model_validate(
        {
            "id": "o-2",
            "customerId": "c-1",
            "status": "Activated",
            "orderType": "RenewalOrder",
            "assetChanges": [{"changeType": "Renew", "assetNumber": "SUB-1", "renewalTerm": 12}],
        }
    )
    assert change.is_renewal and change.change_types == {"Renew"}
