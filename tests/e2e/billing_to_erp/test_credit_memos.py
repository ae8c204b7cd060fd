"""Credit memos made by hand in Nue reach NetSuite as a return authorization plus a credit memo created
from it, once; a plain amount credit waits for ``credit_item``; memos that came FROM NetSuite (made by
erp-payments-to-billing) are never echoed back."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.hub import State
from tests.e2e.billing_to_erp.support import FLOW, D, World, world


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.chdir(tmp_path)
    with world(tmp_path) as running:
        yield running


def _sold(w: World) -> tuple[str, dict[str, Any]]:
    """A customer with an activated, invoiced order of 3 Pro; returns (customer id, order)."""
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    customer = w.customer("Acme", customerSince="2025-01-01")
    order = w.order(customer, {"priceBookEntryId": entries["PRO"], "quantity": 3})
    w.invoice(str(order["id"]))
    return customer, order


def _memo(w: World, customer: str, **body: Any) -> dict[str, Any]:
    return dict(w.nue("POST", "/credit-memos", {"customerId": customer, "activate": True, **body}))


def test_a_hand_made_credit_memo_becomes_a_return_and_a_credit_memo_once(w: World) -> None:
    customer, order = _sold(w)
    line = order["orderProducts"][0]
    memo = _memo(
        w,
        customer,
        items=[{"amount": "100.00", "quantity": 1, "orderProductId": line["id"], "description": "Goodwill"}],
    )
    w.configure(params={"transfer_invoices_from": "2020-01-01"})

    summary = w.run()

    assert summary["exit_code"] == 0, summary
    sales_order = w.ns_get("salesorder", external_id("so", str(order["id"])))
    authorization = w.ns_get("returnauthorization", external_id("ra", memo["id"]))
    credit = w.ns_get("creditmemo", external_id("cm", memo["id"]))
    assert sales_order is not None and authorization is not None and credit is not None
    # the return is of the order the memo credits, and the credit memo is created from that return
    assert authorization["createdFrom"]["id"] == sales_order["id"]
    assert credit["createdFrom"]["id"] == authorization["id"]
    assert credit["total"] == Decimal("100.00")
    assert credit["custbody_nue_credit_memo_id"] == memo["id"]
    (returned,) = authorization["item"]["items"]
    assert returned["item"]["id"] == sales_order["item"]["items"][0]["item"]["id"]
    assert (returned["quantity"], returned["amount"]) == (1, Decimal("100.00"))
    with w.hub() as hub:
        credit_row = hub.find(FLOW, "nue", "credit_memo", memo["id"])
        return_row = hub.find(FLOW, "nue", "credit_return", memo["id"])
        assert credit_row is not None and return_row is not None
        assert credit_row.state is State.TRANSFERRED and credit_row.target_id == credit["id"]
        assert [(link.parent_id, link.child_id, link.relation) for link in hub.links(credit_row.id)] == [
            (credit_row.id, return_row.id, "return_authorization")
        ]
    # applying the memo in Nue restamps it: read again, nothing new goes to NetSuite
    assert w.run()["counters"]["transferred"] == 0
    assert set(w.mirrored().values()) == {1}


def test_a_plain_amount_credit_waits_for_credit_item_then_goes_on_it(w: World) -> None:
    customer, _ = _sold(w)
    memo = _memo(w, customer, amount="25.00")
    w.configure(params={"transfer_invoices_from": "2020-01-01"})

    first = w.run()

    assert first["exit_code"] == 1, first
    with w.hub() as hub:
        waiting = hub.find(FLOW, "nue", "credit_return", memo["id"])
        credit_row = hub.find(FLOW, "nue", "credit_memo", memo["id"])
        assert waiting is not None and waiting.state is State.ACTION_NEEDED
        assert credit_row is not None and credit_row.state is State.ACTION_NEEDED
        assert "credit_item" in (waiting.error_message or "")
        (item_row,) = [row for row in hub.list(flow=FLOW) if row.source_type == "product"]
        assert item_row.target_id is not None
    assert w.ns_get("creditmemo", external_id("cm", memo["id"])) is None

    w.configure(params={"transfer_invoices_from": "2020-01-01", "credit_item": item_row.target_id})
    code, _ = w.cli("hub", "retry", str(waiting.id), str(credit_row.id))
    assert code == 0
    second = w.run()

    assert second["exit_code"] == 0, second
    credit = w.ns_get("creditmemo", external_id("cm", memo["id"]))
    assert credit is not None and credit["total"] == Decimal("25.00")
    (line,) = credit["item"]["items"]
    assert line["item"]["id"] == item_row.target_id


def test_a_credit_memo_that_came_from_netsuite_is_not_sent_back(w: World) -> None:
    customer, _ = _sold(w)
    # the key erp-payments-to-billing sends when it mirrors NetSuite credit memo 987 into Nue
    memo = _memo(w, customer, amount="10.00", idempotencyKey="lb-cm-ns987")
    w.configure(params={"transfer_invoices_from": "2020-01-01"})

    summary = w.run()

    assert summary["exit_code"] == 0, summary
    assert w.ns_get("creditmemo", external_id("cm", memo["id"])) is None
    assert w.ns_get("returnauthorization", external_id("ra", memo["id"])) is None
    with w.hub() as hub:
        assert hub.find(FLOW, "nue", "credit_memo", memo["id"]) is None
