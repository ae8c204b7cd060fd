"""The sandbox kit on the Nue emulator (faults, limits, stats, reset, seeds, fixtures) and the demo seed."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from ledgerbridge.sandbox._kit.emulator import EmulatorContext
from ledgerbridge.sandbox.nue.app import create_app, get_emulator, sandbox_emulator
from ledgerbridge.sandbox.nue.settings import NueEmulatorSettings

from .support import API_KEY, Api, Book

D = Decimal


def test_injected_errors_come_in_nue_shape_and_are_counted(api: Api, control: Api) -> None:
    control.post("/faults", {"error_rate": 1, "seed": 7})
    response = api.http.get("/customers")
    assert response.status_code in (500, 503)
    body = response.json()
    assert body["status"] == "failure" and body["errorCode"] == "INTERNAL_ERROR" and body["errorId"]
    assert control.get("/stats")["faults_injected_total"] == 1
    control.post("/faults", {"error_rate": 0})
    assert api.http.get("/customers").status_code == 200


def test_throttling_and_the_rate_window_answer_429_with_retry_after(api: Api, control: Api) -> None:
    control.post("/faults", {"throttle_rate": 1, "seed": 1})
    throttled = api.http.get("/customers")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    assert throttled.json()["errorCode"] == "TOO_MANY_REQUESTS"
    control.post("/faults", {"throttle_rate": 0, "requests_per_minute": 2})
    codes = [api.http.get("/customers").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert control.get("/stats")["throttled_total"] == 2


def test_stats_count_requests_by_route_template(api: Api, book: Book) -> None:
    customer = book.customer()
    api.get(f"/customers/{customer}")
    api.get("/customers/nope", expect=404)
    stats = book.control.get("/stats")
    assert stats["requests_by_route"]["GET /customers/{customer_id}"] == 2
    assert stats["requests_by_route"]["POST /customers"] == 1
    assert stats["records"]["customers"] == 1


def test_a_dropped_response_after_commit_is_safe_to_resend_with_its_key(api: Api, book: Book) -> None:
    customer = book.customer()
    invoice = book.invoice(book.order(customer, book.line("PRO", 1, subscriptionTerm=1))["order"]["id"])
    body = {
        "payInvoices": [
            {
                "invoiceId": invoice["id"],
                "customerId": customer,
                "transactionAmount": 40,
                "idempotencyKey": "k",
            }
        ]
    }
    book.control.post("/faults", {"drop_response_after_commit_rate": 1, "seed": 3})
    with pytest.raises(httpx.TransportError):
        api.post("/billing/invoices:pay", body)
    book.control.post("/faults", {"drop_response_after_commit_rate": 0})
    replay = api.data("POST", "/billing/invoices:pay", body)
    assert replay["paymentApplications"][0]["duplicate"] is True
    assert api.data("GET", f"/invoices/{invoice['id']}")["balance"] == D("60.00")


def test_reset_returns_to_the_start_seed_and_named_seeds_load(api: Api, book: Book) -> None:
    book.customer()
    book.control.post("/reset")
    assert api.get("/customers")["pagination"]["total"] == 0
    assert api.get("/products")["pagination"]["total"] == 0
    book.control.post("/seed?name=demo")
    assert api.get("/customers")["pagination"]["total"] == 10
    assert "unknown seed" in book.control.post("/seed?name=nope", expect=400)["error"]


def test_fixtures_add_records_including_raw_ones(api: Api, control: Api) -> None:
    fixture = {
        "products": [{"name": "Pro", "sku": "PRO", "productType": "Subscription", "listPrice": 10}],
        "customers": [{"name": "Acme", "recordType": "Business"}],
        "raw": {
            "orders": [
                {
                    "id": "ghost-order",
                    "customerId": "gone",
                    "orderType": "NewOrder",
                    "status": "Activated",
                    "orderProducts": [],
                }
            ]
        },
    }
    loaded = control.post("/seed", fixture)["loaded"]
    assert loaded == {"products": 1, "customers": 1, "orders": 1}
    customer = api.data("GET", "/customers")[0]["id"]
    entry = api.data("GET", "/price-book-entries")[0]["id"]
    more = {
        "orders": [
            {
                "customer": {"id": customer},
                "orderProducts": [{"priceBookEntryId": entry, "quantity": 2}],
                "invoice": True,
            }
        ]
    }
    assert control.post("/seed", more)["loaded"] == {"orders": 1}
    assert api.data("GET", "/invoices")[0]["amount"] == D("240.00")
    assert api.data("GET", "/orders/ghost-order")["customerId"] == "gone"
    assert "unknown fixture keys" in control.post("/seed", {"invoices": []}, expect=400)["error"]
    assert (
        "CUSTOMER_NOT_FOUND"
        in control.post(
            "/seed",
            {
                "orders": [
                    {"customer": {"id": "x"}, "orderProducts": [{"priceBookEntryId": entry, "quantity": 1}]}
                ]
            },
            expect=400,
        )["error"]
    )


def test_demo_seed_is_six_months_of_a_saas_book() -> None:
    nue = get_emulator(create_app(NueEmulatorSettings(api_key=SecretStr(API_KEY), seed="demo")))
    store = nue.store
    assert len(store.rows("customers")) == 10
    assert {p["productType"] for p in store.rows("products")} == {"Subscription", "Entitlement", "Asset"}
    orders = store.rows("orders")
    kinds = Counter(o["orderType"] for o in orders)
    assert kinds["NewOrder"] >= 8 and kinds["ChangeOrder"] >= 6 and kinds["RenewalOrder"] >= 1
    change_types = {c["changeType"] for o in orders for c in o["assetChanges"]}
    assert change_types == {
        "UpdateQuantity",
        "UpdateTerm",
        "Renew",
        "CoTerm",
        "Cancel",
        "Upgrade",
        "Downgrade",
        "Swap",
    }
    assert {o["status"] for o in orders} == {"Activated", "Draft"}
    invoices = store.rows("invoices")
    assert any(i["amount"] == 0 for i in invoices)
    assert any(i["amount"] < 0 for i in invoices)
    assert any(i["isCatchUp"] for i in invoices)
    assert any(i["status"] == "Draft" for i in invoices)
    assert {i["paymentStatus"] for i in invoices} >= {"Paid", "PartiallyPaid", "Open"}
    assert store.rows("creditMemos")[0]["status"] == "Applied"
    today = store.clock.today()
    created = sorted(date.fromisoformat(o["createdDate"][:10]) for o in orders)
    assert today - timedelta(days=185) <= created[0] and created[-1] <= today
    assert created[-1] - created[0] >= timedelta(days=150)
    stamps = [e["createdDate"] for e in store.events]
    assert stamps == sorted(stamps)


def test_the_sandbox_factory_hands_out_the_api_key() -> None:
    build = sandbox_emulator(
        EmulatorContext(seed="empty", tls=False, credentials={"api_key": "fixed-key-0123"})
    )
    assert build.info == {"api_key": "fixed-key-0123", "tenant": "Ledgerbridge Sandbox SaaS"}
    assert (
        build.tls_hosts == ("api.nue.io", "api.sandbox.nue.io")
        and build.handle.store.counts()["customers"] == 0
    )
    random_key = sandbox_emulator(EmulatorContext(seed="demo", tls=False)).info["api_key"]
    assert random_key.startswith("nue-") and len(random_key) > 20
    with pytest.raises(ValueError, match="unknown seed"):
        sandbox_emulator(EmulatorContext(seed="galaxy", tls=False))
    with pytest.raises(ValueError, match="credential"):
        sandbox_emulator(EmulatorContext(seed="empty", tls=False, credentials={"password": "x"}))
