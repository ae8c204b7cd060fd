"""Orders: drafts, the four line types, and activation creating subscriptions, entitlements and assets."""

from __future__ import annotations

from decimal import Decimal

from .support import Api, Book

D = Decimal


def test_draft_order_prices_lines_and_creates_nothing_yet(api: Api, book: Book) -> None:
    customer = book.customer()
    order = book.draft(
        customer,
        book.line("PRO", 10, subscriptionStartDate="2025-02-01", subscriptionTerm=12),
        book.line("CRED", 2, subscriptionStartDate="2025-02-01", subscriptionTerm=6),
        book.line("TOKEN", 4, subscriptionStartDate="2025-02-01"),
        effectiveDate="2025-02-01",
    )
    assert order["status"] == "Draft" and order["orderType"] == "NewOrder"
    assert order["orderNumber"].startswith("ORD-")
    pro, credits, token = order["orderProducts"]
    assert (pro["lineType"], pro["quantity"], pro["netSalesPrice"], pro["totalPrice"]) == (
        "LineItem",
        10,
        100,
        D("12000.00"),
    )
    assert (pro["startDate"], pro["endDate"], pro["subscriptionTerm"]) == ("2025-02-01", "2026-01-31", 12)
    assert credits["totalPrice"] == D("2400.00") and credits["endDate"] == "2025-07-31"
    assert token["totalPrice"] == D("182.00") and token["endDate"] is None
    assert order["totalAmount"] == D("14582.00")
    assert order["subscriptionStartDate"] == "2025-02-01" and order["subscriptionEndDate"] == "2026-01-31"
    assert all(line["assetNumber"] is None for line in order["orderProducts"])
    assert api.data("GET", "/subscriptions") == []


def test_activation_creates_a_subscription_entitlement_and_asset_per_line(api: Api, book: Book) -> None:
    customer = book.customer()
    draft = book.draft(customer, book.line("PRO", 10), book.line("CRED", 1), book.line("TOKEN", 4))
    answer = book.activate(draft["id"])
    order = answer["order"]
    assert order["status"] == "Activated" and order["activatedDate"] == "2025-01-15"
    assert order["lastModifiedDate"] > draft["lastModifiedDate"]
    numbers = sorted(a["assetNumber"] for a in answer["assets"])
    assert numbers == ["AST-00000001", "ENT-00000001", "SUB-00000001"]
    subscription = api.data("GET", "/subscriptions")[0]
    assert subscription == {
        **subscription,
        "assetNumber": "SUB-00000001",
        "customerId": customer,
        "quantity": 10,
        "status": "Active",
        "orderId": order["id"],
        "startDate": "2025-01-15",
        "endDate": "2026-01-14",
    }
    assert api.data("GET", "/subscriptions/SUB-00000001")["id"] == subscription["id"]
    assert api.data("GET", "/entitlements")[0]["entitlementNumber"] == "ENT-00000001"
    assert api.data("GET", "/assets")[0]["assetType"] == "Asset"
    lines = {line["productSku"]: line for line in order["orderProducts"]}
    assert lines["PRO"]["subscriptionId"] == subscription["id"]
    assert lines["PRO"]["assetNumber"] == "SUB-00000001"
    assert lines["TOKEN"]["subscriptionId"] is None and lines["TOKEN"]["assetNumber"] == "AST-00000001"
    # the legacy customer filter of the subscription guide
    listed = api.data("GET", "/subscriptions", params={"customerIds": f'["{customer}"]'})
    assert [s["id"] for s in listed] == [subscription["id"]]


def test_activating_twice_or_an_unknown_customer_is_refused(api: Api, book: Book) -> None:
    customer = book.customer()
    answer = book.order(customer, book.line("PRO"))
    again = api.post(f"/orders/{answer['order']['id']}", {}, expect=422)
    assert again["errorCode"] == "INVALID_STATE"
    unknown = api.post(
        "/orders", {"customer": {"id": "nobody"}, "orderProducts": [book.line("PRO")]}, expect=422
    )
    assert unknown["errorCode"] == "CUSTOMER_NOT_FOUND"
    no_lines = api.post("/orders", {"customer": {"id": customer}, "orderProducts": []}, expect=400)
    assert no_lines["errorCode"] == "VALIDATION_ERROR"
    zero = api.post(
        "/orders", {"customer": {"id": customer}, "orderProducts": [book.line("PRO", 0)]}, expect=400
    )
    assert "quantity" in zero["message"]


def test_ramp_order_has_a_summary_item_and_billable_ramp_items(book: Book) -> None:
    customer = book.customer()
    ramps = [{"term": 1, "quantity": 10, "unitPrice": 0}, {"term": 11, "quantity": 10}]
    answer = book.order(customer, book.line("PRO", subscriptionStartDate="2025-01-01", ramps=ramps))
    summary, free_month, paid = answer["order"]["orderProducts"]
    assert (summary["lineType"], summary["billable"], summary["parentId"]) == ("SummaryItem", False, None)
    assert (free_month["lineType"], free_month["parentId"], free_month["totalPrice"]) == (
        "RampItem",
        summary["id"],
        0,
    )
    assert (free_month["startDate"], free_month["endDate"]) == ("2025-01-01", "2025-01-31")
    assert (paid["startDate"], paid["endDate"], paid["totalPrice"]) == (
        "2025-02-01",
        "2025-12-31",
        D("11000.00"),
    )
    assert summary["totalPrice"] == D("11000.00") and answer["order"]["totalAmount"] == D("11000.00")
    assert len(answer["assets"]) == 1
    assert {line["assetNumber"] for line in answer["order"]["orderProducts"]} == {"SUB-00000001"}


def test_split_items_divide_a_line_without_being_billed(book: Book) -> None:
    customer = book.customer()
    answer = book.order(customer, book.line("PRO", 3, subscriptionTerm=24, splitIntervalMonths=12))
    line, *splits = answer["order"]["orderProducts"]
    assert line["lineType"] == "LineItem" and line["totalPrice"] == D("7200.00")
    assert [s["lineType"] for s in splits] == ["SplitItem", "SplitItem"]
    assert all(s["parentId"] == line["id"] and not s["billable"] for s in splits)
    assert sum(s["totalPrice"] for s in splits) == line["totalPrice"]
    assert answer["order"]["totalAmount"] == D("7200.00")


def test_activation_can_generate_and_activate_the_invoice(api: Api, book: Book) -> None:
    customer = book.customer()
    draft = book.draft(customer, book.line("PRO", 2, subscriptionTerm=3))
    answer = book.activate(draft["id"], generateInvoice=True, activateInvoice=True)
    [invoice] = answer["invoices"]
    assert (invoice["status"], invoice["amount"], invoice["balance"]) == ("Active", D("600.00"), D("600.00"))
    assert api.data("GET", f"/invoices/{invoice['id']}")["paymentStatus"] == "Open"


def test_cancelled_order_is_marked_and_cannot_be_activated(api: Api, book: Book) -> None:
    customer = book.customer()
    draft = book.draft(customer, book.line("PRO"))
    cancelled = book.control.post(f"/nue/orders/{draft['id']}/cancel")["order"]
    assert cancelled["status"] == "Canceled" and cancelled["canceledDate"] == "2025-01-15"
    assert api.post(f"/orders/{draft['id']}", {}, expect=422)["errorCode"] == "INVALID_STATE"
    assert api.data("GET", "/orders", params={"status": "Canceled"})[0]["id"] == draft["id"]
