"""billing-to-erp bad inputs over real HTTP: each ends action_needed or failed with what to fix, and
`ledgerbridge hub retry` transfers it once fixed; a duplicate item is linked instead of failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.hub import State
from tests.e2e.billing_to_erp.support import FLOW, D, World, world

ITEM_TYPES = {
    "kind": "item_types",
    "rows": [{"product_type": "Subscription", "record_type": "noninventorysaleitem"}],
}


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub_url: str) -> Iterator[World]:
    """A sandbox world whose hub is SQLite, then PostgreSQL."""
    monkeypatch.chdir(tmp_path)
    with world(tmp_path, hub_url) as running:
        yield running


def _record(w: World, source_type: str, source_id: str) -> tuple[State, str | None, str | None]:
    with w.hub() as hub:
        found = hub.find(FLOW, "nue", source_type, source_id)
        assert found is not None
        return found.state, found.error_message, found.target_id


def test_unmapped_product_type_waits_for_the_mapping_then_hub_retry_transfers(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")), ("Token", "TOKEN", "Asset", D("45.50")))
    customer = w.customer("Acme", customerSince="2025-01-01")
    order = w.order(
        customer,
        {"priceBookEntryId": entries["PRO"], "quantity": 1},
        {"priceBookEntryId": entries["TOKEN"], "quantity": 2},
    )
    token = next(line["productId"] for line in order["orderProducts"] if line["productSku"] == "TOKEN")
    w.configure(mappings={"item_types": ITEM_TYPES})

    first = w.run()

    assert first["exit_code"] == 1 and first["counters"]["action_needed"] == 2, first
    state, message, _ = _record(w, "product", token)
    assert state is State.ACTION_NEEDED and message is not None
    assert "'Asset'" in message and "mapping 'item_types'" in message  # names the key and the mapping
    state, message, _ = _record(w, "order", order["id"])
    assert state is State.ACTION_NEEDED and message is not None and f"product {token}" in message
    assert w.ns_get("salesorder", external_id("so", order["id"])) is None
    assert w.ns_get("inventoryitem", external_id("prod", token)) is None
    # nothing changed: a re-run does not retry what waits for a person
    assert w.run()["counters"]["action_needed"] == 0

    fixed = {
        "kind": "item_types",
        "rows": [*ITEM_TYPES["rows"], {"product_type": "*", "record_type": "inventoryitem"}],
    }
    w.configure(mappings={"item_types": fixed})
    code, retried = w.cli("hub", "retry", "--state", "action_needed", "--flow", FLOW)
    assert code == 0, retried

    second = w.run()

    assert second["exit_code"] == 0 and second["counters"]["transferred"] >= 2, second
    item = w.ns_get("inventoryitem", external_id("prod", token))  # the default row of the mapping
    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    assert item is not None and sales_order is not None
    assert [line["item"]["id"] for line in sales_order["item"]["items"]][1] == item["id"]
    assert _record(w, "order", order["id"])[0] is State.TRANSFERRED


def test_an_item_that_already_exists_by_name_is_linked_not_duplicated(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    existing = w.ns_create("noninventorysaleitem", {"itemId": "PRO", "displayName": "Pro (made by hand)"})
    order = w.order(
        w.customer("Acme", customerSince="2025-01-01"), {"priceBookEntryId": entries["PRO"], "quantity": 1}
    )
    w.configure()

    summary = w.run()

    assert summary["exit_code"] == 0, summary
    product = order["orderProducts"][0]["productId"]
    assert _record(w, "product", product)[2] == existing
    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    assert sales_order is not None and sales_order["item"]["items"][0]["item"]["id"] == existing
    assert len(w.ns_rows("SELECT id FROM item WHERE itemid = 'PRO'")) == 1


def test_an_invoice_in_a_closed_period_waits_until_the_period_reopens(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    order = w.order(
        w.customer("Acme", customerSince="2025-01-01"), {"priceBookEntryId": entries["PRO"], "quantity": 1}
    )
    invoice = w.invoice(order["id"])
    period = w.ns_rows(
        f"SELECT id FROM accountingperiod WHERE startdate <= '{invoice['invoiceDate']}' "
        f"AND enddate >= '{invoice['invoiceDate']}' AND isquarter = 'F' AND isyear = 'F'"
    )[0]["id"]
    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        assert http.post(f"/_sandbox/netsuite/periods/{period}/close").status_code == 200
    w.configure(params={"transfer_invoices_from": "2020-01-01"})

    first = w.run()

    assert first["exit_code"] == 1 and first["counters"]["action_needed"] == 1, first
    state, message, _ = _record(w, "invoice", invoice["id"])
    assert state is State.ACTION_NEEDED and message is not None and "closed period" in message
    assert w.ns_get("invoice", external_id("inv", invoice["id"])) is None

    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        assert http.post(f"/_sandbox/netsuite/periods/{period}/reopen").status_code == 200
    assert w.cli("hub", "retry", "--state", "action_needed")[0] == 0
    second = w.run()

    assert second["exit_code"] == 0 and second["counters"]["transferred"] == 1, second
    assert w.ns_get("invoice", external_id("inv", invoice["id"])) is not None


def test_a_change_to_a_locked_sales_order_waits_until_it_is_unlocked(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    activation = w.activate(
        w.customer("Acme", customerSince="2025-01-01"), {"priceBookEntryId": entries["PRO"], "quantity": 2}
    )
    order = activation["order"]
    w.configure()
    assert w.run()["exit_code"] == 0
    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    assert sales_order is not None
    change = w.change(
        {
            "changeType": "UpdateQuantity",
            "assetNumber": activation["assets"][0]["assetNumber"],
            "quantity": 1,
            "startDate": order["subscriptionStartDate"],
        }
    )
    lock = f"/_sandbox/netsuite/records/salesorder/{sales_order['id']}/lock"
    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        assert http.post(lock, json={"locked": True}).status_code == 200

    first = w.run()

    assert first["exit_code"] == 1 and first["counters"]["action_needed"] >= 1, first
    state, message, _ = _record(w, "order", change["id"])
    assert state is State.ACTION_NEEDED and message is not None and "locked" in message

    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        assert http.post(lock, json={"locked": False}).status_code == 200
    assert w.cli("hub", "retry", "--state", "action_needed")[0] == 0
    second = w.run()

    assert second["exit_code"] == 0, second
    assert _record(w, "order", change["id"])[0] is State.TRANSFERRED
    lines = w.ns_get("salesorder", external_id("so", order["id"]))["item"]["items"]  # type: ignore[index]
    assert [line["custcol_nue_order_product_id"] for line in lines][1] == change["orderProducts"][0]["id"]
    assert len(lines) == 2


def test_an_order_whose_customer_netsuite_does_not_know_waits_then_goes_after_the_fix(w: World) -> None:
    # the order's customer cannot be created in NetSuite (the configured subsidiary does not exist there),
    # so NetSuite has no customer for the order: both wait, each saying why, until the setting is fixed
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    customer = w.customer("Acme")  # no Customer Since: the order brings the customer along
    order = w.order(customer, {"priceBookEntryId": entries["PRO"], "quantity": 1})
    w.configure(params={"subsidiary": "999"})

    first = w.run()

    assert first["exit_code"] == 1, first
    state, message, _ = _record(w, "customer", customer)
    assert state is State.FAILED and message is not None and "subsidiary" in message.lower()
    state, message, _ = _record(w, "order", order["id"])
    assert state is State.ACTION_NEEDED and message is not None
    assert f"customer {customer} is not in NetSuite yet" in message
    assert w.ns_get("salesorder", external_id("so", order["id"])) is None

    w.configure(params={"subsidiary": "1"})
    code, _ = w.cli("hub", "retry", "--flow", FLOW, "--state", "failed")
    assert code == 0
    code, _ = w.cli("hub", "retry", "--flow", FLOW, "--state", "action_needed")
    assert code == 0

    second = w.run()

    assert second["exit_code"] == 0, second
    ns_customer = w.ns_get("customer", external_id("cust", customer))
    sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
    assert ns_customer is not None and sales_order is not None
    assert sales_order["entity"]["id"] == ns_customer["id"]
