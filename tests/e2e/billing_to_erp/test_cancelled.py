"""billing-to-erp, an invoice of an order cancelled in Nue, over real HTTP: it waits in action_needed with
what to fix; once fixed, `ledgerbridge hub retry` resolves it — skipped when the invoice was cancelled in
Nue, transferred when the flow is told such invoices stand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.hub import State
from tests.e2e.billing_to_erp.support import FLOW, D, World, world

PARAMS: dict[str, Any] = {"transfer_invoices_from": "2020-01-01"}


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub_url: str) -> Iterator[World]:
    monkeypatch.chdir(tmp_path)
    with world(tmp_path, hub_url) as running:
        yield running


def _row(w: World, invoice_id: str) -> tuple[State, str | None]:
    with w.hub() as hub:
        found = hub.find(FLOW, "nue", "invoice", invoice_id)
        assert found is not None, invoice_id
        return found.state, found.error_message


def _order(w: World, entry: str, name: str) -> dict[str, Any]:
    customer = w.customer(name, customerSince="2025-01-01")
    return w.order(customer, {"priceBookEntryId": entry, "quantity": 1})


def _bill_after_cancelling(w: World, order: dict[str, Any]) -> dict[str, Any]:
    """Bill the order (draft), cancel the order in Nue, then activate its invoice."""
    draft = w.invoice(order["id"], activate=False)
    w.nue("POST", f"/_sandbox/nue/orders/{order['id']}/cancel", {})
    w.nue("POST", "/billing/invoices:activate", {"invoiceIds": [draft["id"]]})
    return draft


def test_an_invoice_of_a_cancelled_order_waits_for_a_person_then_hub_retry_resolves_it(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    w.configure(params=PARAMS)
    withdrawn_order = _order(w, entries["PRO"], "Acme")
    standing_order = _order(w, entries["PRO"], "Beta")
    assert w.run()["exit_code"] == 0  # both sales orders are in NetSuite before the cancellations
    withdrawn = _bill_after_cancelling(w, withdrawn_order)
    standing = _bill_after_cancelling(w, standing_order)

    first = w.run()

    assert first["exit_code"] == 1 and first["counters"]["action_needed"] == 2, first
    for order, invoice in ((withdrawn_order, withdrawn), (standing_order, standing)):
        state, message = _row(w, invoice["id"])
        assert state is State.ACTION_NEEDED and message is not None
        assert order["id"] in message and "cancelled in Nue" in message  # which order, and why
        assert "cancel the invoice in Nue" in message and "hub retry" in message  # what to do
        assert w.ns_get("invoice", external_id("inv", invoice["id"])) is None
        assert w.ns_get("salesorder", external_id("so", order["id"])) is not None
    assert w.run()["counters"]["action_needed"] == 0  # a re-run does not ask again

    # the two fixes: one invoice is withdrawn in Nue, the other is confirmed as standing
    w.nue("POST", "/billing/invoices:cancel", {"invoiceIds": [withdrawn["id"]]})
    w.configure(params={**PARAMS, "transfer_cancelled_order_invoices": True})
    code, retried = w.cli("hub", "retry", "--state", "action_needed", "--flow", FLOW)
    assert code == 0, retried

    second = w.run()

    assert second["exit_code"] == 0, second
    assert second["counters"]["transferred"] == 1 and second["counters"]["skipped"] == 1, second
    assert _row(w, withdrawn["id"])[0] is State.SKIPPED
    assert w.ns_get("invoice", external_id("inv", withdrawn["id"])) is None
    assert _row(w, standing["id"])[0] is State.TRANSFERRED
    sent = w.ns_get("invoice", external_id("inv", standing["id"]))
    assert sent is not None and D(str(sent["total"])) == D(str(standing["amount"]))
    assert w.mirrored()[external_id("inv", standing["id"])] == 1
    assert w.run()["requests"].get("netsuite", 0) == 0  # settled: nothing more to send
