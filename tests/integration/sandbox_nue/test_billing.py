"""Invoices and credit memos: runs over activated orders, item details, $0 / negative / catch-up invoices,
activation, cancellation, and credit memos made through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .support import Api, Book

D = Decimal


def test_invoice_items_group_by_subscription_with_details_naming_the_order_product(
    api: Api, book: Book
) -> None:
    customer = book.customer()
    ramps = [{"term": 1, "quantity": 5, "unitPrice": 0}, {"term": 2, "quantity": 5}]
    answer = book.order(
        customer,
        book.line("PRO", 2, subscriptionStartDate="2025-01-01", subscriptionTerm=3),
        book.line("ENT", subscriptionStartDate="2025-01-01", ramps=ramps),
        book.line("TOKEN", 2, subscriptionStartDate="2025-01-01"),
    )
    order = answer["order"]
    invoice = book.invoice(order["id"], activate=False)
    assert (invoice["status"], invoice["paymentStatus"], invoice["name"]) == ("Draft", "Open", "INV-00000001")
    assert invoice["orderIds"] == [order["id"]] and invoice["isCatchUp"] is False
    assert (invoice["invoiceDate"], invoice["dueDate"]) == ("2025-01-15", "2025-02-14")
    assert invoice["amount"] == D("600.00") + D("1500.00") + D("91.00") == invoice["balance"]
    items = {item["productSku"]: item for item in invoice["invoiceItems"]}
    assert set(items) == {"PRO", "ENT", "TOKEN"}
    ramp_item = items["ENT"]
    assert [d["lineType"] for d in ramp_item["invoiceItemDetails"]] == ["RampItem", "RampItem"]
    assert ramp_item["amount"] == D("1500.00") and ramp_item["startDate"] == "2025-01-01"
    [detail] = items["PRO"]["invoiceItemDetails"]
    pro_line = next(line for line in order["orderProducts"] if line["productSku"] == "PRO")
    assert detail["orderProductId"] == pro_line["id"] and detail["orderId"] == order["id"]
    assert detail["subscriptionId"] == pro_line["subscriptionId"] == items["PRO"]["subscriptionId"]
    assert detail["originalOrderId"] == order["id"]
    # every billable line is billed once: the order's lines now point at the invoice
    billed = api.data("GET", f"/orders/{order['id']}")["orderProducts"]
    assert {line["invoiceId"] for line in billed if line["billable"]} == {invoice["id"]}
    assert {line["invoiceId"] for line in billed if not line["billable"]} == {None}
    again = book.control.post(f"/nue/orders/{order['id']}/invoice", {}, expect=422)
    assert again["errorCode"] == "NOTHING_TO_INVOICE"


def test_activation_by_ids_and_by_graphql_filter(api: Api, book: Book) -> None:
    customer = book.customer()
    first = book.invoice(book.order(customer, book.line("PRO"))["order"]["id"], activate=False)
    second = book.invoice(book.order(customer, book.line("BASIC"))["order"]["id"], activate=False)
    answer = api.post(
        "/billing/invoices:activate",
        {"invoiceIds": [first["id"]], "invoiceDate": "2025-02-01", "invoiceComment": {"comment": "ok"}},
    )
    [activated] = answer["data"]["invoices"]
    assert (activated["status"], activated["invoiceDate"], activated["dueDate"]) == (
        "Active",
        "2025-02-01",
        "2025-03-03",
    )
    assert activated["comments"] == "ok"
    by_filter = api.data("POST", "/billing/invoices:activate", {"graphqlFilter": '{status {_eq: "Draft"}}'})
    assert [i["id"] for i in by_filter["invoices"]] == [second["id"]]
    repeat = api.post("/billing/invoices:activate", {"invoiceIds": [first["id"]]})
    assert repeat["warnings"] == ["Invoice INV-00000001 is already active."]


def test_zero_dollar_invoice_is_paid_on_activation(book: Book) -> None:
    customer = book.customer()
    invoice = book.invoice(book.order(customer, book.line("FREE", 25))["order"]["id"])
    assert (invoice["amount"], invoice["balance"], invoice["paymentStatus"]) == (0, 0, "Paid")


def test_negative_change_order_makes_a_negative_invoice(book: Book) -> None:
    customer = book.customer()
    original = book.order(customer, book.line("PRO", 10, subscriptionStartDate="2025-01-01"))
    book.invoice(original["order"]["id"])
    sub = book.asset_number(original, "PRO")
    fewer = book.change(
        {"changeType": "UpdateQuantity", "assetNumber": sub, "quantity": -4, "startDate": "2025-07-01"}
    )
    invoice = book.invoice(fewer["order"]["id"])
    assert invoice["amount"] == D("-2400.00") == invoice["balance"]
    assert invoice["paymentStatus"] == "Open"
    [detail] = invoice["invoiceItems"][0]["invoiceItemDetails"]
    assert (detail["changeType"], detail["quantity"], detail["originalOrderId"]) == (
        "UpdateQuantity",
        -4,
        original["order"]["id"],
    )


@pytest.mark.parametrize("settings_overrides", [{"negative_invoices": "credit_memo"}])
def test_negative_runs_can_become_credit_memos(api: Api, book: Book) -> None:
    customer = book.customer()
    original = book.order(customer, book.line("PRO", 10, subscriptionStartDate="2025-01-01"))
    sub = book.asset_number(original, "PRO")
    cancel = book.change({"changeType": "Cancel", "assetNumber": sub, "cancellationDate": "2025-10-01"})
    memo = book.invoice(cancel["order"]["id"])
    assert memo["name"].startswith("CM-") and memo["source"] == "NegativeInvoice"
    assert (memo["amount"], memo["balance"], memo["status"]) == (D("3000.00"), D("3000.00"), "Active")
    [item] = memo["creditMemoItems"]
    assert item["amount"] == D("3000.00") and item["changeType"] == "Cancel" and item["assetNumber"] == sub
    assert api.data("GET", "/invoices") == []
    line = api.data("GET", f"/orders/{cancel['order']['id']}")["orderProducts"][0]
    assert line["creditMemoId"] == memo["id"] and line["invoiceId"] is None


def test_catch_up_invoices_are_flagged(book: Book) -> None:
    customer = book.customer()
    late = book.order(customer, book.line("PRO", 1, subscriptionStartDate="2024-10-01", subscriptionTerm=12))
    invoice = book.invoice(late["order"]["id"], catchUp=True)
    assert invoice["isCatchUp"] is True and invoice["startDate"] == "2024-10-01"


def test_one_invoice_can_bill_several_orders(book: Book) -> None:
    customer = book.customer()
    first = book.order(customer, book.line("PRO", 1, subscriptionTerm=1))["order"]
    sub = first["orderProducts"][0]["assetNumber"]
    change = book.change(
        {"changeType": "UpdateQuantity", "assetNumber": sub, "quantity": 1, "startDate": "2025-01-15"}
    )
    invoice = book.control.post(
        "/nue/invoices",
        {"customerId": customer, "orderIds": [first["id"], change["order"]["id"]], "activate": True},
    )["invoice"]
    assert sorted(invoice["orderIds"]) == sorted([first["id"], change["order"]["id"]])
    [item] = invoice["invoiceItems"]  # both lines bill the same subscription
    assert [d["orderId"] for d in item["invoiceItemDetails"]] == [first["id"], change["order"]["id"]]
    assert {d["originalOrderId"] for d in item["invoiceItemDetails"]} == {first["id"]}


def test_draft_orders_cannot_be_billed(book: Book) -> None:
    customer = book.customer()
    draft = book.draft(customer, book.line("PRO"))
    assert (
        book.control.post(f"/nue/orders/{draft['id']}/invoice", {}, expect=422)["errorCode"]
        == "INVALID_STATE"
    )


def test_cancelling_invoices(api: Api, book: Book) -> None:
    customer = book.customer()
    order = book.order(customer, book.line("PRO", 1, subscriptionTerm=1))["order"]
    invoice = book.invoice(order["id"])
    [cancelled] = api.data("POST", "/billing/invoices:cancel", {"invoiceIds": [invoice["id"]]})["invoices"]
    assert (cancelled["status"], cancelled["paymentStatus"], cancelled["balance"]) == (
        "Canceled",
        "Canceled",
        0,
    )
    assert cancelled["cancellationDate"] == "2025-01-15"
    again = api.post("/billing/invoices:cancel", {"invoiceIds": [invoice["id"]]})
    assert again["warnings"] == [f"Invoice {invoice['name']} was already canceled."]
    # the lines are billable again, so the order can be re-billed
    rebilled = book.invoice(order["id"])
    assert rebilled["amount"] == D("100.00")
    api.data(
        "POST",
        "/billing/invoices:pay",
        {"payInvoices": [{"invoiceId": rebilled["id"], "customerId": customer, "transactionAmount": 10}]},
    )
    refused = api.post("/billing/invoices:cancel", {"invoiceIds": [rebilled["id"]]}, expect=422)
    assert refused["errorCode"] == "INVALID_STATE" and "unapply" in refused["message"]
    reactivate = api.post("/billing/invoices:activate", {"invoiceIds": [invoice["id"]]}, expect=422)
    assert reactivate["errorCode"] == "INVALID_STATE"


@pytest.mark.parametrize("settings_overrides", [{"cancel_active_documents": False}])
def test_cancelling_active_invoices_can_be_forbidden(api: Api, book: Book) -> None:
    customer = book.customer()
    invoice = book.invoice(book.order(customer, book.line("PRO"))["order"]["id"])
    assert (
        api.post("/billing/invoices:cancel", {"invoiceIds": [invoice["id"]]}, expect=422)["errorCode"]
        == "INVALID_STATE"
    )


def test_credit_memos_through_the_api(api: Api, book: Book) -> None:
    customer = book.customer()
    body = {"customerId": customer, "amount": D("250.00"), "idempotencyKey": "lb-cm-NS-77", "activate": True}
    memo = api.data("POST", "/credit-memos", body)
    assert (memo["status"], memo["amount"], memo["balance"], memo["source"]) == (
        "Active",
        D("250.00"),
        D("250.00"),
        "Manual",
    )
    assert memo["name"] == "CM-00000001" and memo["idempotencyKey"] == "lb-cm-NS-77"
    replay = api.data("POST", "/credit-memos", body)
    assert replay["id"] == memo["id"] and replay["duplicate"] is True
    assert len(api.data("GET", "/credit-memos")) == 1
    different = api.post("/credit-memos", {**body, "amount": D("99.00")}, expect=409)
    assert different["errorCode"] == "IDEMPOTENCY_KEY_REUSED"
    assert (
        api.post("/credit-memos", {"customerId": customer, "amount": 0}, expect=400)["errorCode"]
        == "VALIDATION_ERROR"
    )
    listed = api.data("GET", f"/customers/{customer}/credit-memos")
    assert [m["id"] for m in listed] == [memo["id"]]


def test_credit_memo_activation_and_cancellation(api: Api, book: Book) -> None:
    customer = book.customer()
    draft = book.control.post("/nue/credit-memos", {"customerId": customer, "amount": 40})["creditMemo"]
    assert draft["status"] == "Draft"
    [active] = api.data("POST", "/billing/credit-memos:activate", {"creditMemoIds": [draft["id"]]})[
        "creditMemos"
    ]
    assert active["status"] == "Active"
    [cancelled] = api.data("POST", "/billing/credit-memos:cancel", {"creditMemoIds": [draft["id"]]})[
        "creditMemos"
    ]
    assert (cancelled["status"], cancelled["balance"]) == ("Canceled", 0)
    again = api.post("/billing/credit-memos:activate", {"creditMemoIds": [draft["id"]]}, expect=422)
    assert again["errorCode"] == "INVALID_STATE"


def test_credit_memos_of_an_invoice(api: Api, book: Book) -> None:
    customer = book.customer()
    invoice = book.invoice(book.order(customer, book.line("PRO"))["order"]["id"])
    memo = book.control.post(
        "/nue/credit-memos",
        {
            "customerId": customer,
            "sourceInvoiceId": invoice["id"],
            "items": [{"amount": 30, "description": "SLA"}],
        },
    )["creditMemo"]
    answer = api.get(f"/billing/invoices/{invoice['id']}/credit-memos")
    assert [m["id"] for m in answer["creditMemos"]] == [memo["id"]]
    assert answer["creditMemos"][0]["creditMemoItems"][0]["description"] == "SLA"
