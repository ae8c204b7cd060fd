"""Credit memos: from negative invoice runs, made by hand or through ``POST /credit-memos``; activation
and cancellation (``Draft → Active → PartiallyApplied → Applied``, or ``Canceled``). Applying them to invoices
is ``payments.py``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from . import catalog, coerce
from .documents import (
    ZERO,
    check_cancellable,
    line_detail,
    memo_shell,
    refresh_credit_memo,
    release_lines,
    set_memo_total,
)
from .errors import NueError
from .store import IdempotentResult, NueStore, Record


def memo_from_lines(store: NueStore, customer: Record, lines: list[Record], day: date) -> Record:
    memo = memo_shell(store, customer, day, "NegativeInvoice", None)
    for line in lines:
        item = line_detail(store, line, {"creditMemoId": memo["id"]}, -1)
        item["productId"] = line["productId"]
        item["productName"] = line["productName"]
        item["description"] = f"{line['changeType'] or 'Order'} {line['productName']}"
        memo["creditMemoItems"].append(item)
    memo["orderIds"] = sorted({line["orderId"] for line in lines})
    set_memo_total(memo)
    return memo


def create_credit_memo(store: NueStore, payload: Any) -> Record:
    """A manual credit memo: ``{customerId, amount | items: [{amount, description?, orderProductId?}],
    sourceInvoiceId?, creditMemoDate?, activate?, idempotencyKey?}``.

    ``POST /credit-memos`` (an assumed path: how credit memos made in the ERP reach Nue is not public)
    takes an ``idempotencyKey``: the same key again returns the first memo (``duplicate: true``) instead of a
    second one, or 409 under ``duplicate_key_behaviour="conflict"``; with other content it is 409
    ``IDEMPOTENCY_KEY_REUSED``.
    """
    body = coerce.obj(payload, "body")
    customer_id = coerce.required_text(body, "customerId", "body")
    key = coerce.text(body, "idempotencyKey", "body", required=False)
    with store.lock:
        if key is not None and key in store.idempotency:
            return _replayed_memo(store, key, body)
        customer = catalog.require_customer(store, customer_id)
        source_invoice = coerce.text(body, "sourceInvoiceId", "body", required=False)
        if source_invoice is not None:
            invoice = store.require("invoices", source_invoice, "Invoice")
            if invoice["customerId"] != customer_id:
                raise NueError.rule(
                    "CUSTOMER_MISMATCH", f"Invoice {invoice['name']} belongs to another customer."
                )
        day = coerce.day(body, "creditMemoDate", "body", required=False) or store.clock.today()
        source = coerce.text(body, "source", "body", required=False) or "Manual"
        memo = memo_shell(store, customer, day, source, source_invoice)
        specs = coerce.items(body.get("items"), "items", required=False)
        if not specs:
            specs = [{"amount": coerce.required_amount(body, "amount", "body"), "description": "Credit"}]
        for i, raw in enumerate(specs):
            memo["creditMemoItems"].append(
                _memo_item(store, memo, coerce.obj(raw, f"items[{i}]"), f"items[{i}]")
            )
        set_memo_total(memo)
        if memo["amount"] <= 0:
            raise NueError.invalid("A credit memo's amount must be above zero.", field="amount")
        memo["orderIds"] = sorted({i["orderId"] for i in memo["creditMemoItems"] if i["orderId"]})
        memo["idempotencyKey"] = key
        store.insert("creditMemos", memo)
        if coerce.flag(body, "activate", "body"):
            activate_credit_memo(store, memo)
        if key is not None:
            store.idempotency[key] = IdempotentResult(
                "creditmemo", _memo_fingerprint(body), {"id": memo["id"]}
            )
        return memo


def _memo_fingerprint(body: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        "creditmemo",
        body.get("customerId"),
        body.get("amount"),
        body.get("sourceInvoiceId"),
        repr(body.get("items")),
    )


def _replayed_memo(store: NueStore, key: str, body: Mapping[str, Any]) -> Record:
    prior = store.idempotency[key]
    if prior.kind != "creditmemo" or prior.fingerprint != _memo_fingerprint(body):
        raise NueError(
            409, "IDEMPOTENCY_KEY_REUSED", f"idempotencyKey '{key}' was used before for a different request."
        )
    memo = {**store.require("creditMemos", prior.result["id"], "Credit memo"), "duplicate": True}
    if store.settings.duplicate_key_behaviour == "conflict":
        raise NueError(
            409, "DUPLICATE_REQUEST", "This credit memo was already created.", data={"duplicates": [memo]}
        )
    return memo


def _memo_item(store: NueStore, memo: Record, spec: Mapping[str, Any], where: str) -> Record:
    amount = coerce.required_amount(spec, "amount", where)
    line_id = coerce.text(spec, "orderProductId", where, required=False)
    line = _find_line(store, line_id) if line_id else None
    if line_id and line is None:
        raise NueError.rule("ORDER_PRODUCT_NOT_FOUND", f"{where}.orderProductId '{line_id}' does not exist.")
    item: Record = {
        "id": store.new_id("creditmemoitem"),
        "creditMemoId": memo["id"],
        "description": coerce.text(spec, "description", where, required=False) or "Credit",
        "quantity": coerce.amount(spec, "quantity", where, required=False) or Decimal(1),
        "amount": amount,
        "productId": None,
        "productName": None,
        "orderId": None,
        "orderProductId": None,
        "originalOrderId": None,
        "subscriptionId": None,
        "assetId": None,
        "assetNumber": None,
        "changeType": None,
        "startDate": None,
        "endDate": None,
    }
    if line is not None:
        item.update(
            productId=line["productId"],
            productName=line["productName"],
            orderId=line["orderId"],
            orderProductId=line["id"],
            originalOrderId=line["originalOrderId"] or line["orderId"],
            subscriptionId=line["subscriptionId"],
            assetId=line["assetId"],
            assetNumber=line["assetNumber"],
            changeType=line["changeType"],
            startDate=line["startDate"],
            endDate=line["endDate"],
        )
    return item


def _find_line(store: NueStore, line_id: str) -> Record | None:
    for order in store.rows("orders"):
        for line in order["orderProducts"]:
            if line["id"] == line_id:
                return dict(line)
    return None


def activate_credit_memo(store: NueStore, memo: Record) -> str | None:
    if memo["status"] != "Draft":
        if memo["status"] == "Canceled":
            raise NueError.state(f"Credit memo {memo['name']} is Canceled; it cannot be activated.")
        return f"Credit memo {memo['name']} is already active."
    memo["status"] = "Active"
    memo["activatedDate"] = store.clock.today().isoformat()
    refresh_credit_memo(memo)
    store.touch("creditMemos", memo, event="activated")
    return None


def _select_memos(store: NueStore, body: Mapping[str, Any]) -> list[Record]:
    ids = [str(key) for key in coerce.items(body.get("creditMemoIds"), "creditMemoIds")]
    if not ids:
        raise NueError.invalid("creditMemoIds is empty.", field="creditMemoIds")
    return [store.require("creditMemos", key, "Credit memo") for key in ids]


def activate_credit_memos(store: NueStore, payload: Any) -> tuple[list[Record], list[str]]:
    body = coerce.obj(payload, "body")
    with store.lock:
        memos = _select_memos(store, body)
        for memo in memos:
            if memo["status"] == "Canceled":
                raise NueError.state(f"Credit memo {memo['name']} is Canceled; it cannot be activated.")
        warnings = [warning for memo in memos if (warning := activate_credit_memo(store, memo))]
        return memos, warnings


def cancel_credit_memos(store: NueStore, payload: Any) -> tuple[list[Record], list[str]]:
    body = coerce.obj(payload, "body")
    with store.lock:
        memos = _select_memos(store, body)
        for memo in memos:
            check_cancellable(store, memo, "Credit memo")
        warnings: list[str] = []
        for memo in memos:
            if memo["status"] == "Canceled":
                warnings.append(f"Credit memo {memo['name']} was already canceled.")
                continue
            memo["status"] = "Canceled"
            memo["balance"] = ZERO
            memo["cancellationDate"] = store.clock.today().isoformat()
            release_lines(store, memo["id"])
            store.touch("creditMemos", memo, event="canceled")
        return memos, warnings
