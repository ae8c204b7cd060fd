"""Connector reads against the emulator's demo book: every stream, incremental resumption from a cursor
without loss, records changing mid-read, shared timestamps, the change feed, gets by id, request counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ledgerbridge.connectors.nue import (
    ChangeOrder,
    Invoice,
    NueClient,
    OrderType,
    PaymentRequest,
    ProductType,
)
from ledgerbridge.sandbox.nue import catalog, payments

from .conftest import API_KEY, Tenant
from .helpers import customer_with_invoices


def _ids(rows: list[Any]) -> set[str]:
    return {row["id"] if isinstance(row, dict) else row.id for row in rows}


@pytest.mark.parametrize("client_overrides", [{"page_size": 4}])
async def test_every_stream_reads_the_whole_book(tenant: Tenant, nue: NueClient) -> None:
    store = tenant.store
    customers = [c async for c in nue.customers()]
    assert _ids(customers) == _ids(store.rows("customers")) and len(customers) == 10
    products = [p async for p in nue.products()]
    assert {p.product_type for p in products} == set(ProductType)
    assert len([e async for e in nue.price_book_entries()]) == len(store.rows("priceBookEntries"))
    orders = [o async for o in nue.orders()]
    assert _ids(orders) == _ids(store.rows("orders"))
    changes = [o async for o in nue.change_orders()]
    assert changes and all(isinstance(o, ChangeOrder) and o.order_type != OrderType.NEW for o in changes)
    assert any(o.is_renewal for o in changes) and any(o.is_negative for o in changes)
    invoices = [i async for i in nue.invoices()]
    assert _ids(invoices) == _ids(store.rows("invoices"))
    assert all(i.items and i.details for i in invoices if i.amount != 0)
    paid = [i for i in invoices if i.applications()]
    assert paid and all(isinstance(i, Invoice) for i in paid)
    assert len([m async for m in nue.credit_memos()]) == len(store.rows("creditMemos"))
    assert len([s async for s in nue.subscriptions()]) == len(store.rows("subscriptions"))
    assert len([e async for e in nue.entitlements()]) == len(store.rows("entitlements"))
    assert len([a async for a in nue.assets()]) == len(store.rows("assets"))
    stamps = [c.position for c in customers]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize("client_overrides", [{"page_size": 3}])
async def test_an_incremental_read_resumes_from_its_cursor_without_loss(
    tenant: Tenant, nue: NueClient
) -> None:
    store = tenant.store
    processed: dict[str, Invoice] = {}
    cursor: tuple[datetime, str] | None = None
    async for invoice in nue.invoices():
        processed[invoice.id] = invoice
        cursor = invoice.position
        if len(processed) == 5:
            break  # the run stops here (a crash, a limit); its checkpoint is the last record it finished
    assert cursor is not None
    # meanwhile: an invoice already read is paid, one not yet read is paid, and a new one appears
    invoices = store.rows("invoices")
    open_ones = [i for i in invoices if i["status"] == "Active" and i["amount"] > 0 and i["balance"] > 0]
    earlier = next(i for i in open_ones if i["id"] in processed)
    later = next(i for i in open_ones if i["id"] not in processed)
    for invoice in (earlier, later):
        payments.pay_invoices(
            store,
            {
                "payInvoices": [
                    {"invoiceId": invoice["id"], "customerId": invoice["customerId"], "transactionAmount": 1}
                ]
            },
        )
    resumed = [i async for i in nue.invoices(cursor[0], after_id=cursor[1])]
    assert not _ids(resumed) & (set(processed) - {earlier["id"]})
    for invoice in resumed:
        processed[invoice.id] = invoice
    assert set(processed) == _ids(store.rows("invoices"))
    assert processed[earlier["id"]].balance == earlier["balance"]
    assert processed[later["id"]].balance == later["balance"]
    # with a lookback overlap the read starts earlier: records may repeat, none are missed
    overlap = [i async for i in nue.invoices(cursor[0] - timedelta(days=400))]
    assert _ids(overlap) == _ids(store.rows("invoices"))


@pytest.mark.parametrize("client_overrides", [{"page_size": 2}])
async def test_records_changed_during_a_read_are_met_again(tenant: Tenant, nue: NueClient) -> None:
    store = tenant.store
    seen: list[tuple[str, str | None]] = []
    first_id: str | None = None
    async for customer in nue.customers():
        seen.append((customer.id, customer.phone))
        first_id = first_id or customer.id
        if len(seen) == 3:
            catalog.update_customer(store, first_id, {"phone": "555-0100"})
    assert {key for key, _ in seen} == _ids(store.rows("customers"))
    assert seen[-1] == (first_id, "555-0100")


@pytest.mark.parametrize("emulator_overrides", [{"seed": "empty", "unique_timestamps": False}])
@pytest.mark.parametrize("client_overrides", [{"page_size": 3}])
async def test_records_sharing_one_timestamp_are_each_read_once(tenant: Tenant, nue: NueClient) -> None:
    store = tenant.store
    store.clock.freeze(datetime(2025, 3, 1, 12, tzinfo=UTC))
    catalog.create_customers(store, [{"name": f"C{i}", "recordType": "Business"} for i in range(8)])
    store.clock.freeze(datetime(2025, 3, 1, 12, 0, 1, tzinfo=UTC))
    catalog.create_customers(store, [{"name": "Later", "recordType": "Consumer"}])
    everything = [c async for c in nue.customers()]
    assert len(everything) == 9 and len({c.id for c in everything}) == 9
    assert len({c.last_modified_date for c in everything[:8]}) == 1
    middle = everything[4]
    rest = [c async for c in nue.customers(middle.last_modified_date, after_id=middle.id)]
    assert [c.id for c in rest] == [c.id for c in everything[5:]]


@pytest.mark.parametrize("emulator_overrides", [{"seed": "demo", "last_modified_filter": False}])
@pytest.mark.parametrize("client_overrides", [{"last_modified_filter": False, "page_size": 5}])
async def test_without_the_filter_the_client_scans_and_filters_locally(
    tenant: Tenant, nue: NueClient
) -> None:
    orders = [o async for o in nue.orders()]
    pivot = orders[6]
    later = [o async for o in nue.orders(pivot.last_modified_date, after_id=pivot.id)]
    assert [o.id for o in later] == [o.id for o in orders[7:]]


@pytest.mark.parametrize("client_overrides", [{"incremental_mode": "scan", "page_size": 5}])
async def test_scan_mode_reads_the_same_records(tenant: Tenant, nue: NueClient) -> None:
    orders = [o async for o in nue.orders()]
    assert _ids(orders) == _ids(tenant.store.rows("orders"))
    pivot = sorted(orders, key=lambda o: o.position)[3]
    later = [o async for o in nue.orders(pivot.last_modified_date, after_id=pivot.id)]
    assert [o.position for o in later] == sorted(o.position for o in orders if o.position > pivot.position)


@pytest.mark.parametrize("client_overrides", [{"page_size": 40}])
async def test_the_change_feed_resumes_from_a_sequence(tenant: Tenant, nue: NueClient) -> None:
    events = [e async for e in nue.events()]
    assert [e.sequence for e in events] == list(range(1, tenant.store.sequence + 1))
    assert [e.created_date for e in events] == sorted(e.created_date for e in events)
    page = await nue.events_page(events[-10].sequence, limit=4)
    assert [e.sequence for e in page.events] == [e.sequence for e in events[-9:-5]]
    assert page.has_more and page.last_sequence == events[-6].sequence
    activated = [e async for e in nue.events(types=["order.activated"])]
    assert activated and all(
        e.type == "order.activated" and e.data["status"] == "Activated" for e in activated
    )
    catalog.create_customers(tenant.store, [{"name": "New", "recordType": "Business"}])
    newer = [e async for e in nue.events(events[-1].sequence)]
    assert [(e.type, e.data["name"]) for e in newer] == [("customer.created", "New")]


async def test_get_by_id(tenant: Tenant, nue: NueClient) -> None:
    store = tenant.store
    invoice_row = next(i for i in store.rows("invoices") if i["paymentStatus"] == "PartiallyPaid")
    invoice = await nue.get_invoice(invoice_row["id"])
    assert invoice is not None and invoice.balance == invoice_row["balance"] and invoice.applications()
    assert await nue.get_invoice("missing") is None
    assert await nue.get_customer("missing") is None
    customer = await nue.get_customer(invoice_row["customerId"])
    assert customer is not None and customer.name
    sub = store.rows("subscriptions")[0]
    by_number = await nue.get_subscription(sub["assetNumber"])
    assert by_number is not None and by_number.id == sub["id"]
    order = await nue.get_order(sub["orderId"])
    assert order is not None and order.order_products
    change = next(o for o in store.rows("orders") if o["orderType"] != "NewOrder")
    assert (await nue.get_change_order(change["id"])) is not None
    assert await nue.get_change_order(order.id) is None
    product = await nue.get_product(sub["productId"])
    assert product is not None and await nue.get_price_book_entry(sub["priceBookEntryId"]) is not None
    memo = store.rows("creditMemos")[0]
    assert (await nue.get_credit_memo(memo["id"])) is not None
    assert [m.id for m in await nue.credit_memos_for_invoice(memo["sourceInvoiceId"])] == [memo["id"]]
    assert (await nue.get_entitlement(store.rows("entitlements")[0]["assetNumber"])) is not None
    assert (await nue.get_asset(store.rows("assets")[0]["id"])) is not None


@pytest.mark.parametrize("emulator_overrides", [{"seed": "empty"}])
@pytest.mark.parametrize("client_overrides", [{"page_size": 2}])
async def test_requests_are_counted_by_kind(tenant: Tenant, nue: NueClient) -> None:
    catalog.create_customers(tenant.store, [{"name": f"C{i}", "recordType": "Business"} for i in range(4)])
    customer, (invoice,) = customer_with_invoices(tenant.store, 10)
    customers = [c async for c in nue.customers()]
    # pages of 2, each restarting from the last record of the one before: [c0 c1] [c1 c2] [c2 c3] ...
    lists = nue.requests_sent["list"]
    assert len(customers) == 5 and lists >= 3
    await nue.get_customer(customer)
    await nue.get_customer("missing")
    await nue.pay_invoices([PaymentRequest(invoice["id"], customer, Decimal("1.00"), "PMT-1")])
    assert nue.requests_sent.as_dict() == {"read": 2, "list": lists, "write": 1, "total": lists + 3}
    assert tenant.control("/stats")["requests_total"] == nue.requests_sent.total


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport the way the engine's limiter does, and counts what passes."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        assert request.headers["nue-api-key"] == API_KEY
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("emulator_overrides", [{"seed": "empty"}])
async def test_every_request_goes_through_the_injected_transport(tenant: Tenant) -> None:
    transport = CountingTransport()
    customer, (invoice,) = customer_with_invoices(tenant.store, 10)
    async with NueClient(tenant.settings(page_size=2), transport=transport) as client:
        [c async for c in client.customers()]
        [e async for e in client.events()]
        await client.get_invoice(invoice["id"])
        await client.pay_invoices([PaymentRequest(invoice["id"], customer, Decimal("1"), "P-t")])
        sent = client.requests_sent.total
    assert len(transport.seen) == sent == tenant.control("/stats")["requests_total"]
    assert "POST /billing/invoices:pay" in transport.seen and "GET /events" in transport.seen
