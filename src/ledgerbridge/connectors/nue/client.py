"""``NueClient``: the one object flows use to talk to a Nue tenant.

Reads are async iterators — whole lists, or incremental from a cursor ``(lastModifiedDate, id)`` — and
``get_*`` by id (``None`` when Nue has no such record). Writes are the applications of payments and credit
memos (keyed, so each applies once), credit memos made elsewhere, and cancellations. Every request goes
through one ``httpx.AsyncClient`` on the injected transport, so the engine's limiter sees them all, and is
counted by kind in :attr:`NueClient.requests_sent`.

    async with NueClient(settings, transport=limited) as nue:
        async for invoice in nue.invoices(since=checkpoint.moment, after_id=checkpoint.tie):
            ...
        paid = await nue.pay_invoices([PaymentRequest(inv.id, inv.customer_id, Decimal("100.00"), "PMT-7")])
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ledgerbridge.errors import Fatal, RecordRejected

from . import paging
from .config import NueSettings
from .counts import RequestCounts, RequestKind
from .errors import DuplicateRequest
from .records import (
    Asset,
    ChangeOrder,
    CreditApplication,
    CreditMemo,
    Customer,
    Entitlement,
    Event,
    Invoice,
    NueModel,
    Order,
    Payment,
    PaymentApplication,
    PriceBookEntry,
    Product,
    Subscription,
    Webhook,
)
from .session import NueSession, envelope_data
from .writes import CreditMemoRequest, CreditRequest, CreditResult, FeedPage, PaymentRequest, PaymentResult

M = TypeVar("M", bound=NueModel)
#: extra list filters: ``{"status": "Active"}`` or ``[("balance", ">", "0")]``
Filters = Mapping[str, str] | Sequence[tuple[str, str, str]] | None
INVOICE_INCLUDES = ("paymentApplications",)


def _terms(filters: Filters) -> list[paging.Term]:
    if filters is None:
        return []
    if isinstance(filters, Mapping):
        return [(str(k), "=", str(v)) for k, v in filters.items()]
    return [(str(f), str(op), str(v)) for f, op, v in filters]


class NueClient:
    """Async client for one Nue tenant, counted per request kind."""

    def __init__(self, settings: NueSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._session = NueSession(settings, transport=transport)

    async def __aenter__(self) -> NueClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()

    @property
    def requests_sent(self) -> RequestCounts:
        """Requests sent so far by kind (read, list, write) — every attempt counts."""
        return self._session.requests_sent

    # --- plumbing ---------------------------------------------------------------------------------------
    async def _data(self, kind: RequestKind, method: str, path: str, **kwargs: Any) -> Any:
        body = await self._session.send(kind, method, path, **kwargs)
        return envelope_data(body, f"Nue {method} {path}")

    def _fetcher(self, path: str) -> paging.Fetch:
        async def fetch(query: paging.Params) -> tuple[list[paging.Row], int | None]:
            body = await self._session.send(RequestKind.LIST, "GET", path, query=query)
            rows = envelope_data(body, f"Nue GET {path}")
            if not isinstance(rows, list):
                raise Fatal(f"Nue GET {path}: expected a list in data")
            pagination = body.get("pagination") if isinstance(body, Mapping) else None
            total = pagination.get("total") if isinstance(pagination, Mapping) else None
            return rows, int(total) if isinstance(total, int) else None

        return fetch

    async def _stream(
        self,
        path: str,
        model: type[M],
        *,
        since: datetime | None,
        after_id: str,
        filters: Filters,
        extra: Sequence[paging.Term] = (),
    ) -> AsyncIterator[M]:
        fetch = self._fetcher(path)
        terms = [*extra, *_terms(filters)]
        size = self.settings.page_size
        position = (since, after_id) if since is not None else None
        rows: AsyncIterator[paging.Row]
        if self.settings.incremental_mode == "keyset" and self.settings.last_modified_filter:
            rows = paging.keyset_rows(
                fetch, since=position, page_size=size, sort_param=self.settings.sort_param, filters=terms
            )
        else:
            rows = paging.scan_rows(
                fetch,
                since=position,
                page_size=size,
                use_filter=self.settings.last_modified_filter,
                filters=terms,
            )
        async for row in rows:
            yield model.model_validate(row)

    async def _get(self, path: str, model: type[M], query: Sequence[paging.Term] = ()) -> M | None:
        try:
            data = await self._data(RequestKind.READ, "GET", path, query=query)
        except RecordRejected as exc:
            if exc.vendor_code == "NOT_FOUND":
                return None
            raise
        return model.model_validate(data)

    # --- incremental reads ---------------------------------------------------------------------------
    def customers(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[Customer]:
        """Customers changed after ``(since, after_id)`` (all without ``since``), oldest change first."""
        return self._stream("/customers", Customer, since=since, after_id=after_id, filters=filters)

    def products(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[Product]:
        return self._stream("/products", Product, since=since, after_id=after_id, filters=filters)

    def price_book_entries(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[PriceBookEntry]:
        return self._stream(
            "/price-book-entries", PriceBookEntry, since=since, after_id=after_id, filters=filters
        )

    def orders(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[Order]:
        """Orders of every type (new, change, renewal) with their order products."""
        return self._stream("/orders", Order, since=since, after_id=after_id, filters=filters)

    def change_orders(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[ChangeOrder]:
        """Change and renewal orders only, with their asset changes and order products."""
        return self._stream("/change-orders", ChangeOrder, since=since, after_id=after_id, filters=filters)

    def subscriptions(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[Subscription]:
        return self._stream("/subscriptions", Subscription, since=since, after_id=after_id, filters=filters)

    def entitlements(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[Entitlement]:
        return self._stream("/entitlements", Entitlement, since=since, after_id=after_id, filters=filters)

    def assets(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[Asset]:
        return self._stream("/assets", Asset, since=since, after_id=after_id, filters=filters)

    def invoices(
        self,
        since: datetime | None = None,
        *,
        after_id: str = "",
        filters: Filters = None,
        includes: Iterable[str] = INVOICE_INCLUDES,
    ) -> AsyncIterator[Invoice]:
        """Invoices with items and item details (and, by default, their payment/credit applications)."""
        extra = [("includes", "=", ",".join(includes))] if includes else []
        return self._stream(
            "/invoices", Invoice, since=since, after_id=after_id, filters=filters, extra=extra
        )

    def credit_memos(
        self, since: datetime | None = None, *, after_id: str = "", filters: Filters = None
    ) -> AsyncIterator[CreditMemo]:
        return self._stream("/credit-memos", CreditMemo, since=since, after_id=after_id, filters=filters)

    async def events_page(
        self, after_sequence: int = 0, *, limit: int | None = None, types: Iterable[str] | None = None
    ) -> FeedPage:
        """One read of the change feed after ``after_sequence``."""
        query: list[paging.Term] = [
            ("afterSequence", "=", str(after_sequence)),
            ("limit", "=", str(limit or self.settings.page_size)),
        ]
        wanted = ",".join(types or ())
        if wanted:
            query.append(("types", "=", wanted))
        body = await self._session.send(RequestKind.LIST, "GET", "/events", query=query)
        rows = envelope_data(body, "Nue GET /events")
        pagination = body.get("pagination") or {}
        return FeedPage(
            events=[Event.model_validate(row) for row in rows],
            has_more=bool(pagination.get("hasMore")),
            last_sequence=int(pagination.get("lastSequence", after_sequence)),
        )

    async def events(
        self, after_sequence: int = 0, *, types: Iterable[str] | None = None
    ) -> AsyncIterator[Event]:
        """Every event after ``after_sequence`` in sequence order (resume from the last ``sequence``)."""
        wanted = list(types or ())
        cursor = after_sequence
        while True:
            page = await self.events_page(cursor, types=wanted)
            for event in page.events:
                yield event
            cursor = page.last_sequence
            if not page.has_more:
                return

    # --- one record ----------------------------------------------------------------------------------------
    async def get_customer(self, customer_id: str) -> Customer | None:
        return await self._get(f"/customers/{customer_id}", Customer)

    async def get_product(self, product_id: str) -> Product | None:
        return await self._get(f"/products/{product_id}", Product)

    async def get_price_book_entry(self, entry_id: str) -> PriceBookEntry | None:
        return await self._get(f"/price-book-entries/{entry_id}", PriceBookEntry)

    async def get_order(self, order_id: str) -> Order | None:
        return await self._get(f"/orders/{order_id}", Order)

    async def get_change_order(self, order_id: str) -> ChangeOrder | None:
        return await self._get(f"/change-orders/{order_id}", ChangeOrder)

    async def get_subscription(self, id_or_number: str) -> Subscription | None:
        return await self._get(f"/subscriptions/{id_or_number}", Subscription)

    async def get_entitlement(self, id_or_number: str) -> Entitlement | None:
        return await self._get(f"/entitlements/{id_or_number}", Entitlement)

    async def get_asset(self, id_or_number: str) -> Asset | None:
        return await self._get(f"/assets/{id_or_number}", Asset)

    async def get_invoice(
        self, invoice_id: str, *, includes: Iterable[str] = INVOICE_INCLUDES
    ) -> Invoice | None:
        wanted = ",".join(includes)
        query = [("includes", "=", wanted)] if wanted else []
        return await self._get(f"/invoices/{invoice_id}", Invoice, query)

    async def get_credit_memo(self, memo_id: str) -> CreditMemo | None:
        return await self._get(f"/credit-memos/{memo_id}", CreditMemo)

    async def credit_memos_for_invoice(self, invoice_id: str) -> list[CreditMemo]:
        """Credit memos raised against or applied to an invoice (a bare ``{"creditMemos": [...]}`` answer)."""
        body = await self._session.send(
            RequestKind.READ, "GET", f"/billing/invoices/{invoice_id}/credit-memos"
        )
        rows = body.get("creditMemos") if isinstance(body, Mapping) else None
        return [CreditMemo.model_validate(row) for row in rows or ()]

    # --- writes -------------------------------------------------------------------------------------------
    async def pay_invoices(self, requests: Sequence[PaymentRequest]) -> PaymentResult:
        """Apply payment lines to invoices, each once (by its key); applications come in request order."""
        path = self.settings.action_path("invoices", "pay")
        keyed = [(r.key, r.body()) for r in requests]
        applied, answers = await self._apply(path, "payInvoices", "paymentApplications", keyed)
        return PaymentResult(
            applications=[PaymentApplication.model_validate(applied[key]) for key, _ in keyed],
            payments=[Payment.model_validate(p) for a in answers for p in a.get("payments", ())],
            invoices=_latest(Invoice, (i for a in answers for i in a.get("invoices", ()))),
        )

    async def apply_credit_memos(self, requests: Sequence[CreditRequest]) -> CreditResult:
        """Apply credit memo amounts to invoices, each once (by its key)."""
        return await self._credit("apply", "credit", requests)

    async def unapply_credit_memos(self, requests: Sequence[CreditRequest]) -> CreditResult:
        """Reverse credit applications, each once (keys of their own, distinct from the applying ones)."""
        return await self._credit("unapply", "uncredit", requests)

    async def _credit(self, verb: str, kind: str, requests: Sequence[CreditRequest]) -> CreditResult:
        path = self.settings.action_path("credit-memos", verb)
        keyed = [(r.key(kind), r.body(kind)) for r in requests]
        applied, answers = await self._apply(path, "appliedInvoices", "creditApplications", keyed)
        return CreditResult(
            applications=[CreditApplication.model_validate(applied[key]) for key, _ in keyed],
            credit_memos=_latest(CreditMemo, (m for a in answers for m in a.get("creditMemos", ()))),
            invoices=_latest(Invoice, (i for a in answers for i in a.get("invoices", ()))),
        )

    async def _apply(
        self, path: str, list_key: str, result_key: str, keyed: list[tuple[str, dict[str, Any]]]
    ) -> tuple[dict[str, dict[str, Any]], list[Mapping[str, Any]]]:
        """Send keyed entries in batches; a 409 DUPLICATE_REQUEST gives the earlier results of the keys it
        names, and the rest are sent again — so a replay is never an error (DESIGN §4.1)."""
        keys = [key for key, _ in keyed]
        repeated = {key for key in keys if keys.count(key) > 1}
        if repeated:
            raise RecordRejected(
                f"the same application was requested twice in one call: {sorted(repeated)[0]}"
            )
        applied: dict[str, dict[str, Any]] = {}
        answers: list[Mapping[str, Any]] = []
        size = self.settings.write_batch_size
        for start in range(0, len(keyed), size):
            pending = keyed[start : start + size]
            while pending:
                try:
                    data = await self._data(
                        RequestKind.WRITE, "POST", path, json={list_key: [b for _, b in pending]}
                    )
                except DuplicateRequest as exc:
                    known = {str(d.get("idempotencyKey")): {**d, "duplicate": True} for d in exc.duplicates}
                    if not known.keys() & {key for key, _ in pending}:
                        raise  # Nue names none of ours: do not loop
                    applied.update(known)
                    pending = [(key, body) for key, body in pending if key not in known]
                    continue
                answers.append(data)
                for row in data.get(result_key, ()):
                    applied[str(row.get("idempotencyKey"))] = row
                pending = []
        missing = [key for key in keys if key not in applied]
        if missing:
            raise Fatal(f"Nue POST {path}: no result for idempotency key {missing[0]} (a broken contract)")
        return applied, answers

    async def create_credit_memo(self, request: CreditMemoRequest) -> CreditMemo:
        """A credit memo for one made elsewhere; once per source (a repeat returns the first one)."""
        try:
            data = await self._data(RequestKind.WRITE, "POST", "/credit-memos", json=request.body())
        except DuplicateRequest as exc:
            if not exc.duplicates:
                raise
            data = exc.duplicates[0]
        return CreditMemo.model_validate(data)

    async def activate_invoices(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        data = await self._data(
            RequestKind.WRITE,
            "POST",
            self.settings.action_path("invoices", "activate"),
            json={"invoiceIds": list(invoice_ids)},
        )
        return [Invoice.model_validate(row) for row in data.get("invoices", ())]

    async def cancel_invoices(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        """Cancel invoices; one already cancelled stays so (Nue answers with a warning, not an error)."""
        data = await self._data(
            RequestKind.WRITE,
            "POST",
            self.settings.action_path("invoices", "cancel"),
            json={"invoiceIds": list(invoice_ids)},
        )
        return [Invoice.model_validate(row) for row in data.get("invoices", ())]

    async def cancel_credit_memos(self, memo_ids: Sequence[str]) -> list[CreditMemo]:
        data = await self._data(
            RequestKind.WRITE,
            "POST",
            self.settings.action_path("credit-memos", "cancel"),
            json={"creditMemoIds": list(memo_ids)},
        )
        return [CreditMemo.model_validate(row) for row in data.get("creditMemos", ())]

    async def register_webhook(
        self, url: str, *, event_types: Sequence[str] = ("*",), secret: str | None = None
    ) -> Webhook:
        body: dict[str, Any] = {"url": url, "eventTypes": list(event_types)}
        if secret is not None:
            body["secret"] = secret
        return Webhook.model_validate(await self._data(RequestKind.WRITE, "POST", "/webhooks", json=body))

    async def delete_webhook(self, webhook_id: str) -> None:
        await self._data(RequestKind.WRITE, "DELETE", f"/webhooks/{webhook_id}")


def _latest(model: type[M], rows: Iterable[Mapping[str, Any]]) -> list[M]:
    """One record per id, the last answer winning (a batch may touch one invoice twice)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        latest[str(row.get("id"))] = row
    return [model.model_validate(row) for row in latest.values()]
