"""Connector writes against the emulator: payment and credit applications that apply once however often they
are sent, credit memos made elsewhere, cancellations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.connectors.nue import (
    CreditMemoLine,
    CreditMemoRequest,
    CreditMemoStatus,
    CreditRequest,
    InvoiceStatus,
    NueClient,
    PaymentRequest,
    PaymentStatus,
)
from ledgerbridge.sandbox.nue import billing

from .conftest import Tenant
from .helpers import customer_with_invoices

D = Decimal
EMPTY = {"seed": "empty"}


def _balances(tenant: Tenant, *invoices: dict[str, Any]) -> list[tuple[str, Decimal]]:
    rows = [tenant.store.require("invoices", i["id"], "Invoice") for i in invoices]
    return [(row["paymentStatus"], row["balance"]) for row in rows]


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_a_250_payment_applied_to_two_invoices_and_sent_again(tenant: Tenant, nue: NueClient) -> None:
    customer, (small, large) = customer_with_invoices(tenant.store, 100, 200)
    requests = [
        PaymentRequest(small["id"], customer, D("100.00"), "NS-PMT-1", source_line=1),
        PaymentRequest(large["id"], customer, D("150.00"), "NS-PMT-1", source_line=2),
    ]
    result = await nue.pay_invoices(requests)
    assert [a.amount for a in result.applications] == [D("100.00"), D("150.00")]
    assert [a.idempotency_key for a in result.applications] == [r.key for r in requests]
    assert not any(a.duplicate for a in result.applications)
    [payment] = result.payments
    assert payment.amount == D("250.00") and payment.payment_reference == "NS-PMT-1"
    states = {i.id: (i.payment_status, i.balance) for i in result.invoices}
    assert states == {
        small["id"]: (PaymentStatus.PAID, 0),
        large["id"]: (PaymentStatus.PARTIALLY_PAID, D("50.00")),
    }

    again = await nue.pay_invoices(requests)
    assert all(a.duplicate for a in again.applications)
    assert [a.id for a in again.applications] == [a.id for a in result.applications]
    assert _balances(tenant, small, large) == [("Paid", 0), ("PartiallyPaid", D("50.00"))]
    assert len(tenant.store.rows("paymentApplications")) == 2


@pytest.mark.parametrize("emulator_overrides", [{"seed": "empty", "duplicate_key_behaviour": "conflict"}])
async def test_a_409_duplicate_is_treated_as_done_and_the_rest_is_sent(
    tenant: Tenant, nue: NueClient
) -> None:
    customer, (small, large) = customer_with_invoices(tenant.store, 100, 200)
    first = PaymentRequest(small["id"], customer, D("100.00"), "NS-PMT-2")
    done = await nue.pay_invoices([first])
    writes_before = nue.requests_sent["write"]
    second = PaymentRequest(large["id"], customer, D("20.00"), "NS-PMT-3")
    mixed = await nue.pay_invoices([first, second])
    assert [a.duplicate for a in mixed.applications] == [True, False]
    assert mixed.applications[0].id == done.applications[0].id
    assert nue.requests_sent["write"] - writes_before == 2  # refused once, then the rest re-sent
    assert _balances(tenant, small, large) == [("Paid", 0), ("PartiallyPaid", D("180.00"))]


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
@pytest.mark.parametrize("client_overrides", [{"write_batch_size": 2}])
async def test_applications_go_in_batches(tenant: Tenant, nue: NueClient) -> None:
    customer, invoices = customer_with_invoices(tenant.store, 10, 20, 30, 40, 50)
    requests = [PaymentRequest(i["id"], customer, i["amount"], f"P-{n}") for n, i in enumerate(invoices)]
    result = await nue.pay_invoices(requests)
    assert nue.requests_sent["write"] == 3
    assert [a.invoice_id for a in result.applications] == [i["id"] for i in invoices]
    assert {status for status, _ in _balances(tenant, *invoices)} == {"Paid"}


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_a_250_credit_memo_from_elsewhere_applied_the_same_way(tenant: Tenant, nue: NueClient) -> None:
    customer, (small, large) = customer_with_invoices(tenant.store, 100, 200)
    request = CreditMemoRequest(customer, "NS-CM-9", (CreditMemoLine(D("250.00"), "Credit from NetSuite"),))
    memo = await nue.create_credit_memo(request)
    assert (memo.status, memo.amount, memo.idempotency_key) == (
        CreditMemoStatus.ACTIVE,
        D("250.00"),
        request.key,
    )
    again = await nue.create_credit_memo(request)
    assert again.id == memo.id and again.duplicate
    credits = [
        CreditRequest(small["id"], memo.id, D("100.00"), "NS-CM-9", 1),
        CreditRequest(large["id"], memo.id, D("150.00"), "NS-CM-9", 2),
    ]
    result = await nue.apply_credit_memos(credits)
    [applied] = result.credit_memos
    assert (applied.status, applied.balance) == (CreditMemoStatus.APPLIED, 0)
    assert _balances(tenant, small, large) == [("Paid", 0), ("PartiallyPaid", D("50.00"))]
    replay = await nue.apply_credit_memos(credits)
    assert all(a.duplicate for a in replay.applications)
    undone = await nue.unapply_credit_memos(credits[1:])
    assert undone.applications[0].amount == D("-150.00")
    assert (undone.credit_memos[0].status, undone.credit_memos[0].balance) == (
        "PartiallyApplied",
        D("150.00"),
    )
    assert _balances(tenant, large) == [("Open", D("200.00"))]
    assert (await nue.unapply_credit_memos(credits[1:])).applications[0].duplicate


@pytest.mark.parametrize("emulator_overrides", [{"seed": "empty", "duplicate_key_behaviour": "conflict"}])
async def test_a_credit_memo_conflict_returns_the_first_memo(tenant: Tenant, nue: NueClient) -> None:
    customer, _ = customer_with_invoices(tenant.store)
    request = CreditMemoRequest(customer, "NS-CM-10", (CreditMemoLine(D("5.00")),))
    first = await nue.create_credit_memo(request)
    second = await nue.create_credit_memo(request)
    assert second.id == first.id and second.duplicate and len(tenant.store.rows("creditMemos")) == 1


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_cancellations(tenant: Tenant, nue: NueClient) -> None:
    customer, (invoice,) = customer_with_invoices(tenant.store, 75)
    [cancelled] = await nue.cancel_invoices([invoice["id"]])
    assert (cancelled.status, cancelled.balance) == (InvoiceStatus.CANCELED, 0)
    [still] = await nue.cancel_invoices([invoice["id"]])  # a cancellation from the ERP may arrive twice
    assert still.status == InvoiceStatus.CANCELED
    memo = await nue.create_credit_memo(CreditMemoRequest(customer, "NS-CM-11", (CreditMemoLine(D("9")),)))
    [gone] = await nue.cancel_credit_memos([memo.id])
    assert gone.status == CreditMemoStatus.CANCELED
    assert tenant.store.require("creditMemos", memo.id, "Credit memo")["status"] == "Canceled"


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_invoice_activation_and_webhook_registration(tenant: Tenant, nue: NueClient) -> None:
    customer, (invoice,) = customer_with_invoices(tenant.store, 10)
    billing.cancel_invoices(tenant.store, {"invoiceIds": [invoice["id"]]})
    order_id = invoice["orderIds"][0]
    draft = billing.invoice_orders(tenant.store, customer, [order_id])
    [active] = await nue.activate_invoices([draft["id"]])
    assert active.status == InvoiceStatus.ACTIVE
    webhook = await nue.register_webhook(
        "http://127.0.0.1:9/hook", event_types=["invoice.activated"], secret="s" * 12
    )
    assert webhook.signed and webhook.event_types == ["invoice.activated"]
    await nue.delete_webhook(webhook.id)
    assert tenant.store.rows("webhooks") == []
