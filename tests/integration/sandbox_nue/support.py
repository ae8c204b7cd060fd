"""Helpers for the Nue emulator tests: a JSON client with exact Decimals, and a small catalog to sell."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from ledgerbridge.sandbox._kit.jsonbody import dumps, loads

API_KEY = "nue-test-key-0123456789abcdef"
D = Decimal
#: the tenant clock is frozen here (stamps still advance 1 ms per write) so dates in tests are fixed
TODAY = "2025-01-15"


class Api:
    """A thin JSON client: bodies go out with exact Decimals, answers come back with Decimals."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def call(
        self, method: str, path: str, body: Any = None, *, expect: int | None = 200, **kwargs: Any
    ) -> Any:
        content = dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else {}
        response = self.http.request(method, path, content=content, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.text)
        return loads(response.content) if response.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body if body is not None else {}, **kwargs)

    def data(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        answer = self.call(method, path, body, **kwargs)
        assert answer["status"] == "success", answer
        return answer["data"]


@dataclass
class Book:
    """A catalog (one product of each type, plus an upgrade target and a free one) and customers."""

    api: Api
    control: Api
    entries: dict[str, str] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, api: Api, control: Api) -> Book:
        book = cls(api, control)
        control.post("/nue/clock", {"now": f"{TODAY}T17:00:00Z"})
        products = api.data(
            "POST",
            "/products",
            [
                {"name": "Pro", "sku": "PRO", "productType": "Subscription", "listPrice": D("100")},
                {"name": "Enterprise", "sku": "ENT", "productType": "Subscription", "listPrice": D("150")},
                {"name": "Basic", "sku": "BASIC", "productType": "Subscription", "listPrice": D("50")},
                {"name": "Free Seat", "sku": "FREE", "productType": "Subscription", "listPrice": D("0")},
                {"name": "API Credits", "sku": "CRED", "productType": "Entitlement", "listPrice": D("1200")},
                {"name": "Token", "sku": "TOKEN", "productType": "Asset", "listPrice": D("45.50")},
            ],
        )
        entries = api.data("GET", "/price-book-entries", params={"limit": 500})
        by_product = {e["productId"]: e["id"] for e in entries}
        for product in products:
            book.products[product["sku"]] = product["id"]
            book.entries[product["sku"]] = by_product[product["id"]]
        return book

    def customer(self, name: str = "Acme", **fields: Any) -> str:
        created = self.api.data("POST", "/customers", [{"name": name, "recordType": "Business", **fields}])
        return str(created[0]["id"])

    def line(self, sku: str, quantity: int | Decimal = 1, **extra: Any) -> dict[str, Any]:
        return {"priceBookEntryId": self.entries[sku], "quantity": quantity, **extra}

    def draft(self, customer: str, *lines: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        body = {"customer": {"id": customer}, "orderProducts": list(lines), **extra}
        return dict(self.api.data("POST", "/orders", body)["order"])

    def activate(self, order_id: str, **options: Any) -> dict[str, Any]:
        return dict(self.api.data("POST", f"/orders/{order_id}", {"options": options}))

    def order(self, customer: str, *lines: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        """Create and activate; returns the activation answer (order, assets, invoices)."""
        return self.activate(self.draft(customer, *lines, **extra)["id"])

    def change(self, *changes: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        """Create a change order and activate it; returns the activation answer."""
        draft = self.api.data("POST", "/change-orders", {"assetChanges": list(changes), **extra})["order"]
        return dict(self.api.data("POST", f"/change-orders/{draft['id']}", {}))

    def invoice(self, order_id: str, **body: Any) -> dict[str, Any]:
        answer = self.control.post(f"/nue/orders/{order_id}/invoice", {"activate": True, **body})
        return dict(answer.get("invoice") or answer["creditMemo"])

    def asset_number(self, activation: Mapping[str, Any], sku: str) -> str:
        return str(next(a["assetNumber"] for a in activation["assets"] if a["productSku"] == sku))
