"""billing-to-erp over real HTTP: Nue and NetSuite emulators on loopback, the real CLI, NetSuite read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.hub import State
from tests.e2e.billing_to_erp.support import FLOW, D, World, world


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub_url: str) -> Iterator[World]:
    """A sandbox world whose hub is SQLite, then PostgreSQL (the two hubs the product supports)."""
    monkeypatch.chdir(tmp_path)
    with world(tmp_path, hub_url) as running:
        yield running


def test_customers_items_orders_and_invoices_land_once(w: World) -> None:
    subscription_income = w.ns_create("account", {"acctName": "Subscription Revenue", "acctType": "Income"})
    entries = w.products(
        ("Pro", "PRO", "Subscription", D("100")),
        ("API Credits", "CRED", "Entitlement", D("1200")),
        ("Token", "TOKEN", "Asset", D("45.50")),
        ("Free Seat", "FREE", "Subscription", D("0")),
    )
    since = w.customer("Acme", email="ap@acme.test", customerSince="2025-01-01", description="Key account")
    buyer = w.customer("Beta", email="billing@beta.test")  # no Customer Since: mirrored for its order
    prospect = w.customer("Gamma")  # neither: stays in Nue
    order = w.order(
        buyer,
        {"priceBookEntryId": entries["PRO"], "quantity": 2},
        {"priceBookEntryId": entries["CRED"], "quantity": 1},
        {"priceBookEntryId": entries["TOKEN"], "quantity": 3},
    )
    invoice = w.invoice(order["id"])
    free = w.order(since, {"priceBookEntryId": entries["FREE"], "quantity": 1})
    zero = w.invoice(free["id"])
    assert zero["amount"] == 0
    w.configure(
        params={
            "subsidiary": "1",
            "tax_schedule": "2",  # every emulator seed has tax schedules 1 and 2
            "customer_fields": {"description": "custentity_nue_segment"},
            "transfer_invoices_from": "2020-01-01",
            "skip_zero_invoices": True,
        },
        mappings={
            "gl": {
                "kind": "gl_accounts",
                "rows": [
                    {"name": "subscription_income", "account": subscription_income},
                    {"name": "subscription_deferred_revenue", "account": "6"},
                    {"name": "entitlement_income", "account": "7"},
                    {"name": "asset_income", "account": "7"},
                    {"name": "clearing", "account": "3"},
                ],
            }
        },
    )

    first = w.run()

    assert first["exit_code"] == 0, first
    # 2 customers, 4 items, 2 sales orders, 4 lines, 1 invoice; the $0 invoice is skipped
    assert first["counters"]["transferred"] == 13 and first["counters"]["skipped"] == 1, first
    acme = w.ns_get("customer", external_id("cust", since))
    assert acme is not None
    assert (acme["companyName"], acme["email"], acme["subsidiary"]["id"]) == ("Acme", "ap@acme.test", "1")
    assert acme["custentity_nue_segment"] == "Key account"
    assert acme["startDate"] == "2025-01-01"  # Customer Since
    beta = w.ns_get("customer", external_id("cust", buyer))
    assert beta is not None and beta["companyName"] == "Beta"
    assert w.ns_get("customer", external_id("cust", prospect)) is None

    products = {line["productSku"]: line["productId"] for line in order["orderProducts"]}
    pro = w.ns_get("noninventorysaleitem", external_id("prod", products["PRO"]))
    cred = w.ns_get("servicesaleitem", external_id("prod", products["CRED"]))
    token = w.ns_get("inventoryitem", external_id("prod", products["TOKEN"]))
    assert pro is not None and cred is not None and token is not None
    assert pro["itemId"] == "PRO" and pro["incomeAccount"]["id"] == subscription_income
    assert {item["taxSchedule"]["id"] for item in (pro, cred, token)} == {"2"}
    assert pro["deferredRevenueAccount"]["id"] == "6"
    assert cred["incomeAccount"]["id"] == "7" and "deferredRevenueAccount" not in cred

    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    assert sales_order is not None and sales_order["entity"]["id"] == beta["id"]
    lines = sales_order["item"]["items"]
    assert [line["item"]["id"] for line in lines] == [pro["id"], cred["id"], token["id"]]
    assert [line["amount"] for line in lines] == [
        line["totalPrice"] for line in order["orderProducts"] if line["lineType"] in ("LineItem", "RampItem")
    ]
    assert lines[0]["custcol_nue_end_date"] == order["orderProducts"][0]["endDate"] is not None
    for line, source in zip(lines, order["orderProducts"], strict=True):
        # an asset has no end date: then neither the custom column nor the rev-rec date is set
        assert line.get("custcol_nue_start_date") == line.get("revRecStartDate") == source.get("startDate")
        assert line.get("custcol_nue_end_date") == line.get("revRecEndDate") == source.get("endDate")
        assert line["custcol_nue_order_product_id"] == source["id"]

    ns_invoice = w.ns_get("invoice", external_id("inv", invoice["id"]))
    assert ns_invoice is not None
    assert ns_invoice["createdFrom"]["id"] == sales_order["id"]
    assert ns_invoice["total"] == invoice["amount"] and ns_invoice["custbody_nue_invoice_id"] == invoice["id"]
    assert len(ns_invoice["item"]["items"]) == 3
    assert w.ns_get("invoice", external_id("inv", zero["id"])) is None

    with w.hub() as hub:
        header = hub.find(FLOW, "nue", "order", order["id"])
        assert header is not None and header.target_id == sales_order["id"]
        children = [link for link in hub.links(header.id) if link.parent_id == header.id]
        assert len(children) == 3
        placed = sorted(hub.require(link.child_id).target_id or "" for link in children)
        assert placed == [f"{sales_order['id']}:{line['line']}" for line in lines]
        billed = hub.find(FLOW, "nue", "invoice", invoice["id"])
        assert billed is not None and billed.state is State.TRANSFERRED
        assert len([link for link in hub.links(billed.id) if link.relation == "invoice_line"]) == 3
        skipped = hub.find(FLOW, "nue", "invoice", zero["id"])
        assert skipped is not None and skipped.state is State.SKIPPED

    before = w.mirrored()
    assert before and set(before.values()) == {1}
    second = w.run()
    assert second["exit_code"] == 0 and second["counters"]["transferred"] == 0, second
    assert "netsuite" not in second["requests"]  # nothing changed: not one NetSuite request
    assert w.mirrored() == before


def test_several_records_of_a_type_go_in_one_batch_and_dry_run_writes_nothing(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    customers = [w.customer(f"Customer {n}", customerSince="2025-02-01") for n in range(3)]
    w.configure()

    preview = w.run("--dry-run")

    assert preview["exit_code"] == 0
    shown = {p["external_id"]: p["payload"] for p in preview["dry_run_payloads"]}
    assert shown[external_id("cust", customers[0])]["companyName"] == "Customer 0"
    assert all(w.ns_get("customer", external_id("cust", c)) is None for c in customers)

    summary = w.run()

    assert summary["counters"]["transferred"] == 3, summary
    # one async batch: submit + poll(s), never one PUT per customer
    assert summary["requests"]["netsuite"] < 3 + 1 + 3, summary
    assert {w.ns_get("customer", external_id("cust", c))["companyName"] for c in customers} == {  # type: ignore[index]
        "Customer 0",
        "Customer 1",
        "Customer 2",
    }
    order = w.order(customers[0], {"priceBookEntryId": entries["PRO"], "quantity": 1})
    # the item, the sales order and its line; the customer is already mirrored, so it is not sent again
    assert w.run()["counters"]["transferred"] == 3
    assert w.ns_get("salesorder", external_id("so", order["id"])) is not None
