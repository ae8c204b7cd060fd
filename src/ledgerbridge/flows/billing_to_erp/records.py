"""Nue records → hub rows (:class:`StagedRecord`). Pure functions: no I/O, no mapping lookups.

Hub conventions of this flow (source system ``nue``, target system ``netsuite``):

=================  ================  ===================  ==============================================
source_type        target_type       external id          payload
=================  ================  ===================  ==============================================
customer           customer          lb-nue-cust-<id>     the NetSuite customer body, final
product            item              lb-nue-prod-<id>     product facts; the record type and accounts
                                                          are resolved from the mappings when written
order              salesorder        lb-nue-so-<id>       header + lines by Nue ids; NetSuite ids are
                                                          resolved from the hub when written
order (change)     salesorder_append lb-nue-so-<id>       lines to append to the ORIGINAL sales order(s)
order_product      salesorder_line   lb-nue-so-<o>_<op>   the line's place; linked order → line
invoice            invoice           lb-nue-inv-<id>      one row per (invoice, original sales order)
credit_memo        creditmemo        lb-nue-cm-<id>       a Nue credit memo, created from its return
                                                          authorization (that of the negative change
                                                          it credits, or the one below)
credit_return      returnauthorization lb-nue-ra-<id>     the return a hand-made Nue credit memo credits
=================  ================  ===================  ==============================================

Items and sales orders keep Nue ids in the hub and are resolved at write time on purpose: a record that
waits for a mapping (``action_needed``) is transferred by ``ledgerbridge hub retry`` once the mapping is
fixed, without being read from Nue again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Final

from ledgerbridge.connectors.nue import (
    CreditMemo,
    CreditMemoItem,
    Customer,
    Invoice,
    InvoiceItemDetail,
    Order,
    OrderProduct,
    OrderType,
)
from ledgerbridge.flows.billing_ids import NETSUITE, NUE, external_id, sanitise
from ledgerbridge.hub import StagedRecord

CUSTOMER: Final = "customer"
PRODUCT: Final = "product"
ORDER: Final = "order"
ORDER_PRODUCT: Final = "order_product"
ORDER_APPEND: Final = "order_append"
INVOICE: Final = "invoice"
CREDIT_MEMO: Final = "credit_memo"
CREDIT_RETURN: Final = "credit_return"
#: the product id of a credit line that names no product (the flow's ``credit_item`` is used for it)
NO_PRODUCT: Final = ""
#: Nue's ``source`` of a credit memo that bills a negative change (its ``orderIds`` name the change)
NEGATIVE_CHANGE_SOURCE: Final = "NegativeInvoice"

#: NetSuite-side types, in dependency order (the flow writes them in this order)
TARGET_ORDER: Final[tuple[str, ...]] = (
    "customer",
    "item",
    "salesorder",
    "salesorder_append",
    "returnauthorization",
    "salesorder_line",
    "invoice",
    "creditmemo",
)

#: hub link relations
LINK_ORDER_LINE: Final = "order_product"
LINK_INVOICE_LINE: Final = "invoice_line"
LINK_RETURN: Final = "return_authorization"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _field(record: Customer, name: str) -> Any:
    """A customer field by snake_case or camelCase name, custom fields included."""
    if name in type(record).model_fields:
        return getattr(record, name)
    extra = record.model_extra or {}
    if name in extra:
        return extra[name]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    return getattr(record, snake, None) if snake in type(record).model_fields else None


def customer_record(
    customer: Customer, *, subsidiary: str | None, custom_fields: Mapping[str, str]
) -> StagedRecord:
    """A Nue customer as a NetSuite customer: the standard field mapping plus the configured custom ones."""
    eid = external_id("cust", customer.id)
    body: dict[str, Any] = {"externalId": eid, "companyName": customer.name}
    if customer.email:
        body["email"] = customer.email
    if customer.customer_since is not None:
        body["startDate"] = customer.customer_since.isoformat()
    if subsidiary:
        body["subsidiary"] = {"id": subsidiary}
    for nue_name, netsuite_name in sorted(custom_fields.items()):
        value = _field(customer, nue_name)
        if value is not None:
            body[netsuite_name] = value.isoformat() if isinstance(value, date) else value
    return StagedRecord(
        source_system=NUE,
        source_type=CUSTOMER,
        source_id=customer.id,
        external_id=eid,
        target_system=NETSUITE,
        target_type="customer",
        payload=body,
        source_modified_at=customer.last_modified_date,
    )


def item_record(line: OrderProduct, *, mapping_version: str | None) -> StagedRecord | None:
    """The item an order line sells (None when the line names no product)."""
    if not line.product_id:
        return None
    payload = {
        "product_id": line.product_id,
        "name": line.product_name or line.product_sku or line.product_id,
        "sku": line.product_sku,
        "product_type": str(line.product_type) if line.product_type is not None else None,
    }
    return StagedRecord(
        source_system=NUE,
        source_type=PRODUCT,
        source_id=line.product_id,
        external_id=external_id("prod", line.product_id),
        target_system=NETSUITE,
        target_type="item",
        payload=payload,
        mapping_version=mapping_version,
    )


def _line(line: OrderProduct) -> dict[str, Any]:
    return {
        "order_product_id": line.id,
        "product_id": line.product_id,
        "quantity": line.quantity,
        "amount": line.total_price,
        "start_date": _day(line.start_date),
        "end_date": _day(line.end_date),
        "line_type": str(line.line_type),
    }


def line_external_id(order_id: str, order_product_id: str) -> str:
    """The hub key of a sales-order line (never sent to NetSuite: lines have no external id there)."""
    return f"{external_id('so', order_id)}_{sanitise(order_product_id)}"


def holder(order: Order, line: OrderProduct, *, merge_renewals: bool) -> str:
    """The Nue order whose NetSuite sales order holds ``line``.

    A new order holds its own lines. A change order's lines go to the ORIGINAL order's sales order. A
    renewal is a new sales order, unless renewals are merged: then renewed lines join the original sales
    order and only new products (whose original order is the renewal itself) form a new one.
    """
    original = line.original_order_id or order.id
    if order.order_type == OrderType.CHANGE:
        return original
    if order.order_type == OrderType.RENEWAL and merge_renewals:
        return original
    return order.id


def _change_key(line: OrderProduct) -> str:
    """What a change line changes: its subscription, asset or entitlement (lines are grouped by it)."""
    return line.subscription_id or line.asset_id or line.asset_number or line.original_order_product_id or ""


def order_records(order: Order, *, merge_renewals: bool = False) -> list[StagedRecord]:
    """Hub rows of an activated order: a sales order for the lines it holds itself, an append to other
    sales orders for the lines they hold, then one row per transferable line (LineItem/RampItem only).

    The first row is keyed ``(order, <order id>)``; a second one (an order both creating a sales order
    and appending to another: a merged renewal with new products) is keyed ``(order_append, <id>)``.
    """
    lines = order.transferable_lines
    if order.order_type != OrderType.NEW:
        lines = sorted(lines, key=lambda line: (_change_key(line), line.id))
    held = {line.id: holder(order, line, merge_renewals=merge_renewals) for line in lines}
    own = [line for line in lines if held[line.id] == order.id]
    appended = [line for line in lines if held[line.id] != order.id]
    eid = external_id("so", order.id)
    rows: list[StagedRecord] = []
    if own or not appended:
        rows.append(
            StagedRecord(
                source_system=NUE,
                source_type=ORDER,
                source_id=order.id,
                external_id=eid,
                target_system=NETSUITE,
                target_type="salesorder",
                payload={
                    "order_id": order.id,
                    "order_number": order.order_number,
                    "customer_id": order.customer_id,
                    "tran_date": _day(order.activated_date or order.effective_date),
                    "start_date": _day(order.subscription_start_date),
                    "end_date": _day(order.subscription_end_date),
                    "currency": order.currency_iso_code,
                    "lines": [_line(line) for line in own],
                },
                source_modified_at=order.last_modified_date,
            )
        )
    if appended:
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in appended:
            change = str(line.change_type) if line.change_type is not None else None
            groups[held[line.id]].append({**_line(line), "changes": _change_key(line), "change_type": change})
        first = not rows
        rows.append(
            StagedRecord(
                source_system=NUE,
                source_type=ORDER if first else ORDER_APPEND,
                source_id=order.id,
                external_id=eid if first else f"{eid}_append",
                target_system=NETSUITE,
                target_type="salesorder_append",
                payload={
                    "order_id": order.id,
                    "order_number": order.order_number,
                    "customer_id": order.customer_id,
                    "appends": [{"original_order_id": key, "lines": groups[key]} for key in sorted(groups)],
                },
                source_modified_at=order.last_modified_date,
            )
        )
    children = [
        StagedRecord(
            source_system=NUE,
            source_type=ORDER_PRODUCT,
            source_id=line.id,
            external_id=line_external_id(order.id, line.id),
            target_system=NETSUITE,
            target_type="salesorder_line",
            payload={"order_id": order.id, "order_product_id": line.id, "holder": held[line.id]},
        )
        for line in lines
    ]
    return [*rows, *children]


def _returned(line: Mapping[str, Any]) -> dict[str, Any]:
    """A line of a return: what the negative change took away, as positive quantity and amount."""
    return {**line, "quantity": -Decimal(line["quantity"]), "amount": -Decimal(line["amount"])}


def return_records(order: Order) -> list[StagedRecord]:
    """A negative change order as a return authorization, created from the original sales order."""
    lines = sorted(order.transferable_lines, key=lambda line: (_change_key(line), line.id))
    originals = sorted({line.original_order_id for line in lines if line.original_order_id})
    return [
        StagedRecord(
            source_system=NUE,
            source_type=ORDER,
            source_id=order.id,
            external_id=external_id("ra", order.id),
            target_system=NETSUITE,
            target_type="returnauthorization",
            payload={
                "order_id": order.id,
                "order_number": order.order_number,
                "customer_id": order.customer_id,
                "tran_date": _day(order.activated_date or order.effective_date),
                "original_order_id": originals[0] if originals else None,
                "lines": [_returned(_line(line)) for line in lines],
            },
            source_modified_at=order.last_modified_date,
        )
    ]


def credit_memo_records(invoice: Invoice) -> list[StagedRecord]:
    """A negative invoice (what Nue bills for a negative change) as a credit memo created from the
    return authorization of the change order it bills."""
    lines: list[dict[str, Any]] = []
    orders: list[str] = []
    for item in invoice.items:
        for detail in item.details:
            if detail.order_id and detail.order_id not in orders:
                orders.append(detail.order_id)
            lines.append(
                _returned(
                    {
                        "detail_id": detail.id,
                        "order_product_id": detail.order_product_id,
                        "product_id": item.product_id,
                        "quantity": detail.quantity if detail.quantity is not None else Decimal(-1),
                        "amount": detail.amount,
                        "start_date": _day(detail.start_date or item.start_date),
                        "end_date": _day(detail.end_date or item.end_date),
                    }
                )
            )
    return [
        StagedRecord(
            source_system=NUE,
            source_type=INVOICE,
            source_id=invoice.id,
            external_id=external_id("cm", invoice.id),
            target_system=NETSUITE,
            target_type="creditmemo",
            payload={
                "invoice_id": invoice.id,
                "invoice_name": invoice.name,
                "return_order_id": orders[0] if orders else None,
                "customer_id": invoice.customer_id,
                "tran_date": _day(invoice.invoice_date),
                "amount": -invoice.amount,
                "lines": lines,
            },
            source_modified_at=invoice.last_modified_date,
        )
    ]


def _original_order(detail: InvoiceItemDetail) -> str | None:
    return detail.original_order_id or detail.order_id


def with_payload(row: StagedRecord, **extra: Any) -> StagedRecord:
    """``row`` with keys added to its payload (a changed payload hash restages it in the hub)."""
    return replace(row, payload={**row.payload, **extra})


def invoice_records(invoice: Invoice, holders: Mapping[str, str] | None = None) -> list[StagedRecord]:
    """One row per mirrored sales order the invoice bills: item details grouped by the order whose sales
    order holds the billed line (``holders``: order product id → that order, from the hub), else by
    their original order."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    known = holders or {}
    for item in invoice.items:
        for detail in item.details:
            billed = detail.order_product_id or detail.original_order_product_id
            order_id = known.get(billed or "") or _original_order(detail)
            if order_id is None:
                continue
            groups[order_id].append(
                {
                    "detail_id": detail.id,
                    # the line this detail bills (a change order's own line, not the one it changed)
                    "order_product_id": billed,
                    "product_id": item.product_id,
                    "quantity": detail.quantity,
                    "amount": detail.amount,
                    "start_date": _day(detail.start_date or item.start_date),
                    "end_date": _day(detail.end_date or item.end_date),
                }
            )
    single = len(groups) == 1
    records: list[StagedRecord] = []
    for order_id in sorted(groups):
        lines = groups[order_id]
        # the common case (one order per invoice) keeps the plain key the payments flow looks for
        nue_key = invoice.id if single else f"{invoice.id}-{order_id}"
        records.append(
            StagedRecord(
                source_system=NUE,
                source_type=INVOICE,
                source_id=invoice.id if single else f"{invoice.id}/{order_id}",
                external_id=external_id("inv", nue_key),
                target_system=NETSUITE,
                target_type="invoice",
                payload={
                    "invoice_id": invoice.id,
                    "invoice_name": invoice.name,
                    "order_id": order_id,
                    "customer_id": invoice.customer_id,
                    "tran_date": _day(invoice.invoice_date),
                    "due_date": _day(invoice.due_date),
                    "amount": sum((Decimal(line["amount"]) for line in lines), Decimal(0)),
                    "invoice_amount": invoice.amount,
                    "catch_up": invoice.is_catch_up,
                    "lines": lines,
                },
                source_modified_at=invoice.last_modified_date,
            )
        )
    return records


def memo_item_record(item: CreditMemoItem, *, mapping_version: str | None) -> StagedRecord | None:
    """The item a credit memo line credits, staged in case it was never sold through an order."""
    if not item.product_id:
        return None
    payload = {"product_id": item.product_id, "name": item.product_name or item.product_id, "sku": None}
    return StagedRecord(
        source_system=NUE,
        source_type=PRODUCT,
        source_id=item.product_id,
        external_id=external_id("prod", item.product_id),
        target_system=NETSUITE,
        target_type="item",
        payload={**payload, "product_type": None},
        mapping_version=mapping_version,
    )


def _memo_line(item: CreditMemoItem) -> dict[str, Any]:
    """A credit memo line as a return line: positive quantity and amount (Nue may sign them either way)."""
    quantity = abs(item.quantity) if item.quantity is not None else Decimal(1)
    return {
        "detail_id": item.id,
        "order_product_id": item.order_product_id,
        "product_id": item.product_id or NO_PRODUCT,
        "quantity": quantity or Decimal(1),
        "amount": abs(item.amount),
        "start_date": _day(item.start_date),
        "end_date": _day(item.end_date),
    }


def _memo_payload(memo: CreditMemo, returned: str, return_type: str) -> dict[str, Any]:
    return {
        "invoice_id": None,
        "credit_memo_id": memo.id,
        "invoice_name": memo.name,
        "return_order_id": returned,
        "return_source_type": return_type,
        "customer_id": memo.customer_id,
        "tran_date": _day(memo.credit_memo_date or memo.activated_date),
        "amount": memo.amount,
        "lines": [_memo_line(item) for item in memo.items],
    }


def credit_memo_rows(memo: CreditMemo) -> list[StagedRecord]:
    """A Nue credit memo as NetSuite rows.

    One that bills a negative change (``source`` NegativeInvoice, Nue's ``negative invoices as credit
    memos`` setting) becomes a credit memo created from that change's return authorization, exactly like a
    negative invoice. One made by hand has no return behind it: it becomes a return authorization of its
    own (created from the original sales order when every line names one order) plus a credit memo created
    from it, so NetSuite's return → credit chain stays whole and revenue reverses on the right items.
    """
    credit_eid = external_id("cm", memo.id)
    if memo.source == NEGATIVE_CHANGE_SOURCE and memo.order_ids:
        returned = sorted(memo.order_ids)[0]
        return [
            StagedRecord(
                source_system=NUE,
                source_type=CREDIT_MEMO,
                source_id=memo.id,
                external_id=credit_eid,
                target_system=NETSUITE,
                target_type="creditmemo",
                payload=_memo_payload(memo, returned, ORDER),
                source_modified_at=memo.last_modified_date,
            )
        ]
    originals = sorted({order for item in memo.items if (order := item.original_order_id or item.order_id)})
    authorization = StagedRecord(
        source_system=NUE,
        source_type=CREDIT_RETURN,
        source_id=memo.id,
        external_id=external_id("ra", memo.id),
        target_system=NETSUITE,
        target_type="returnauthorization",
        payload={
            "order_id": None,
            "credit_memo_id": memo.id,
            "order_number": memo.name,
            "customer_id": memo.customer_id,
            "tran_date": _day(memo.credit_memo_date or memo.activated_date),
            "original_order_id": originals[0] if len(originals) == 1 else None,
            "lines": [_memo_line(item) for item in memo.items],
        },
        source_modified_at=memo.last_modified_date,
    )
    credit = StagedRecord(
        source_system=NUE,
        source_type=CREDIT_MEMO,
        source_id=memo.id,
        external_id=credit_eid,
        target_system=NETSUITE,
        target_type="creditmemo",
        payload=_memo_payload(memo, memo.id, CREDIT_RETURN),
        source_modified_at=memo.last_modified_date,
    )
    return [authorization, credit]
