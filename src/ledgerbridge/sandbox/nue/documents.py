"""What invoices and credit memos share: money zero, line details, statuses, cancellation rules.

Both kinds of document bill order lines (``invoiceId`` / ``creditMemoId`` on the line says which one took it),
carry ``amount`` and ``balance``, and may be cancelled only while nothing is applied to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import NueError
from .store import NueStore, Record

ZERO = Decimal("0.00")


def line_detail(store: NueStore, line: Record, parents: Mapping[str, str], sign: int) -> Record:
    """What a document bills for one order line: the line, its order, the order that created its
    subscription (``originalOrderId``: where an ERP appends changes) and the subscription; ``sign`` -1 turns
    a negative line into a positive credit."""
    return {
        "id": store.new_id("invoicedetail"),
        **parents,
        "orderId": line["orderId"],
        "orderProductId": line["id"],
        "originalOrderId": line["originalOrderId"] or line["orderId"],
        "originalOrderProductId": line["originalOrderProductId"] or line["id"],
        "changeType": line["changeType"],
        "lineType": line["lineType"],
        "subscriptionId": line["subscriptionId"],
        "assetId": line["assetId"],
        "assetNumber": line["assetNumber"],
        "quantity": line["quantity"],
        "unitPrice": line["netSalesPrice"],
        "amount": line["totalPrice"] * sign,
        "startDate": line["startDate"],
        "endDate": line["endDate"],
    }


def period(rows: Iterable[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """The first start and last end date of some lines (a termless asset line ends where it starts)."""
    rows = list(rows)
    starts = [r["startDate"] for r in rows if r["startDate"]]
    ends = [r["endDate"] or r["startDate"] for r in rows if r["startDate"]]
    return (min(starts) if starts else None, max(ends) if ends else None)


def memo_shell(
    store: NueStore, customer: Record, day: date, source: str, source_invoice: str | None
) -> Record:
    """A draft credit memo without items (the caller adds ``creditMemoItems`` and totals)."""
    return {
        "id": store.new_id("creditmemo"),
        "name": store.next_number("CM"),
        "customerId": customer["id"],
        "status": "Draft",
        "amount": ZERO,
        "balance": ZERO,
        "taxAmount": ZERO,
        "creditMemoDate": day.isoformat(),
        "source": source,
        "sourceInvoiceId": source_invoice,
        "orderIds": [],
        "currencyIsoCode": customer["currencyIsoCode"],
        "activatedDate": None,
        "cancellationDate": None,
        "idempotencyKey": None,
        "creditMemoItems": [],
    }


def set_memo_total(memo: Record) -> None:
    memo["amount"] = sum((item["amount"] for item in memo["creditMemoItems"]), ZERO)
    memo["balance"] = memo["amount"]


def refresh_invoice(invoice: Record) -> None:
    """``paymentStatus`` from the status, amount and balance."""
    if invoice["status"] == "Canceled":
        invoice["paymentStatus"] = "Canceled"
    elif invoice["status"] == "Draft" or invoice["amount"] < 0:
        invoice["paymentStatus"] = "Open"
    elif invoice["balance"] == 0:
        invoice["paymentStatus"] = "Paid"
    elif invoice["balance"] == invoice["amount"]:
        invoice["paymentStatus"] = "Open"
    else:
        invoice["paymentStatus"] = "PartiallyPaid"


def refresh_credit_memo(memo: Record) -> None:
    if memo["status"] in ("Draft", "Canceled"):
        return
    if memo["balance"] == 0:
        memo["status"] = "Applied"
    elif memo["balance"] == memo["amount"]:
        memo["status"] = "Active"
    else:
        memo["status"] = "PartiallyApplied"


def has_applications(document: Mapping[str, Any]) -> bool:
    return bool(document["balance"] != document["amount"])


def check_cancellable(store: NueStore, document: Record, kind: str) -> None:
    if document["status"] == "Canceled":
        return
    if has_applications(document):
        raise NueError.state(
            f"{kind} {document['name']} has payments or credits applied; unapply them before cancelling."
        )
    if document["status"] != "Draft" and not store.settings.cancel_active_documents:
        raise NueError.state(
            f"{kind} {document['name']} is {document['status']}; only drafts can be canceled."
        )


def release_lines(store: NueStore, document_id: str) -> None:
    """A cancelled document's order lines become billable again (a later run can re-bill them)."""
    for order in store.rows("orders"):
        touched = False
        for line in order["orderProducts"]:
            for key in ("invoiceId", "creditMemoId"):
                if line[key] == document_id:
                    line[key] = None
                    touched = True
        if touched:
            store.touch("orders", order)
