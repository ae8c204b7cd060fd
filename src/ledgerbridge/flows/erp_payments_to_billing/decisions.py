"""What to do with one resolved application line, decided from the Nue invoice (and memo) as they are now:
nothing (done before, or skipped), a person (``ActionNeeded`` with what to fix), or the Nue request to send.

Pure functions over connector records, so every rule is unit-tested without HTTP.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from ledgerbridge.connectors.nue.records import (
    CreditApplication,
    CreditMemo,
    Invoice,
    PaymentApplication,
)
from ledgerbridge.connectors.nue.writes import CreditRequest, PaymentRequest
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import ActionNeeded, LedgerbridgeError, RecordRejected

from .resolve import Target
from .staging import CREDIT

Request = PaymentRequest | CreditRequest


def nue_request(target: Target, invoice: Invoice) -> Request:
    """The Nue request for a resolved line; its key is the line's idempotency key in Nue."""
    if target.kind == CREDIT:
        assert target.credit_memo_id is not None  # resolve() gives every credit line its memo
        return CreditRequest(
            invoice_id=target.invoice_id,
            credit_memo_id=target.credit_memo_id,
            amount=target.amount,
            source_id=target.source_id,
            source_line=target.doc_id,
        )
    return PaymentRequest(
        invoice_id=target.invoice_id,
        customer_id=invoice.customer_id,
        amount=target.amount,
        source_id=target.source_id,
        source_line=target.doc_id,
        payment_date=date.fromisoformat(target.payment_date) if target.payment_date else None,
        reference=target.reference,
    )


def request_key(request: Request) -> str:
    return request.key("credit") if isinstance(request, CreditRequest) else request.key


def invoice_problem(target: Target, invoice: Invoice | None) -> LedgerbridgeError | None:
    """Why the line cannot be applied to this Nue invoice, phrased as what a person has to do."""
    if invoice is None:
        return RecordRejected(
            f"{target.label}: the NetSuite invoice mirrors Nue invoice {target.invoice_id}, "
            "which Nue does not have",
            vendor_code="NOT_FOUND",
            hint="correct the NetSuite invoice's external id (lb-nue-inv-<Nue invoice id>), then hub retry",
        )
    if invoice.status != "Active":
        name = invoice.name or invoice.id
        return ActionNeeded(
            f"{target.label}: Nue invoice {name} is {invoice.status}, so the {target.amount} applied in "
            f"NetSuite cannot be applied in Nue. Fix: point the NetSuite invoice at the live Nue invoice "
            f"(external id lb-nue-inv-<id> of the re-issued invoice) or reverse the application in NetSuite; "
            f"then run `ledgerbridge hub retry <id>` (or `hub resolve <id>` to leave it unapplied)",
            vendor_code="INVOICE_NOT_ACTIVE",
        )
    return None


def memo_problem(target: Target, memo: CreditMemo | None) -> LedgerbridgeError | None:
    if memo is None:
        return RecordRejected(
            f"{target.label}: the NetSuite credit memo mirrors Nue credit memo "
            f"{target.credit_memo_id}, which Nue does not have",
            vendor_code="NOT_FOUND",
        )
    if memo.status in ("Draft", "Canceled"):
        name = memo.name or memo.id
        return ActionNeeded(
            f"{target.label}: Nue credit memo {name} is {memo.status}; activate it in Nue (or reverse the "
            "application in NetSuite), then run `ledgerbridge hub retry <id>`",
            vendor_code="CREDIT_MEMO_NOT_ACTIVE",
        )
    return None


def application_with(invoice: Invoice, key: str) -> PaymentApplication | CreditApplication | None:
    return next((a for a in invoice.applications() if a.idempotency_key == key), None)


def reversal_key(request: Request) -> str | None:
    """The key of the reversal of a credit line (payments cannot be reversed through Nue's API)."""
    return request.key("uncredit") if isinstance(request, CreditRequest) else None


def reversal(target: Target, invoice: Invoice | None) -> WriteResult | Request:
    """What to do for a line NetSuite no longer applies: nothing, a person, or the unapply to send."""
    if invoice is None:
        return WriteResult.skipped(
            f"{target.label}: removed in NetSuite, and the Nue invoice no longer exists"
        )
    request = nue_request(target, invoice)
    applied = application_with(invoice, request_key(request))
    if applied is None:
        return WriteResult.skipped(
            f"{target.label}: removed in NetSuite before it reached Nue; nothing to undo"
        )
    undo_key = reversal_key(request)
    if undo_key is None:
        return WriteResult.failed(
            ActionNeeded(
                f"{target.label}: NetSuite no longer applies this payment line, but Nue holds application "
                f"{applied.name or applied.id} ({applied.amount}) and its API cannot reverse a payment. "
                "Fix: reverse it in Nue by hand, then `ledgerbridge hub resolve <id>`",
                vendor_code="PAYMENT_REMOVED",
            )
        )
    undone = application_with(invoice, undo_key)
    if undone is not None:
        return WriteResult.ok(undone.id)
    assert isinstance(request, CreditRequest)
    return dataclasses.replace(request, amount=applied.amount)


def already_applied(target: Target, invoice: Invoice, key: str) -> WriteResult | None:
    """The result of a line whose key Nue already holds: done, or changed in NetSuite since (a person)."""
    for application in invoice.applications():
        if application.idempotency_key != key:
            continue
        if application.amount == target.amount:
            return WriteResult.ok(application.id)
        return WriteResult.failed(
            ActionNeeded(
                f"{target.label}: NetSuite now applies {target.amount} but Nue already holds "
                f"{application.amount} for this line (application {application.name or application.id}). "
                "Fix: adjust the application in Nue by hand, then `ledgerbridge hub resolve <id>`",
                vendor_code="AMOUNT_CHANGED",
            )
        )
    return None


def decide(target: Target, invoice: Invoice | None, memo: CreditMemo | None) -> WriteResult | Request:
    """One resolved line's result without a write (done, skipped, a problem), or the request to send."""
    if target.removed:
        return reversal(target, invoice)
    problem = invoice_problem(target, invoice)
    if problem is None and target.credit_memo_id is not None:
        problem = memo_problem(target, memo)
    if problem is not None or invoice is None:
        return WriteResult.failed(problem or RecordRejected(f"{target.label}: no Nue invoice"))
    request = nue_request(target, invoice)
    undo_key = reversal_key(request)
    if undo_key is not None and application_with(invoice, undo_key) is not None:
        return WriteResult.failed(
            ActionNeeded(
                f"{target.label}: applied again in NetSuite after it was unapplied in Nue; Nue will not "
                "take the same application twice. Fix: apply it in Nue by hand, then "
                "`ledgerbridge hub resolve <id>`",
                vendor_code="REAPPLIED",
            )
        )
    done = already_applied(target, invoice, request_key(request))
    return done if done is not None else request
