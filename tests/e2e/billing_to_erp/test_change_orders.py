"""Change orders over real HTTP: their lines join the ORIGINAL sales order, and their invoice bills it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.hub import State
from tests.e2e.billing_to_erp.support import FLOW, D, World, world


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.chdir(tmp_path)
    with world(tmp_path) as running:
        yield running


def test_a_change_order_appends_lines_to_the_original_sales_order_once(w: World) -> None:
    entries = w.products(
        ("Pro", "PRO", "Subscription", D("100")), ("Enterprise", "ENT", "Subscription", D("150"))
    )
    customer = w.customer("Acme", customerSince="2025-01-01")
    activation = w.activate(
        customer,
        {"priceBookEntryId": entries["PRO"], "quantity": 2},
        {"priceBookEntryId": entries["ENT"], "quantity": 1},
    )
    order = activation["order"]
    w.invoice(order["id"])
    w.configure(params={"transfer_invoices_from": "2020-01-01"})
    assert w.run()["exit_code"] == 0

    start = order["subscriptionStartDate"]
    change = w.change(
        *(
            {
                "changeType": "UpdateQuantity",
                "assetNumber": asset["assetNumber"],
                "quantity": 3,
                "startDate": start,
            }
            for asset in activation["assets"]
        )
    )
    change_invoice = w.invoice(change["id"])

    summary = w.run()

    assert summary["exit_code"] == 0, summary
    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    assert sales_order is not None
    lines = sales_order["item"]["items"]
    assert len(lines) == 4  # 2 original + 2 appended; no second sales order for the change
    assert [line["custcol_nue_order_product_id"] for line in lines[2:]] == sorted(
        (line["id"] for line in change["orderProducts"]),
        key=lambda op: next(p["subscriptionId"] for p in change["orderProducts"] if p["id"] == op),
    )
    assert [line["quantity"] for line in lines[2:]] == [3, 3]
    assert w.ns_get("salesorder", external_id("so", change["id"])) is None
    ns_invoice = w.ns_get("invoice", external_id("inv", change_invoice["id"]))
    assert ns_invoice is not None and ns_invoice["createdFrom"]["id"] == sales_order["id"]
    assert ns_invoice["total"] == change_invoice["amount"]

    before = w.mirrored()
    again = w.run()
    assert again["counters"]["transferred"] == 0 and "netsuite" not in again["requests"], again
    assert w.mirrored() == before
    assert len(w.ns_get("salesorder", external_id("so", order["id"]))["item"]["items"]) == 4  # type: ignore[index]


@pytest.mark.parametrize(("merge", "a_lines", "b_lines"), [(False, 4, 2), (True, 5, 1)])
def test_the_worked_example_with_renewal_merge_off_and_on(
    w: World, merge: bool, a_lines: int, b_lines: int
) -> None:
    """Order #1 (two subscriptions) activated and invoiced; change order #2 changes both quantities;
    order #3 renews one subscription and adds a new product."""
    entries = w.products(
        ("Pro", "PRO", "Subscription", D("100")),
        ("Enterprise", "ENT", "Subscription", D("150")),
        ("Add-on", "ADD", "Subscription", D("10")),
    )
    customer = w.customer("Acme", customerSince="2025-01-01")
    first = w.activate(
        customer,
        {"priceBookEntryId": entries["PRO"], "quantity": 2},
        {"priceBookEntryId": entries["ENT"], "quantity": 1},
    )
    order = first["order"]
    invoices = [w.invoice(order["id"])]
    start = order["subscriptionStartDate"]
    change = w.change(
        *(
            {
                "changeType": "UpdateQuantity",
                "assetNumber": asset["assetNumber"],
                "quantity": 1,
                "startDate": start,
            }
            for asset in first["assets"]
        )
    )
    invoices.append(w.invoice(change["id"]))
    renewed = first["assets"][0]["assetNumber"]
    renewal = w.nue(
        "POST",
        f"/_sandbox/nue/subscriptions/{renewed}/renew",
        {"renewalTerm": 12, "products": [{"priceBookEntryId": entries["ADD"], "quantity": 1}]},
    )["order"]
    invoices.append(w.invoice(renewal["id"]))
    w.configure(params={"transfer_invoices_from": "2020-01-01", "merge_renewal_orders": merge})

    summary = w.run()

    assert summary["exit_code"] == 0, summary
    a = w.ns_get("salesorder", external_id("so", order["id"]))
    b = w.ns_get("salesorder", external_id("so", renewal["id"]))
    assert a is not None and b is not None
    assert (len(a["item"]["items"]), len(b["item"]["items"])) == (a_lines, b_lines)
    assert w.ns_get("salesorder", external_id("so", change["id"])) is None
    # one NetSuite invoice per mirrored sales order each Nue invoice bills
    ids = [row["id"] for row in w.ns_rows("SELECT id FROM transaction WHERE type = 'CustInvc' ORDER BY id")]
    ns_invoices = [w.ns_get_type("invoice", str(internal_id)) for internal_id in ids]
    assert {invoice["createdFrom"]["id"] for invoice in ns_invoices} == {a["id"], b["id"]}
    expected = 4 if merge else 3  # merged: the renewal invoice splits between A (renewal) and B (new product)
    assert len(ns_invoices) == expected
    total = sum((invoice["total"] for invoice in ns_invoices), D(0))
    assert total == sum((invoice["amount"] for invoice in invoices), D(0))
    before = w.mirrored()
    assert set(before.values()) == {1}
    assert w.run()["counters"]["transferred"] == 0
    assert w.mirrored() == before


def test_a_negative_change_is_a_return_authorization_and_its_invoice_a_credit_memo(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    activation = w.activate(
        w.customer("Acme", customerSince="2025-01-01"), {"priceBookEntryId": entries["PRO"], "quantity": 3}
    )
    order = activation["order"]
    w.invoice(order["id"])
    change = w.change(
        {
            "changeType": "UpdateQuantity",
            "assetNumber": activation["assets"][0]["assetNumber"],
            "quantity": -1,
            "startDate": order["subscriptionStartDate"],
        }
    )
    credit = w.invoice(change["id"])
    assert change["totalAmount"] < 0 and credit["amount"] < 0
    w.configure(params={"transfer_invoices_from": "2020-01-01"})

    summary = w.run()

    assert summary["exit_code"] == 0, summary
    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    authorization = w.ns_get("returnauthorization", external_id("ra", change["id"]))
    memo = w.ns_get("creditmemo", external_id("cm", credit["id"]))
    assert sales_order is not None and authorization is not None and memo is not None
    assert len(sales_order["item"]["items"]) == 1  # the original sales order is left alone
    assert authorization["createdFrom"]["id"] == sales_order["id"]
    (returned,) = authorization["item"]["items"]
    assert (returned["quantity"], returned["amount"]) == (1, -change["totalAmount"])
    assert memo["createdFrom"]["id"] == authorization["id"]
    assert memo["total"] == -credit["amount"]
    assert w.ns_get("invoice", external_id("inv", credit["id"])) is None
    with w.hub() as hub:
        memo_row = hub.find("billing-to-erp", "nue", "invoice", credit["id"])
        ra_row = hub.find("billing-to-erp", "nue", "order", change["id"])
        assert memo_row is not None and ra_row is not None
        assert [(link.parent_id, link.child_id, link.relation) for link in hub.links(memo_row.id)] == [
            (memo_row.id, ra_row.id, "return_authorization")
        ]
    before = w.mirrored()
    assert set(before.values()) == {1} and w.run()["counters"]["transferred"] == 0


def test_a_refused_change_line_fails_alone_and_goes_after_the_fix(w: World) -> None:
    entries = w.products(
        ("Pro", "PRO", "Subscription", D("100")), ("Enterprise", "ENT", "Subscription", D("150"))
    )
    activation = w.activate(
        w.customer("Acme", customerSince="2025-01-01"),
        {"priceBookEntryId": entries["PRO"], "quantity": 2},
        {"priceBookEntryId": entries["ENT"], "quantity": 1},
    )
    order = activation["order"]
    w.configure(params={"transfer_invoices_from": "2020-01-01"})
    assert w.run()["exit_code"] == 0
    enterprise = next(line for line in order["orderProducts"] if line["productName"] == "Enterprise")
    item = w.ns_get("noninventorysaleitem", external_id("prod", enterprise["productId"]))
    assert item is not None
    # someone retires the Enterprise item in NetSuite: NetSuite refuses it on any new line
    w.netsuite(lambda client: client.update("noninventorysaleitem", item["id"], {"isInactive": True}))
    change = w.change(
        *(
            {
                "changeType": "UpdateQuantity",
                "assetNumber": a["assetNumber"],
                "quantity": 3,
                "startDate": order["subscriptionStartDate"],
            }
            for a in activation["assets"]
        )
    )
    refused = next(line for line in change["orderProducts"] if line["productId"] == enterprise["productId"])

    summary = w.run()

    assert summary["exit_code"] == 1, summary
    lines = w.ns_get("salesorder", external_id("so", order["id"]))["item"]["items"]  # type: ignore[index]
    assert len(lines) == 3  # the Pro line went; the Enterprise line did not
    with w.hub() as hub:
        line_row = hub.find(FLOW, "nue", "order_product", refused["id"])
        change_row = hub.find(FLOW, "nue", "order", change["id"])
        assert line_row is not None and line_row.state is State.FAILED
        assert "INVALID_KEY_OR_REF" in (line_row.error_vendor_code or "") + (line_row.error_message or "")
        assert change_row is not None and change_row.state is State.FAILED
        assert "1" in (change_row.error_message or "")

    w.netsuite(lambda client: client.update("noninventorysaleitem", item["id"], {"isInactive": False}))
    code, _ = w.cli("hub", "retry", str(change_row.id), str(line_row.id))
    assert code == 0
    assert w.run()["exit_code"] == 0
    lines = w.ns_get("salesorder", external_id("so", order["id"]))["item"]["items"]  # type: ignore[index]
    assert len(lines) == 4 and lines[-1]["custcol_nue_order_product_id"] == refused["id"]
