"""Change orders of every type: the order products they create against existing subscriptions, entitlements
and assets, and what activation does to those."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from .support import Api, Book

D = Decimal


class Deal:
    """Acme's original order (2025-01-01, 12 months): 10 Pro seats, 2 API credit packs, 4 tokens."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.customer = book.customer("Acme")
        start = {"subscriptionStartDate": "2025-01-01"}
        answer = book.order(
            self.customer,
            book.line("PRO", 10, subscriptionTerm=12, **start),
            book.line("CRED", 2, subscriptionTerm=12, **start),
            book.line("TOKEN", 4, **start),
        )
        self.order = answer["order"]
        self.sub = book.asset_number(answer, "PRO")
        self.ent = book.asset_number(answer, "CRED")
        self.token = book.asset_number(answer, "TOKEN")

    def change(self, change_type: str, asset: str, **fields: Any) -> dict[str, Any]:
        return self.book.change({"changeType": change_type, "assetNumber": asset, **fields})

    def line_of(self, sku: str) -> dict[str, Any]:
        return next(line for line in self.order["orderProducts"] if line["productSku"] == sku)


@pytest.fixture
def deal(book: Book) -> Deal:
    return Deal(book)


def _lines(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            line["changeType"],
            line["productSku"],
            line["quantity"],
            line["startDate"],
            line["endDate"],
            line["totalPrice"],
        )
        for line in answer["order"]["orderProducts"]
    ]


def test_update_quantity_is_a_delta_priced_for_the_rest_of_the_term(api: Api, deal: Deal) -> None:
    up = deal.change("UpdateQuantity", deal.sub, quantity=5, startDate="2025-07-01")
    assert up["order"]["orderType"] == "ChangeOrder" and up["order"]["status"] == "Activated"
    assert _lines(up) == [("UpdateQuantity", "PRO", 5, "2025-07-01", "2025-12-31", D("3000.00"))]
    [line] = up["order"]["orderProducts"]
    original = deal.line_of("PRO")
    assert line["assetNumber"] == deal.sub and line["subscriptionId"] == original["subscriptionId"]
    assert line["originalOrderId"] == deal.order["id"] and line["originalOrderProductId"] == original["id"]
    assert up["order"]["assetChanges"][0]["changeType"] == "UpdateQuantity"
    assert api.data("GET", f"/subscriptions/{deal.sub}")["quantity"] == 15

    down = deal.change("UpdateQuantity", deal.sub, quantity=-3, startDate="2025-10-01")
    assert _lines(down) == [("UpdateQuantity", "PRO", -3, "2025-10-01", "2025-12-31", D("-900.00"))]
    assert down["order"]["totalAmount"] == D("-900.00")
    assert api.data("GET", f"/subscriptions/{deal.sub}")["quantity"] == 12


def test_update_quantity_refuses_negative_seats_and_dates_outside_the_term(api: Api, deal: Deal) -> None:
    body = {
        "assetChanges": [
            {
                "changeType": "UpdateQuantity",
                "assetNumber": deal.sub,
                "quantity": -11,
                "startDate": "2025-07-01",
            }
        ]
    }
    assert api.post("/change-orders", body, expect=422)["errorCode"] == "INVALID_QUANTITY"
    body["assetChanges"][0].update(quantity=1, startDate="2026-02-01")
    assert api.post("/change-orders", body, expect=422)["errorCode"] == "INVALID_DATE"


def test_update_term_adds_or_removes_months(api: Api, deal: Deal) -> None:
    longer = deal.change("UpdateTerm", deal.sub, term=6)
    assert _lines(longer) == [("UpdateTerm", "PRO", 10, "2026-01-01", "2026-06-30", D("6000.00"))]
    assert api.data("GET", f"/subscriptions/{deal.sub}")["endDate"] == "2026-06-30"
    shorter = deal.change("UpdateTerm", deal.sub, term=-3)
    assert _lines(shorter) == [("UpdateTerm", "PRO", -10, "2026-04-01", "2026-06-30", D("-3000.00"))]
    assert api.data("GET", f"/subscriptions/{deal.sub}")["endDate"] == "2026-03-31"
    # entitlements are sold per term: a longer term costs nothing more
    free = deal.change("UpdateTerm", deal.ent, term=3)
    assert _lines(free) == [("UpdateTerm", "CRED", 2, "2026-01-01", "2026-03-31", D("0.00"))]


def test_renewal_is_a_renewal_order_and_may_add_products(api: Api, deal: Deal) -> None:
    renewal = deal.book.change(
        {"changeType": "Renew", "assetNumber": deal.sub, "renewalTerm": 12},
        products=[deal.book.line("ENT", 2, subscriptionStartDate="2026-01-01")],
    )
    order = renewal["order"]
    assert order["orderType"] == "RenewalOrder"
    assert _lines(renewal) == [
        ("Renew", "PRO", 10, "2026-01-01", "2026-12-31", D("12000.00")),
        (None, "ENT", 2, "2026-01-01", "2026-12-31", D("3600.00")),
    ]
    renewed, added = order["orderProducts"]
    assert renewed["originalOrderId"] == deal.order["id"] and added["originalOrderId"] is None
    assert added["assetNumber"] == "SUB-00000002"
    subscription = api.data("GET", f"/subscriptions/{deal.sub}")
    assert (subscription["endDate"], subscription["renewalCount"]) == ("2026-12-31", 1)
    assert {a["assetNumber"] for a in renewal["assets"]} == {deal.sub, "SUB-00000002"}
    early = {
        "assetChanges": [
            {"changeType": "Renew", "assetNumber": deal.sub, "renewalTerm": 12, "startDate": "2026-06-01"}
        ]
    }
    assert api.post("/change-orders", early, expect=422)["errorCode"] == "INVALID_DATE"


def test_co_term_moves_the_end_date_either_way(api: Api, deal: Deal) -> None:
    later = deal.change("CoTerm", deal.sub, coTermDate="2026-03-31")
    assert _lines(later) == [("CoTerm", "PRO", 10, "2026-01-01", "2026-03-31", D("3000.00"))]
    earlier = deal.change("CoTerm", deal.sub, coTermDate="2025-09-30")
    assert _lines(earlier) == [("CoTerm", "PRO", -10, "2025-10-01", "2026-03-31", D("-6000.00"))]
    assert api.data("GET", f"/subscriptions/{deal.sub}")["endDate"] == "2025-09-30"


def test_cancel_is_negative_and_ends_the_subscription(api: Api, deal: Deal) -> None:
    cancel = deal.change("Cancel", deal.sub, cancellationDate="2025-10-01")
    assert _lines(cancel) == [("Cancel", "PRO", -10, "2025-10-01", "2025-12-31", D("-3000.00"))]
    subscription = api.data("GET", f"/subscriptions/{deal.sub}")
    assert (subscription["status"], subscription["endDate"], subscription["cancellationDate"]) == (
        "Canceled",
        "2025-09-30",
        "2025-10-01",
    )
    again = {
        "assetChanges": [
            {
                "changeType": "UpdateQuantity",
                "assetNumber": deal.sub,
                "quantity": 1,
                "startDate": "2025-05-01",
            }
        ]
    }
    assert api.post("/change-orders", again, expect=422)["errorCode"] == "INVALID_STATE"
    returned = deal.change("Cancel", deal.token, cancellationDate="2025-03-01")
    assert _lines(returned) == [("Cancel", "TOKEN", -4, "2025-03-01", None, D("-182.00"))]
    refunded = deal.change("Cancel", deal.ent, cancellationDate="2025-07-01")
    assert _lines(refunded) == [("Cancel", "CRED", -2, "2025-07-01", "2025-12-31", D("-1200.00"))]


@pytest.mark.parametrize(
    ("change_type", "target", "removed", "added"),
    [
        ("Upgrade", "ENT", D("-6000.00"), D("9000.00")),
        ("Downgrade", "BASIC", D("-6000.00"), D("3000.00")),
        ("Swap", "BASIC", D("-6000.00"), D("3000.00")),
    ],
)
def test_product_changes_remove_the_old_product_and_add_the_new(
    api: Api, deal: Deal, change_type: str, target: str, removed: Decimal, added: Decimal
) -> None:
    answer = deal.change(
        change_type, deal.sub, targetPriceBookEntryId=deal.book.entries[target], startDate="2025-07-01"
    )
    assert _lines(answer) == [
        (change_type, "PRO", -10, "2025-07-01", "2025-12-31", removed),
        (change_type, target, 10, "2025-07-01", "2025-12-31", added),
    ]
    assert {line["assetNumber"] for line in answer["order"]["orderProducts"]} == {deal.sub}
    subscription = api.data("GET", f"/subscriptions/{deal.sub}")
    assert subscription["productSku"] == target and subscription["lastChangeType"] == change_type


@pytest.mark.parametrize(
    ("change_type", "target", "code"),
    [
        ("Upgrade", "BASIC", "INVALID_CHANGE"),
        ("Downgrade", "ENT", "INVALID_CHANGE"),
        ("Swap", "CRED", "INVALID_CHANGE"),
        ("Swap", "PRO", "INVALID_CHANGE"),
    ],
)
def test_product_changes_check_direction_and_type(
    api: Api, deal: Deal, change_type: str, target: str, code: str
) -> None:
    body = {
        "assetChanges": [
            {
                "changeType": change_type,
                "assetNumber": deal.sub,
                "targetProductId": deal.book.products[target],
            }
        ]
    }
    assert api.post("/change-orders", body, expect=422)["errorCode"] == code


def test_a_stale_draft_cannot_be_activated(api: Api, deal: Deal) -> None:
    change = {
        "changeType": "UpdateQuantity",
        "assetNumber": deal.sub,
        "quantity": 1,
        "startDate": "2025-06-01",
    }
    draft = api.data("POST", "/change-orders", {"assetChanges": [change]})["order"]
    assert draft["status"] == "Draft"
    deal.change("UpdateQuantity", deal.sub, quantity=2, startDate="2025-06-01")
    stale = api.post(f"/change-orders/{draft['id']}", {}, expect=409)
    assert stale["errorCode"] == "STALE_CHANGE_ORDER"
    assert api.data("GET", f"/subscriptions/{deal.sub}")["quantity"] == 12


def test_change_order_requests_are_validated(api: Api, deal: Deal) -> None:
    def refused(changes: list[dict[str, Any]], status: int) -> str:
        return str(api.post("/change-orders", {"assetChanges": changes}, expect=status)["errorCode"])

    assert refused([{"changeType": "ConvertFreeTrial", "assetNumber": deal.sub}], 400) == "VALIDATION_ERROR"
    assert (
        refused([{"changeType": "UpdateTerm", "assetNumber": deal.token, "term": 1}], 422) == "INVALID_CHANGE"
    )
    assert (
        refused([{"changeType": "Renew", "assetNumber": "SUB-99999999", "renewalTerm": 1}], 422)
        == "ASSET_NOT_FOUND"
    )
    twice = [{"changeType": "UpdateTerm", "assetNumber": deal.sub, "term": 1}] * 2
    assert refused(twice, 400) == "VALIDATION_ERROR"
    other = deal.book.customer("Globex")
    other_sub = deal.book.asset_number(deal.book.order(other, deal.book.line("PRO")), "PRO")
    mixed = [
        {"changeType": "UpdateTerm", "assetNumber": deal.sub, "term": 1},
        {"changeType": "UpdateTerm", "assetNumber": other_sub, "term": 1},
    ]
    assert refused(mixed, 422) == "CUSTOMER_MISMATCH"


def test_change_order_list_holds_change_and_renewal_orders_only(api: Api, deal: Deal) -> None:
    deal.change("UpdateTerm", deal.sub, term=1)
    deal.change("Renew", deal.ent, renewalTerm=12)
    listed = api.data("GET", "/change-orders")
    assert [o["orderType"] for o in listed] == ["ChangeOrder", "RenewalOrder"]
    assert api.get(f"/change-orders/{deal.order['id']}", expect=404)["errorCode"] == "NOT_FOUND"
    assert len(api.data("GET", "/orders")) == 3
    assert [o["orderType"] for o in api.data("GET", "/orders", params={"orderType": "NewOrder"})] == [
        "NewOrder"
    ]
