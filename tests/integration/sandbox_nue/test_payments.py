"""Payment and credit applications: balances and statuses, and idempotency keys that apply once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from .support import Api, Book

D = Decimal


def _two_invoices(book: Book) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A $100 and a $200 invoice of one customer (1 and 2 seats of Pro for one month)."""
    customer = book.customer()
    small = book.invoice(book.order(customer, book.line("PRO", 1, subscriptionTerm=1))["order"]["id"])
    large = book.invoice(book.order(customer, book.line("PRO", 2, subscriptionTerm=1))["order"]["id"])
    assert (small["amount"], large["amount"]) == (D("100.00"), D("200.00"))
    return customer, small, large


def _pay(invoice: dict[str, Any], amount: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    entry = {
        "invoiceId": invoice["id"],
        "customerId": invoice["customerId"],
        "transactionAmount": D(amount),
        "paymentSource": "NetSuite",
        "paymentMethod": "Check",
        **extra,
    }
    if key is not None:
        entry["idempotencyKey"] = key
    return entry


def test_a_250_payment_pays_one_invoice_and_part_of_another(api: Api, book: Book) -> None:
    _, small, large = _two_invoices(book)
    answer = api.data(
        "POST",
        "/billing/invoices:pay",
        {
            "payInvoices": [
                _pay(small, "100.00", "lb-pay-NS-1-a", paymentReference="NS-1", paymentDate="2025-01-20"),
                _pay(large, "150.00", "lb-pay-NS-1-b", paymentReference="NS-1", paymentDate="2025-01-20"),
            ]
        },
    )
    [payment] = answer["payments"]
    assert (payment["amount"], payment["paymentReference"], payment["paymentDate"]) == (
        D("250.00"),
        "NS-1",
        "2025-01-20",
    )
    assert [a["amount"] for a in answer["paymentApplications"]] == [D("100.00"), D("150.00")]
    assert {a["paymentId"] for a in answer["paymentApplications"]} == {payment["id"]}
    paid = api.data("GET", f"/invoices/{small['id']}")
    partly = api.data("GET", f"/invoices/{large['id']}")
    assert (paid["paymentStatus"], paid["balance"]) == ("Paid", 0)
    assert (partly["paymentStatus"], partly["balance"]) == ("PartiallyPaid", D("50.00"))
    assert partly["lastModifiedDate"] > large["lastModifiedDate"]
    with_apps = api.data("GET", f"/invoices/{large['id']}", params={"includes": "paymentApplications,orders"})
    assert [a["amount"] for a in with_apps["paymentApplications"]] == [D("150.00")]
    assert with_apps["orders"][0]["orderType"] == "NewOrder"
    filtered = api.data("GET", "/invoices", params={"paymentStatus": "partiallypaid"})
    assert [i["id"] for i in filtered] == [large["id"]]


def test_a_250_credit_memo_applied_the_same_way_is_applied(api: Api, book: Book) -> None:
    customer, small, large = _two_invoices(book)
    memo = api.data(
        "POST", "/credit-memos", {"customerId": customer, "amount": D("250.00"), "activate": True}
    )
    answer = api.data(
        "POST",
        "/billing/credit-memos:apply",
        {
            "appliedInvoices": [
                {
                    "invoiceId": small["id"],
                    "creditMemoId": memo["id"],
                    "transactionAmount": D("100.00"),
                    "idempotencyKey": "c1",
                },
                {
                    "invoiceId": large["id"],
                    "creditMemoId": memo["id"],
                    "transactionAmount": D("150.00"),
                    "idempotencyKey": "c2",
                },
            ]
        },
    )
    [applied] = answer["creditMemos"]
    assert (applied["status"], applied["balance"]) == ("Applied", 0)
    assert {i["id"]: (i["paymentStatus"], i["balance"]) for i in answer["invoices"]} == {
        small["id"]: ("Paid", 0),
        large["id"]: ("PartiallyPaid", D("50.00")),
    }
    assert [a["applicationType"] for a in answer["creditApplications"]] == ["CreditMemo", "CreditMemo"]


def test_partly_applied_credit_memo_and_unapply(api: Api, book: Book) -> None:
    customer, small, _ = _two_invoices(book)
    memo = api.data("POST", "/credit-memos", {"customerId": customer, "amount": D("80.00"), "activate": True})
    entry = {"invoiceId": small["id"], "creditMemoId": memo["id"], "transactionAmount": D("30.00")}
    answer = api.data("POST", "/billing/credit-memos:apply", {"appliedInvoices": [entry]})
    assert (answer["creditMemos"][0]["status"], answer["creditMemos"][0]["balance"]) == (
        "PartiallyApplied",
        D("50.00"),
    )
    assert answer["invoices"][0]["paymentStatus"] == "PartiallyPaid"
    undone = api.data(
        "POST",
        "/billing/credit-memos:unapply",
        {"appliedInvoices": [{"invoiceId": small["id"], "creditMemoId": memo["id"]}]},
    )
    assert (undone["creditMemos"][0]["status"], undone["creditMemos"][0]["balance"]) == ("Active", D("80.00"))
    assert (undone["invoices"][0]["paymentStatus"], undone["invoices"][0]["balance"]) == ("Open", D("100.00"))
    assert undone["creditApplications"][0]["amount"] == D("-30.00")
    nothing = api.post(
        "/billing/credit-memos:unapply",
        {"appliedInvoices": [{"invoiceId": small["id"], "creditMemoId": memo["id"]}]},
        expect=422,
    )
    assert nothing["errorCode"] == "AMOUNT_EXCEEDS_APPLIED"


def test_the_same_key_applies_once(api: Api, book: Book) -> None:
    _, small, large = _two_invoices(book)
    body = {"payInvoices": [_pay(small, "60.00", "lb-pay-NS-9-x")]}
    first = api.data("POST", "/billing/invoices:pay", body)
    again = api.data("POST", "/billing/invoices:pay", body)
    assert again["paymentApplications"] == [{**first["paymentApplications"][0], "duplicate": True}]
    assert again["payments"] == [] and again["invoices"] == []
    assert api.data("GET", f"/invoices/{small['id']}")["balance"] == D("40.00")
    # a batch mixing a replayed key and a new one applies only the new one
    mixed = api.data(
        "POST", "/billing/invoices:pay", {"payInvoices": [body["payInvoices"][0], _pay(large, "5", "k2")]}
    )
    assert [a.get("duplicate", False) for a in mixed["paymentApplications"]] == [True, False]
    assert api.data("GET", f"/invoices/{small['id']}")["balance"] == D("40.00")
    assert api.data("GET", f"/invoices/{large['id']}")["balance"] == D("195.00")
    reused = api.post(
        "/billing/invoices:pay", {"payInvoices": [_pay(small, "61.00", "lb-pay-NS-9-x")]}, expect=409
    )
    assert reused["errorCode"] == "IDEMPOTENCY_KEY_REUSED"
    twice = api.post(
        "/billing/invoices:pay", {"payInvoices": [_pay(large, "1", "k3"), _pay(large, "1", "k3")]}, expect=400
    )
    assert "twice" in twice["message"]


@pytest.mark.parametrize("settings_overrides", [{"duplicate_key_behaviour": "conflict"}])
def test_conflict_mode_refuses_a_replay_and_applies_nothing(api: Api, book: Book) -> None:
    _, small, large = _two_invoices(book)
    api.data("POST", "/billing/invoices:pay", {"payInvoices": [_pay(small, "100.00", "k1")]})
    answer = api.post(
        "/billing/invoices:pay",
        {"payInvoices": [_pay(small, "100.00", "k1"), _pay(large, "10", "k2")]},
        expect=409,
    )
    assert answer["errorCode"] == "DUPLICATE_REQUEST"
    assert [(d["idempotencyKey"], d["duplicate"]) for d in answer["data"]["duplicates"]] == [("k1", True)]
    assert api.data("GET", f"/invoices/{large['id']}")["balance"] == D("200.00")


def test_applications_are_validated_as_a_whole(api: Api, book: Book) -> None:
    customer, small, large = _two_invoices(book)
    over = api.post(
        "/billing/invoices:pay", {"payInvoices": [_pay(small, "60"), _pay(small, "60")]}, expect=422
    )
    assert over["errorCode"] == "AMOUNT_EXCEEDS_BALANCE"
    assert api.data("GET", f"/invoices/{small['id']}")["balance"] == D("100.00")
    other = book.customer("Globex")
    wrong = api.post(
        "/billing/invoices:pay", {"payInvoices": [{**_pay(small, "1"), "customerId": other}]}, expect=422
    )
    assert wrong["errorCode"] == "CUSTOMER_MISMATCH"
    assert (
        api.post("/billing/invoices:pay", {"payInvoices": [_pay(small, "0")]}, expect=400)["errorCode"]
        == "VALIDATION_ERROR"
    )
    draft = book.invoice(book.order(customer, book.line("PRO"))["order"]["id"], activate=False)
    refused = api.post("/billing/invoices:pay", {"payInvoices": [_pay(draft, "1")]}, expect=422)
    assert refused["errorCode"] == "INVALID_STATE"
    memo = book.control.post("/nue/credit-memos", {"customerId": customer, "amount": 5})["creditMemo"]
    not_active = {
        "appliedInvoices": [{"invoiceId": large["id"], "creditMemoId": memo["id"], "transactionAmount": 1}]
    }
    assert api.post("/billing/credit-memos:apply", not_active, expect=422)["errorCode"] == "INVALID_STATE"
    missing = api.post(
        "/billing/invoices:pay", {"payInvoices": [{**_pay(small, "1"), "invoiceId": "nope"}]}, expect=422
    )
    assert missing["errorCode"] == "INVOICE_NOT_FOUND"
