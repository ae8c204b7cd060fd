"""Hub payloads → NetSuite request bodies, at write time.

NetSuite internal ids are resolved here, from the hub (``ids`` below), never by asking NetSuite: the hub
already knows every record this flow mirrored. Mapping lookups happen here too, so a record that waits
for a mapping is sent as soon as the mapping is fixed and the record retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledgerbridge.errors import ActionNeeded, RecordRejected
from ledgerbridge.flows.billing_to_erp.records import NO_PRODUCT
from ledgerbridge.hub import RecordView
from ledgerbridge.mapping import GlAccountMapping, RecordTypeMapping
from ledgerbridge.money import to_decimal


@dataclass(frozen=True, slots=True)
class ItemSettings:
    """What item bodies need besides the product: mappings and the tax schedule."""

    record_types: RecordTypeMapping
    gl_accounts: GlAccountMapping
    tax_schedule: str | None = None


def item_body(
    payload: Mapping[str, Any], external_id: str, settings: ItemSettings
) -> tuple[str, dict[str, Any]]:
    """``(record type, body)`` of an item; ActionNeeded when a mapping lacks the product's type."""
    product_type = payload.get("product_type")
    record_type = settings.record_types.record_type(product_type)
    name = str(payload.get("sku") or payload.get("name") or payload["product_id"])
    body: dict[str, Any] = {
        "externalId": external_id,
        "itemId": name,
        "displayName": str(payload.get("name") or name),
    }
    income = settings.gl_accounts.income_account(product_type)
    if income is not None:
        body["incomeAccount"] = {"id": income}
    deferred = settings.gl_accounts.deferred_revenue_account(product_type)
    if deferred is not None:
        body["deferredRevenueAccount"] = {"id": deferred}
    if settings.tax_schedule:
        body["taxSchedule"] = {"id": settings.tax_schedule}
    return record_type, body


def mirrored_id(record: RecordView | None, what: str, nue_id: str) -> str:
    """The NetSuite id of a record this flow mirrored, or why it cannot be used yet."""
    if record is None:
        raise RecordRejected(
            f"{what} {nue_id} is not known to ledgerbridge (not in Nue, or never read)",
            hint=f"check that {what} {nue_id} exists in Nue, then retry this record",
        )
    if record.target_id is None:
        reason = f": {record.error_message}" if record.error_message else ""
        state = record.state.value
        raise ActionNeeded(
            f"{what} {nue_id} is not in NetSuite yet (hub record {record.id} is {state}{reason})",
            hint=f"fix hub record {record.id} first (ledgerbridge hub show {record.id}), then retry both",
        )
    return record.target_id


def _dates(line: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if line.get("start_date"):
        out["custcol_nue_start_date"] = line["start_date"]
        out["revRecStartDate"] = line["start_date"]
    if line.get("end_date"):
        out["custcol_nue_end_date"] = line["end_date"]
        out["revRecEndDate"] = line["end_date"]
    return out


def transaction_lines(lines: list[Mapping[str, Any]], items: Mapping[str, str]) -> list[dict[str, Any]]:
    """Item sublist lines; ``items`` maps Nue product id → NetSuite item id."""
    out: list[dict[str, Any]] = []
    for line in lines:
        body: dict[str, Any] = {
            "item": {"id": items[str(line["product_id"] or NO_PRODUCT)]},
            "quantity": to_decimal(line.get("quantity") or "1"),
            "amount": to_decimal(line["amount"]),
            "custcol_nue_order_product_id": line.get("order_product_id"),
            **_dates(line),
        }
        out.append(body)
    return out


def sales_order_body(
    payload: Mapping[str, Any], external_id: str, customer: str, items: Mapping[str, str]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": external_id,
        "entity": {"id": customer},
        "item": {"items": transaction_lines(payload["lines"], items)},
        "custbody_nue_order_id": payload["order_id"],
    }
    return _with_present(
        body,
        payload,
        {
            "tran_date": "tranDate",
            "order_number": "otherRefNum",
            "start_date": "startDate",
            "end_date": "endDate",
        },
    )


def invoice_body(
    payload: Mapping[str, Any],
    external_id: str,
    customer: str,
    sales_order: str,
    items: Mapping[str, str],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": external_id,
        "entity": {"id": customer},
        "createdFrom": {"id": sales_order},
        "item": {"items": transaction_lines(payload["lines"], items)},
        # the payments flow finds the Nue invoice from this even when one Nue invoice became several
        "custbody_nue_invoice_id": payload["invoice_id"],
    }
    return _with_present(
        body, payload, {"tran_date": "tranDate", "due_date": "dueDate", "invoice_name": "otherRefNum"}
    )


def return_authorization_body(
    payload: Mapping[str, Any],
    external_id: str,
    customer: str,
    sales_order: str | None,
    items: Mapping[str, str],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": external_id,
        "entity": {"id": customer},
        "item": {"items": transaction_lines(payload["lines"], items)},
    }
    if payload.get("order_id"):
        body["custbody_nue_order_id"] = payload["order_id"]
    if payload.get("credit_memo_id"):
        body["custbody_nue_credit_memo_id"] = payload["credit_memo_id"]
    if sales_order is not None:
        body["createdFrom"] = {"id": sales_order}
    return _with_present(body, payload, {"tran_date": "tranDate", "order_number": "otherRefNum"})


def credit_memo_body(
    payload: Mapping[str, Any],
    external_id: str,
    customer: str,
    return_authorization: str,
    items: Mapping[str, str],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": external_id,
        "entity": {"id": customer},
        "createdFrom": {"id": return_authorization},
        "item": {"items": transaction_lines(payload["lines"], items)},
    }
    if payload.get("invoice_id"):
        body["custbody_nue_invoice_id"] = payload["invoice_id"]
    if payload.get("credit_memo_id"):
        body["custbody_nue_credit_memo_id"] = payload["credit_memo_id"]
    return _with_present(body, payload, {"tran_date": "tranDate", "invoice_name": "otherRefNum"})


def _with_present(
    body: dict[str, Any], payload: Mapping[str, Any], fields: Mapping[str, str]
) -> dict[str, Any]:
    """Copy the payload fields that have a value into ``body`` under their NetSuite names."""
    for source, target in fields.items():
        if payload.get(source):
            body[target] = payload[source]
    return body
