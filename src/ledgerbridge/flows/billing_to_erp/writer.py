"""The NetSuite side of ``billing-to-erp``: a :class:`TargetWriter` for every target type of the flow.

Each claimed batch holds one target type (the flow runs one executor per type, in dependency order).
Bodies are built per record; a record whose body cannot be built (a missing mapping, a customer not yet
mirrored) gets its own error and the rest are sent. Records of one NetSuite record type go out in one
async batch request (``upsert_many``) when there are several, else as one ``PUT .../eid:<x>``.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, RecordRejected, Retriable
from ledgerbridge.flows.billing_ids import NETSUITE, NUE
from ledgerbridge.flows.billing_to_erp import bodies
from ledgerbridge.flows.billing_to_erp.records import CUSTOMER, NO_PRODUCT, ORDER, PRODUCT
from ledgerbridge.hub import ClaimedRecord, HubStore, RecordView
from ledgerbridge.mapping.item_types import ITEM_RECORD_TYPES
from ledgerbridge.money import to_decimal

#: NetSuite's duplicate-item answer names the item that already has the name
_DUPLICATE_ID = re.compile(r"internal ID (\d+)", re.IGNORECASE)
#: a line not yet placed on its sales order is looked at again after this long
LINE_WAIT_SECONDS = 60.0

Body = tuple[str, dict[str, Any]]


class NetSuiteBillingWriter:
    """Writes the flow's hub records to NetSuite with idempotent upserts keyed by external id."""

    system = NETSUITE

    def __init__(
        self,
        netsuite: NetSuiteClient,
        hub: HubStore,
        flow: str,
        *,
        items: bodies.ItemSettings,
        skip_zero_invoices: bool = False,
        transfer_cancelled_order_invoices: bool = False,
        credit_item: str | None = None,
        subsidiary: str | None = None,
    ) -> None:
        self.netsuite = netsuite
        self.hub = hub
        self.flow = flow
        self.items = items
        self.skip_zero_invoices = skip_zero_invoices
        #: read at write time, so turning it on and running ``hub retry`` sends invoices that waited
        self.transfer_cancelled_order_invoices = transfer_cancelled_order_invoices
        self.credit_item = credit_item
        #: applied when a customer is written, not when it is staged: fixing the setting and running
        #: ``hub retry`` then takes effect without re-reading the customer from Nue
        self.subsidiary = subsidiary
        #: order product id → why NetSuite refused that appended line (reported on the line's hub row)
        self.line_errors: dict[str, LedgerbridgeError] = {}

    # ---- TargetWriter ---------------------------------------------------------------------------------

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        if not batch:
            return []
        kind = batch[0].target_type
        if any(record.target_type != kind for record in batch):
            raise RecordRejected("a billing-to-erp batch mixes target types (one executor per type)")
        if kind == "salesorder_line":
            return await self._place_lines(batch)
        if kind == "salesorder_append":
            return [await self._append(record) for record in batch]
        prepared = await asyncio.to_thread(self._prepare, kind, batch)
        return await self._send(batch, prepared)

    async def lookup(self, record: ClaimedRecord) -> str | None:
        record_type = self._record_type(record)
        if record_type is None:
            return None
        return await self.netsuite.find_id_by_external_id(record_type, record.external_id)

    # ---- building bodies ------------------------------------------------------------------------------

    def _record_type(self, record: ClaimedRecord) -> str | None:
        if record.target_type == "item":
            try:
                return self.items.record_types.record_type(record.payload.get("product_type"))
            except LedgerbridgeError:
                return None  # never written: its type is still unmapped
        if record.target_type in ("salesorder_line", "salesorder_append"):
            # lines have no external id; an append is safe to re-send (it skips lines already there)
            return None
        return record.target_type

    def _find(self, source_type: str, source_id: str) -> RecordView | None:
        return self.hub.find(self.flow, NUE, source_type, source_id)

    def _items(self, lines: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in lines:
            product = str(line["product_id"] or NO_PRODUCT)
            if product in found:
                continue
            if product == NO_PRODUCT:
                found[product] = self._credit_item()
            else:
                found[product] = bodies.mirrored_id(self._find(PRODUCT, product), "product", product)
        return found

    def _credit_item(self) -> str:
        """The NetSuite item for a credit line that names no product (a plain amount credited by hand)."""
        if self.credit_item is None:
            raise ActionNeeded(
                "a credit memo line names no product, and billing-to-erp has no credit_item to put it on",
                hint="set params.credit_item of billing-to-erp to a NetSuite item internal id (e.g. a "
                "'Customer credit' service item), then retry this record",
            )
        return self.credit_item

    def _prepare(self, kind: str, batch: Sequence[ClaimedRecord]) -> list[Body | WriteResult]:
        prepared: list[Body | WriteResult] = []
        for record in batch:
            try:
                prepared.append(self._body(kind, record))
            except LedgerbridgeError as exc:
                prepared.append(WriteResult.failed(exc))
        return prepared

    def _body(self, kind: str, record: ClaimedRecord) -> Body | WriteResult:
        payload = record.payload
        if kind == "customer":
            body = {key: value for key, value in payload.items() if key != "subsidiary"}
            if self.subsidiary:
                body["subsidiary"] = {"id": self.subsidiary}
            return "customer", body
        if kind == "item":
            return bodies.item_body(payload, record.external_id, self.items)
        if kind == "salesorder":
            customer = self._customer(str(payload["customer_id"]))
            items = self._items(payload["lines"])
            return "salesorder", bodies.sales_order_body(payload, record.external_id, customer, items)
        if kind == "invoice":
            if payload.get("catch_up"):
                return WriteResult.skipped("catch-up invoice: never transferred to the ERP")
            if payload.get("invoice_cancelled"):
                return WriteResult.skipped("the invoice was cancelled in Nue before it reached NetSuite")
            if payload.get("cancelled_orders") and not self.transfer_cancelled_order_invoices:
                return WriteResult.failed(ActionNeeded(cancelled_order_message(payload)))
            if self.skip_zero_invoices and to_decimal(payload["invoice_amount"]) == 0:
                return WriteResult.skipped("$0 invoice (skip_zero_invoices is on)")
            customer = self._customer(str(payload["customer_id"]))
            order_id = str(payload["order_id"])
            sales_order = bodies.mirrored_id(self._find(ORDER, order_id), "order", order_id)
            items = self._items(payload["lines"])
            body = bodies.invoice_body(payload, record.external_id, customer, sales_order, items)
            return "invoice", body
        if kind == "returnauthorization":
            customer = self._customer(str(payload["customer_id"]))
            original = payload.get("original_order_id")
            found = self._find(ORDER, str(original)) if original else None
            items = self._items(payload["lines"])
            body = bodies.return_authorization_body(
                payload, record.external_id, customer, found.target_id if found else None, items
            )
            return "returnauthorization", body
        if kind == "creditmemo":
            customer = self._customer(str(payload["customer_id"]))
            returned = str(payload["return_order_id"])
            # a negative change's return (an order), or the return a hand-made credit memo got of its own
            source_type = str(payload.get("return_source_type") or ORDER)
            what = "negative change order" if source_type == ORDER else "return of credit memo"
            authorization = bodies.mirrored_id(self._find(source_type, returned), what, returned)
            items = self._items(payload["lines"])
            body = bodies.credit_memo_body(payload, record.external_id, customer, authorization, items)
            return "creditmemo", body
        raise RecordRejected(f"billing-to-erp cannot write target type {kind!r}")

    def _customer(self, customer_id: str) -> str:
        return bodies.mirrored_id(self._find(CUSTOMER, customer_id), "customer", customer_id)

    # ---- sending --------------------------------------------------------------------------------------

    async def _send(
        self, batch: Sequence[ClaimedRecord], prepared: Sequence[Body | WriteResult]
    ) -> list[WriteResult]:
        results: list[WriteResult | None] = [p if isinstance(p, WriteResult) else None for p in prepared]
        groups: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(prepared):
            if not isinstance(item, WriteResult):
                groups[item[0]].append(index)
        for record_type, indexes in groups.items():
            pairs = [(batch[i].external_id, _body_of(prepared[i])) for i in indexes]
            sent = await self._upsert(record_type, pairs)
            for index, result in zip(indexes, sent, strict=True):
                results[index] = result
        return [
            result if result is not None else WriteResult.failed(RuntimeError("unsent")) for result in results
        ]

    async def _upsert(self, record_type: str, pairs: list[tuple[str, dict[str, Any]]]) -> list[WriteResult]:
        if len(pairs) == 1:
            eid, body = pairs[0]
            try:
                return [WriteResult.ok(await self.netsuite.upsert(record_type, eid, body))]
            except Fatal:
                raise  # nothing was written: the executor gives the batch back and stops the run
            except LedgerbridgeError as exc:
                return [_duplicate_or_failed(record_type, exc)]
        answers = await self.netsuite.upsert_many(record_type, pairs)
        out: list[WriteResult] = []
        for answer in answers:
            if answer.error is not None:
                out.append(_duplicate_or_failed(record_type, answer.error))
            else:
                out.append(WriteResult.ok(answer.id))
        return out

    # ---- change orders: lines appended to the original sales order ---------------------------------------

    async def _append(self, record: ClaimedRecord) -> WriteResult:
        """Append a change order's lines to each original sales order, skipping lines already there.

        A PATCH that appends is not idempotent by itself, so the sales order's lines are read first and
        only order products not yet on it are sent: a re-send after a crash or a retry adds nothing twice.
        """
        try:
            plans = await asyncio.to_thread(self._append_plans, record)
            written: str | None = None
            refused: list[str] = []
            for sales_order, lines in plans:
                present = await self._lines_of(sales_order)
                missing = [line for line in lines if str(line["custcol_nue_order_product_id"]) not in present]
                refused += await self._send_lines(sales_order, missing)
                written = written or sales_order
        except Fatal:
            raise
        except LedgerbridgeError as exc:
            return WriteResult.failed(exc)
        if refused:
            first = self.line_errors[refused[0]]
            return WriteResult.failed(
                RecordRejected(
                    f"{len(refused)} line(s) of this change were refused, the others were appended; "
                    f"first: {first.message}",
                    vendor_code=first.vendor_code,
                    hint="fix the refused line (see its hub record), then retry this record: "
                    "lines already on the sales order are not sent again",
                )
            )
        return WriteResult.ok(written)

    async def _send_lines(self, sales_order: str, lines: list[dict[str, Any]]) -> list[str]:
        """Append ``lines`` in one PATCH; if NetSuite refuses it, line by line so one bad line does not
        hold back the others. Returns the order product ids refused (their errors in ``line_errors``)."""
        if not lines:
            return []
        try:
            await self.netsuite.update("salesorder", sales_order, {"item": {"items": lines}})
            return []
        except RecordRejected as exc:
            if len(lines) == 1:  # that one line is the culprit: no need to send it again alone
                key = str(lines[0]["custcol_nue_order_product_id"])
                self.line_errors[key] = exc
                return [key]
        refused: list[str] = []
        for line in lines:
            key = str(line["custcol_nue_order_product_id"])
            try:
                await self.netsuite.update("salesorder", sales_order, {"item": {"items": [line]}})
                self.line_errors.pop(key, None)
            except RecordRejected as exc:
                self.line_errors[key] = exc
                refused.append(key)
        return refused

    def _append_plans(self, record: ClaimedRecord) -> list[tuple[str, list[dict[str, Any]]]]:
        plans: list[tuple[str, list[dict[str, Any]]]] = []
        for group in record.payload["appends"]:
            original = str(group["original_order_id"])
            sales_order = bodies.mirrored_id(self._find(ORDER, original), "original order", original)
            items = self._items(group["lines"])
            plans.append((sales_order, bodies.transaction_lines(group["lines"], items)))
        return plans

    # ---- sales-order lines ----------------------------------------------------------------------------

    async def _place_lines(self, batch: Sequence[ClaimedRecord]) -> list[WriteResult]:
        """Find each order product's line on its (already written) sales order: one GET per order."""
        wanted = sorted({_holder(claimed) for claimed in batch})
        orders = await asyncio.to_thread(lambda: {key: self._find(ORDER, key) for key in wanted})
        lines_by_order: dict[str, dict[str, str] | BaseException] = {}
        for order_id, parent in orders.items():
            if parent is None or parent.target_id is None:
                lines_by_order[order_id] = Retriable(
                    f"sales order of Nue order {order_id} is not in NetSuite yet",
                    retry_after=LINE_WAIT_SECONDS,
                )
                continue
            try:
                lines_by_order[order_id] = await self._lines_of(parent.target_id)
            except LedgerbridgeError as exc:
                lines_by_order[order_id] = exc
        results: list[WriteResult] = []
        for record in batch:
            found = lines_by_order[_holder(record)]
            if isinstance(found, BaseException):
                results.append(WriteResult.failed(found))
                continue
            line = found.get(str(record.payload["order_product_id"]))
            refused = self.line_errors.get(str(record.payload["order_product_id"]))
            if line is None and refused is not None:
                results.append(WriteResult.failed(refused))
            elif line is None:
                results.append(
                    WriteResult.failed(
                        RecordRejected(
                            f"order product {record.payload['order_product_id']} has no line on its "
                            "NetSuite sales order",
                            hint="retry the sales order's hub record, then this one",
                        )
                    )
                )
            else:
                results.append(WriteResult.ok(line))
        return results

    async def _lines_of(self, sales_order_id: str) -> dict[str, str]:
        """Nue order product id → ``<sales order id>:<line>`` for every line of the sales order."""
        lines = await self.netsuite.sublist("salesorder", sales_order_id, "item")
        placed: dict[str, str] = {}
        for line in lines:
            key = line.get("custcol_nue_order_product_id")
            if key is not None and line.get("line") is not None:
                placed[str(key)] = f"{sales_order_id}:{line['line']}"
        return placed


def _holder(record: ClaimedRecord) -> str:
    """The Nue order whose sales order holds this line (rows staged before holders existed: its own)."""
    return str(record.payload.get("holder") or record.payload["order_id"])


def _body_of(prepared: Body | WriteResult) -> dict[str, Any]:
    assert not isinstance(prepared, WriteResult)
    return prepared[1]


def _duplicate_or_failed(record_type: str, error: BaseException) -> WriteResult:
    """A duplicate item (DUP_RCRD naming the existing id) is linked, not failed: it was made by hand."""
    if (
        record_type in ITEM_RECORD_TYPES
        and isinstance(error, RecordRejected)
        and error.vendor_code == "DUP_RCRD"
        and (match := _DUPLICATE_ID.search(error.message)) is not None
    ):
        return WriteResult.ok(match.group(1))
    return WriteResult.failed(error)


def cancelled_order_message(payload: Mapping[str, Any]) -> str:
    """What a person must decide about an invoice that bills an order cancelled in Nue."""
    orders = ", ".join(str(order) for order in payload["cancelled_orders"])
    name = payload.get("invoice_name") or payload.get("invoice_id")
    return (
        f"Nue invoice {name} bills order(s) {orders}, cancelled in Nue: NetSuite would get an invoice "
        "for a cancelled sale. Fix: cancel the invoice in Nue (bill a replacement if one is due) — a "
        "retry then skips it — or, if the invoice stands, set the flow param "
        "transfer_cancelled_order_invoices: true; then run `ledgerbridge hub retry --state action_needed "
        "--flow billing-to-erp`"
    )
