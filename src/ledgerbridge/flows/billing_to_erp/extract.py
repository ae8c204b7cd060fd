"""Reading Nue incrementally into the hub: customers, activated orders (with their items), invoices.

Each stream keeps its own checkpoint (the Nue record position ``(lastModifiedDate, id)``). A page of
records and the cursor of its newest record are committed in one hub transaction (DESIGN §4.2), so a
crash between pages loses nothing and duplicates nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from ledgerbridge.connectors.nue import (
    CreditMemo,
    CreditMemoStatus,
    Customer,
    Invoice,
    InvoiceStatus,
    NueClient,
    Order,
    OrderStatus,
)
from ledgerbridge.connectors.nue.client import INVOICE_INCLUDES
from ledgerbridge.connectors.nue.keys import is_ledgerbridge_key
from ledgerbridge.connectors.nue.records import NueRecord
from ledgerbridge.engine.checkpoints import CheckpointedStream
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.flows.base import RunOutcome
from ledgerbridge.flows.billing_ids import NUE
from ledgerbridge.flows.billing_to_erp import records
from ledgerbridge.flows.billing_to_erp.feed import ALL_STREAMS, CREDIT_MEMOS, CUSTOMERS, INVOICES, ORDERS
from ledgerbridge.flows.billing_to_erp.settings import BillingParams
from ledgerbridge.hub import HubStore, StagedRecord, State

R = TypeVar("R", bound=NueRecord)
PAGE = 100
#: what an invoice read asks Nue to include: its applications (the default) and its orders' statuses
INVOICE_READ_INCLUDES: tuple[str, ...] = (*INVOICE_INCLUDES, "orders")
#: credit memo states that exist in the ledger (drafts may still change; cancelled ones never counted)
POSTED_MEMO_STATES = frozenset(
    {CreditMemoStatus.ACTIVE, CreditMemoStatus.PARTIALLY_APPLIED, CreditMemoStatus.APPLIED}
)


def cancelled_orders(invoice: Invoice) -> list[str]:
    """The ids of the orders this invoice bills that are cancelled in Nue (from ``includes=orders``)."""
    included = (invoice.model_extra or {}).get("orders") or []
    return sorted(
        str(order["id"])
        for order in included
        if isinstance(order, dict) and order.get("status") == OrderStatus.CANCELED and order.get("id")
    )


@dataclass(slots=True)
class _Page:
    staged: list[StagedRecord] = field(default_factory=list)
    cursors: list[Cursor] = field(default_factory=list)
    #: (parent external id, child external id, relation) to link once the page is in the hub
    links: list[tuple[tuple[str, str, str], tuple[str, str, str], str]] = field(default_factory=list)
    sources: int = 0
    #: the position of the last record read, staged or not
    last: Cursor | None = None

    def add(self, staged: Sequence[StagedRecord], cursor: Cursor) -> None:
        self.staged.extend(staged)
        self.cursors.extend([cursor] * len(staged))


@dataclass(slots=True)
class _Stream(Generic[R]):
    name: str
    read: Callable[[Cursor | None], AsyncIterator[R]]
    convert: Callable[[R, _Page], Awaitable[None]]


class NueReader:
    """Stages what the flow transfers, page by page, and counts it in the run's outcome."""

    def __init__(
        self,
        nue: NueClient,
        hub: HubStore,
        flow: str,
        params: BillingParams,
        outcome: RunOutcome,
        *,
        run_id: int | None,
        dry_run: bool,
        item_mapping_version: str | None,
        invoices_from: date,
    ) -> None:
        self.nue = nue
        self.hub = hub
        self.flow = flow
        self.params = params
        self.outcome = outcome
        self.run_id = run_id
        self.dry_run = dry_run
        self.item_mapping_version = item_mapping_version
        self.invoices_from = invoices_from
        self._left: dict[str, int] = {}
        self._customers_checked: set[str] = set()

    async def read_all(self) -> None:
        """Customers, then orders (staging any customer an order needs), then invoices."""
        await self.read(ALL_STREAMS)

    async def read(self, streams: Collection[str]) -> None:
        """Read the named streams (of :data:`ALL_STREAMS`), always in dependency order."""
        if CUSTOMERS in streams:
            await self._run(_Stream(CUSTOMERS, self._read_customers, self._customer))
        if ORDERS in streams:
            await self._run(_Stream(ORDERS, self._read_orders, self._order))
        if INVOICES in streams:
            await self._run(_Stream(INVOICES, self._read_invoices, self._invoice))
        if CREDIT_MEMOS in streams:
            await self._run(_Stream(CREDIT_MEMOS, self._read_credit_memos, self._credit_memo))
        for reason, count in sorted(self._left.items()):
            self.outcome.notes.append(f"{count} {reason}")

    def _leave(self, reason: str) -> None:
        """Count a record this version leaves in Nue (reported once per run, not once per record)."""
        self._left[reason] = self._left.get(reason, 0) + 1

    # ---- reads ----------------------------------------------------------------------------------------

    def _read_customers(self, start: Cursor | None) -> AsyncIterator[Customer]:
        return self.nue.customers(_moment(start), after_id=_tie(start))

    def _read_orders(self, start: Cursor | None) -> AsyncIterator[Order]:
        return self.nue.orders(_moment(start), after_id=_tie(start))

    def _read_invoices(self, start: Cursor | None) -> AsyncIterator[Invoice]:
        # the billed orders come along (id and status), so an invoice of a cancelled order is seen
        # without asking Nue for each order
        return self.nue.invoices(_moment(start), after_id=_tie(start), includes=INVOICE_READ_INCLUDES)

    def _read_credit_memos(self, start: Cursor | None) -> AsyncIterator[CreditMemo]:
        return self.nue.credit_memos(_moment(start), after_id=_tie(start))

    # ---- conversions ----------------------------------------------------------------------------------

    async def _customer(self, customer: Customer, page: _Page) -> None:
        # a customer becomes an ERP customer once Nue sets Customer Since (or an order needs it)
        if customer.customer_since is None:
            return
        self._customers_checked.add(customer.id)
        page.add([self._customer_record(customer)], _cursor(customer))
        page.sources += 1

    def _customer_record(self, customer: Customer) -> StagedRecord:
        return records.customer_record(
            customer, subsidiary=self.params.subsidiary, custom_fields=self.params.customer_fields
        )

    async def _order(self, order: Order, page: _Page) -> None:
        if order.status != OrderStatus.ACTIVATED:
            return
        if order.is_negative:
            order_rows = records.return_records(order)  # a negative change: a return authorization
        else:
            order_rows = records.order_records(order, merge_renewals=self.params.merge_renewal_orders)
        cursor = _cursor(order)
        staged: list[StagedRecord] = []
        for line in order.transferable_lines:
            item = records.item_record(line, mapping_version=self.item_mapping_version)
            if item is not None:
                staged.append(item)
        staged.extend(order_rows)
        header = order_rows[0]
        for child in order_rows:
            if child.source_type == records.ORDER_PRODUCT:
                page.links.append((header.key, child.key, records.LINK_ORDER_LINE))
        page.add(staged, cursor)
        page.sources += 1

    async def _invoice(self, invoice: Invoice, page: _Page) -> None:
        if invoice.status == InvoiceStatus.CANCELED:
            await self._cancelled_invoice(invoice, page)
            return
        if invoice.status != InvoiceStatus.ACTIVE:
            return
        if invoice.invoice_date is not None and invoice.invoice_date < self.invoices_from:
            self._leave(f"invoice(s) dated before {self.invoices_from.isoformat()} left in Nue (go-live)")
            return
        orders = {detail.order_id for detail in invoice.details if detail.order_id}
        cancelled = cancelled_orders(invoice)
        # an invoice of a cancelled order is staged even when the order never reached NetSuite: it must
        # surface as action_needed for a person, not be left silently in Nue
        if not cancelled and (
            not orders or not orders <= await asyncio.to_thread(self._orders_known, orders)
        ):
            self._leave("invoice(s) of unmirrored orders left in Nue")
            return
        if invoice.is_negative:
            rows = records.credit_memo_records(invoice)
            returned = str(rows[0].payload.get("return_order_id") or "")
            if not await asyncio.to_thread(self._is_return, returned):
                # a credit of another origin has no return authorization to be created from
                self._leave("negative invoice(s) not billing a negative change order left in Nue")
                return
            page.links.append((rows[0].key, (NUE, records.ORDER, returned), records.LINK_RETURN))
        else:
            rows = records.invoice_records(invoice, await asyncio.to_thread(self._holders, invoice))
            if cancelled:
                rows = [records.with_payload(row, cancelled_orders=cancelled) for row in rows]
        for row in rows:
            for line in row.payload["lines"]:
                if line.get("order_product_id"):
                    child = (NUE, records.ORDER_PRODUCT, str(line["order_product_id"]))
                    page.links.append((row.key, child, records.LINK_INVOICE_LINE))
        page.add(rows, _cursor(invoice))
        page.sources += 1

    async def _credit_memo(self, memo: CreditMemo, page: _Page) -> None:
        if memo.status not in POSTED_MEMO_STATES:
            return
        if is_ledgerbridge_key(memo.idempotency_key, "cm"):
            # made in NetSuite and mirrored into Nue by erp-payments-to-billing: never echoed back
            return
        day = memo.credit_memo_date or memo.activated_date
        if day is not None and day < self.invoices_from:
            self._leave(f"credit memo(s) dated before {self.invoices_from.isoformat()} left in Nue (go-live)")
            return
        rows = records.credit_memo_rows(memo)
        credit = rows[-1]
        if len(rows) == 1:
            returned = str(credit.payload["return_order_id"])
            if not await asyncio.to_thread(self._is_return, returned):
                self._leave("credit memo(s) of negative changes that never reached NetSuite left in Nue")
                return
            page.links.append((credit.key, (NUE, records.ORDER, returned), records.LINK_RETURN))
        else:
            page.links.append((credit.key, rows[0].key, records.LINK_RETURN))
        # a product sold through an order is already staged with its full facts (its type); only a
        # product the hub has never seen is staged from the memo line
        items = [
            records.memo_item_record(item, mapping_version=self.item_mapping_version) for item in memo.items
        ]
        unknown = await asyncio.to_thread(self._unstaged, [row for row in items if row is not None])
        page.add(unknown, _cursor(memo))
        page.add(rows, _cursor(memo))
        page.sources += 1

    async def _cancelled_invoice(self, invoice: Invoice, page: _Page) -> None:
        """An invoice cancelled in Nue after it was staged but before it reached NetSuite (typically the
        fix for an invoice of a cancelled order): restage its waiting rows marked cancelled, so a
        ``hub retry`` resolves them as skipped instead of asking again."""
        rows = records.invoice_records(invoice, await asyncio.to_thread(self._holders, invoice))
        waiting = await asyncio.to_thread(self._untransferred, [row.key for row in rows])
        marked = [records.with_payload(row, invoice_cancelled=True) for row in rows if row.key in waiting]
        if marked:
            page.add(marked, _cursor(invoice))
            page.sources += 1

    def _unstaged(self, rows: Sequence[StagedRecord]) -> list[StagedRecord]:
        return [row for row in rows if self.hub.find(self.flow, *row.key) is None]

    def _untransferred(self, keys: Sequence[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        found = {key: self.hub.find(self.flow, *key) for key in keys}
        return {key for key, row in found.items() if row is not None and row.state is not State.TRANSFERRED}

    # ---- paging and committing ------------------------------------------------------------------------

    async def _run(self, stream: _Stream[R]) -> None:
        checkpoint = CheckpointedStream(self.hub, self.flow, stream.name, lookback=self.params.lookback)
        start = await asyncio.to_thread(checkpoint.start)
        page = _Page()
        async for record in stream.read(start):
            self.outcome.add(extracted=1)
            await stream.convert(record, page)
            page.last = _cursor(record)
            if page.sources >= PAGE:
                await self._commit(checkpoint, page)
                page = _Page()
        await self._commit(checkpoint, page)

    async def _commit(self, checkpoint: CheckpointedStream, page: _Page) -> None:
        await self._missing_customers(page)
        if self.dry_run:
            for row in page.staged:
                self.outcome.add_dry_run_payload(
                    target_system=row.target_system,
                    target_type=row.target_type,
                    external_id=row.external_id,
                    payload=row.payload,
                )
            return
        if page.staged:
            result = await asyncio.to_thread(checkpoint.commit, page.staged, page.cursors, run_id=self.run_id)
            self.outcome.add(staged=result.new + result.changed)
            if page.links:
                await asyncio.to_thread(self._link, page.links)
        if page.last is not None:
            await asyncio.to_thread(self._pass, checkpoint, page.last)

    def _pass(self, checkpoint: CheckpointedStream, last: Cursor) -> None:
        """Move the cursor past records read but deliberately not staged (drafts, customers without
        Customer Since...), after the page's staged records are durable: Nue stamps them again when they
        change, so they are read again then, and meanwhile they are not re-read on every run."""
        saved = checkpoint.saved()
        if saved is None or saved < last:
            self.hub.stage(self.flow, [], checkpoint=(checkpoint.stream, last.encode()))

    async def _missing_customers(self, page: _Page) -> None:
        """Stage the customer of every order whose customer is not in the hub yet (Customer Since unset)."""
        orders = [
            row
            for row in page.staged
            if row.source_type in (records.ORDER, records.CREDIT_RETURN, records.CREDIT_MEMO)
            and "customer_id" in row.payload
        ]
        wanted = sorted({str(row.payload["customer_id"]) for row in orders} - self._customers_checked)
        if not wanted:
            return
        known = await asyncio.to_thread(self._known_customers, wanted)
        for customer_id in wanted:
            self._customers_checked.add(customer_id)
            if customer_id in known:
                continue
            customer = await self.nue.get_customer(customer_id)
            if customer is None:
                continue  # the order fails when written, naming the unknown customer
            order_cursor = page.cursors[-1]
            page.add([self._customer_record(customer)], order_cursor)

    def _holders(self, invoice: Invoice) -> dict[str, str]:
        """Order product id → the order whose sales order holds it, for the lines this invoice bills."""
        found: dict[str, str] = {}
        for detail in invoice.details:
            if detail.order_product_id:
                row = self.hub.find(self.flow, NUE, records.ORDER_PRODUCT, detail.order_product_id)
                if row is not None and row.payload.get("holder"):
                    found[detail.order_product_id] = str(row.payload["holder"])
        return found

    def _is_return(self, order_id: str) -> bool:
        row = self.hub.find(self.flow, NUE, records.ORDER, order_id) if order_id else None
        return row is not None and row.target_type == "returnauthorization"

    def _orders_known(self, order_ids: set[str]) -> set[str]:
        # orders are committed before invoices are read, so the hub answers for this run's orders too
        return {key for key in order_ids if self.hub.find(self.flow, NUE, records.ORDER, key) is not None}

    def _known_customers(self, wanted: Sequence[str]) -> set[str]:
        return {key for key in wanted if self.hub.find(self.flow, NUE, records.CUSTOMER, key) is not None}

    def _link(self, links: Sequence[tuple[tuple[str, str, str], tuple[str, str, str], str]]) -> None:
        for parent_key, child_key, relation in links:
            parent = self.hub.find(self.flow, *parent_key)
            child = self.hub.find(self.flow, *child_key)
            if parent is not None and child is not None:
                self.hub.link(parent.id, child.id, relation)


def _cursor(record: NueRecord) -> Cursor:
    moment, tie = record.position
    return Cursor(moment, tie)


def _moment(start: Cursor | None) -> datetime | None:
    return None if start is None else start.moment


def _tie(start: Cursor | None) -> str:
    return "" if start is None else start.tie
