"""Responses lost after NetSuite committed the write (what a crash mid-request looks like to a client):
re-running until done leaves exactly one NetSuite record per external id."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ledgerbridge.flows.billing_ids import external_id
from tests.e2e.billing_to_erp.support import D, World, world


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.chdir(tmp_path)
    with world(tmp_path) as running:
        yield running


def test_dropped_responses_neither_lose_nor_duplicate(w: World) -> None:
    entries = w.products(
        ("Pro", "PRO", "Subscription", D("100")), ("Credits", "CRED", "Entitlement", D("50"))
    )
    orders = []
    assets: list[str] = []
    for n in range(3):
        customer = w.customer(f"Customer {n}", customerSince="2025-01-01")
        activation = w.activate(
            customer,
            {"priceBookEntryId": entries["PRO"], "quantity": n + 1},
            {"priceBookEntryId": entries["CRED"], "quantity": 1},
        )
        orders.append(activation["order"])
        assets.append(activation["assets"][0]["assetNumber"])
        w.invoice(activation["order"]["id"])
    first = orders[0]
    w.change(
        {
            "changeType": "UpdateQuantity",
            "assetNumber": assets[0],
            "quantity": 2,
            "startDate": first["subscriptionStartDate"],
        }
    )
    w.configure(params={"transfer_invoices_from": "2020-01-01", "batch": {"size": 2}})
    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        answer = http.post("/_sandbox/faults", json={"drop_response_after_commit_rate": 0.4, "seed": 11})
        assert answer.status_code == 200, answer.text

    runs = 0
    while True:
        runs += 1
        summary = w.run()
        if summary["exit_code"] == 0 and summary["counters"]["transferred"] == 0 and runs > 1:
            break
        assert runs < 30, summary
        time.sleep(1.0)  # let automatic retries come due (backoff with jitter, seconds)

    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        stats = http.get("/_sandbox/stats").json()
        http.post("/_sandbox/faults", json={"drop_response_after_commit_rate": 0})
    assert stats["faults_injected_total"] > 0  # the faults really happened
    mirrored = w.mirrored()
    assert set(mirrored.values()) == {1}  # not one duplicate
    for order in orders:
        sales_order = w.ns_get("salesorder", external_id("so", order["id"]))
        assert sales_order is not None
    assert len(w.ns_get("salesorder", external_id("so", first["id"]))["item"]["items"]) == 3  # type: ignore[index]
    assert sum(key.startswith("lb-nue-inv-") for key in mirrored) == 3
