"""The change feed (sequence + timestamp, resumable from a cursor) and webhook delivery to a loopback
subscriber, over real HTTP on both sides."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.support.servers import serve

from .support import Api, Book


class Receiver:
    """A webhook subscriber that records what it is sent; it can fail the first ``failures`` attempts."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> PlainTextResponse:
        body = await request.body()
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                return PlainTextResponse("try later", status_code=503)
            self.received.append((dict(request.headers), body))
        return PlainTextResponse("ok")

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} deliveries, got {len(self.received)}")


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    hook = Receiver()
    with serve(hook.app) as url:
        yield hook, f"{url}/hook"


def test_events_have_increasing_sequences_and_stamps_and_resume_from_a_cursor(api: Api, book: Book) -> None:
    customer = book.customer()
    book.order(customer, book.line("PRO"))
    everything = api.get("/events", params={"limit": 500})
    events = everything["data"]
    assert everything["pagination"]["hasMore"] is False
    sequences = [e["sequence"] for e in events]
    assert sequences == list(range(1, len(events) + 1))
    stamps = [e["createdDate"] for e in events]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    types = [e["type"] for e in events]
    assert types[-3:] == ["order.created", "subscription.created", "order.activated"]
    assert events[-1]["data"]["status"] == "Activated" and events[-3]["data"]["status"] == "Draft"

    first = api.get("/events", params={"limit": 4})
    assert [e["sequence"] for e in first["data"]] == [1, 2, 3, 4]
    assert first["pagination"] == {"limit": 4, "hasMore": True, "lastSequence": 4}
    rest = api.get("/events", params={"afterSequence": 4, "limit": 500})
    assert [e["sequence"] for e in rest["data"]] == sequences[4:]
    assert rest["pagination"]["lastSequence"] == sequences[-1]
    nothing = api.get("/events", params={"afterSequence": sequences[-1]})
    assert nothing["data"] == [] and nothing["pagination"]["lastSequence"] == sequences[-1]


def test_event_type_filter_moves_the_cursor_past_other_events(api: Api, book: Book) -> None:
    customer = book.customer()
    book.order(customer, book.line("PRO"))
    head = api.get("/events", params={"limit": 500})["pagination"]["lastSequence"]
    only = api.get("/events", params={"types": "order.activated,customer.created"})
    assert [e["type"] for e in only["data"]] == ["customer.created", "order.activated"]
    assert only["pagination"]["lastSequence"] == head
    assert api.get("/events", params={"afterSequence": "x"}, expect=400)["errorCode"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("settings_overrides", [{"event_retention": 10}])
def test_a_cursor_older_than_the_retained_events_is_410(api: Api, book: Book) -> None:
    for i in range(4):
        book.customer(f"C{i}")  # the catalog already wrote more than 10 events
    expired = api.get("/events", params={"afterSequence": 0}, expect=410)
    assert expired["errorCode"] == "CURSOR_EXPIRED"
    head = api.get("/events", params={"afterSequence": 15})["pagination"]["lastSequence"]
    assert head >= 16


def test_webhook_delivers_signed_events_of_the_subscribed_types(
    api: Api, book: Book, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    customer = book.customer()
    webhook = api.data(
        "POST",
        "/webhooks",
        {"url": url, "eventTypes": ["order.activated", "invoice.activated"], "secret": "s3cret-value"},
    )
    assert webhook["signed"] is True and "secret" not in webhook
    activation = book.order(customer, book.line("PRO"))
    book.invoice(activation["order"]["id"])
    deliveries = hook.wait_for(2)
    payloads = [json.loads(body) for _, body in deliveries]
    assert [p["type"] for p in payloads] == ["order.activated", "invoice.activated"]
    assert payloads[0]["data"]["id"] == activation["order"]["id"] and payloads[0]["objectType"] == "order"
    assert payloads[0]["sequence"] < payloads[1]["sequence"]
    headers, body = deliveries[0]
    expected = "sha256=" + hmac.new(b"s3cret-value", body, hashlib.sha256).hexdigest()
    assert headers["x-nue-signature"] == expected
    assert headers["x-nue-event-type"] == "order.activated"
    log = book.control.get("/nue/webhook-deliveries")["deliveries"]
    assert [(d["type"], d["outcome"], d["attempts"]) for d in log] == [
        ("order.activated", "delivered", 1),
        ("invoice.activated", "delivered", 1),
    ]
    listed = api.data("GET", "/webhooks")
    assert listed[0]["lastDeliveredSequence"] >= payloads[1]["sequence"]


def test_failed_deliveries_are_retried(api: Api, book: Book) -> None:
    hook = Receiver(failures=1)
    with serve(hook.app) as url:
        api.data("POST", "/webhooks", {"url": f"{url}/hook", "eventTypes": ["customer.created"]})
        book.customer("Acme")
        [(headers, body)] = hook.wait_for(1)
    assert json.loads(body)["data"]["name"] == "Acme"
    assert headers["x-nue-delivery-attempt"] == "2"
    assert "x-nue-signature" not in headers


def test_deleted_webhooks_get_nothing_more(api: Api, book: Book, receiver: tuple[Receiver, str]) -> None:
    hook, url = receiver
    webhook = api.data("POST", "/webhooks", {"url": url, "eventTypes": ["customer.created"]})
    book.customer("First")
    hook.wait_for(1)
    api.data("DELETE", f"/webhooks/{webhook['id']}")
    book.customer("Second")
    time.sleep(0.3)
    assert [json.loads(body)["data"]["name"] for _, body in hook.received] == ["First"]


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5/hook", "http://localhost:9/hook", "ftp://127.0.0.1/x", "not a url"]
)
def test_webhooks_may_only_target_loopback(api: Api, url: str) -> None:
    answer: dict[str, Any] = api.post("/webhooks", {"url": url}, expect=400)
    assert answer["errorCode"] == "VALIDATION_ERROR"
