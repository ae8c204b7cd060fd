"""What flows ask Nue to do, as typed requests with deterministic idempotency keys, and what Nue answers.

``PaymentRequest`` and ``CreditRequest`` mirror one application line of an ERP payment or credit memo onto a
Nue invoice. Their key (``lb-pay-<source>-<invoice>[-<line>]``) is derived from that source line, so sending
the same line again — a retry, a re-run, a restart after a crash — applies it once (DESIGN §4.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .keys import idempotency_key
from .records import CreditApplication, CreditMemo, Event, Invoice, Payment, PaymentApplication


def _positive(amount: Decimal, what: str) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError(f"{what} must be a positive Decimal, got {amount!r}")


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """Apply ``amount`` of an external payment (``source_id``, e.g. a NetSuite customer payment) to a Nue
    invoice. ``source_line`` distinguishes two lines of one payment on the same invoice."""

    invoice_id: str
    customer_id: str
    amount: Decimal
    source_id: str
    source_line: str | int | None = None
    payment_method: str = "Other"
    payment_source: str = "NetSuite"
    payment_date: date | None = None
    #: groups lines of one payment into one Nue payment (default: the source id)
    reference: str | None = None

    def __post_init__(self) -> None:
        _positive(self.amount, "a payment amount")

    @property
    def key(self) -> str:
        return idempotency_key("pay", self.source_id, self.invoice_id, self.source_line)

    def body(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "invoiceId": self.invoice_id,
            "customerId": self.customer_id,
            "transactionAmount": self.amount,
            "paymentSource": self.payment_source,
            "paymentMethod": self.payment_method,
            "paymentReference": self.reference or self.source_id,
            "idempotencyKey": self.key,
        }
        if self.payment_date is not None:
            entry["paymentDate"] = self.payment_date.isoformat()
        return entry


@dataclass(frozen=True, slots=True)
class CreditRequest:
    """Apply (or unapply) ``amount`` of a Nue credit memo to a Nue invoice, for one external line."""

    invoice_id: str
    credit_memo_id: str
    amount: Decimal
    source_id: str
    source_line: str | int | None = None

    def __post_init__(self) -> None:
        _positive(self.amount, "a credit amount")

    def key(self, kind: str = "credit") -> str:
        return idempotency_key(kind, self.source_id, self.credit_memo_id, self.invoice_id, self.source_line)

    def body(self, kind: str = "credit") -> dict[str, Any]:
        return {
            "invoiceId": self.invoice_id,
            "creditMemoId": self.credit_memo_id,
            "transactionAmount": self.amount,
            "idempotencyKey": self.key(kind),
        }


@dataclass(frozen=True, slots=True)
class CreditMemoLine:
    amount: Decimal
    description: str | None = None
    order_product_id: str | None = None
    quantity: Decimal | None = None

    def body(self) -> dict[str, Any]:
        line: dict[str, Any] = {"amount": self.amount}
        if self.description is not None:
            line["description"] = self.description
        if self.order_product_id is not None:
            line["orderProductId"] = self.order_product_id
        if self.quantity is not None:
            line["quantity"] = self.quantity
        return line


@dataclass(frozen=True, slots=True)
class CreditMemoRequest:
    """Create a credit memo in Nue for one made elsewhere (``source_id``, e.g. a NetSuite credit memo)."""

    customer_id: str
    source_id: str
    lines: tuple[CreditMemoLine, ...]
    credit_memo_date: date | None = None
    source_invoice_id: str | None = None
    activate: bool = True

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("a credit memo needs at least one line")
        _positive(sum((line.amount for line in self.lines), Decimal(0)), "a credit memo total")

    @property
    def key(self) -> str:
        return idempotency_key("cm", self.source_id)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customerId": self.customer_id,
            "items": [line.body() for line in self.lines],
            "activate": self.activate,
            "idempotencyKey": self.key,
        }
        if self.credit_memo_date is not None:
            body["creditMemoDate"] = self.credit_memo_date.isoformat()
        if self.source_invoice_id is not None:
            body["sourceInvoiceId"] = self.source_invoice_id
        return body


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """What a pay call did. ``applications`` holds one entry per request in request order; those applied
    earlier under the same key come back with ``duplicate=True`` and changed nothing."""

    applications: list[PaymentApplication]
    payments: list[Payment] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CreditResult:
    applications: list[CreditApplication]
    credit_memos: list[CreditMemo] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One read of the change feed; ``last_sequence`` is the cursor to resume from."""

    events: list[Event]
    has_more: bool
    last_sequence: int
