"""billing-to-erp's two modes over real HTTP: realtime (Nue's change feed says what changed; a run with
nothing new costs one Nue request and no NetSuite request) and scheduled batch (staged as pending every run,
sent once per ``batch.interval``, driven by an injected clock)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from ledgerbridge.config.loader import load_workspace
from ledgerbridge.engine.limits import LimiterRegistry
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.flows.billing_to_erp import BillingToErp
from ledgerbridge.flows.billing_to_erp.feed import FEED_STREAM
from ledgerbridge.flows.billing_to_erp.schedule import SEND_STREAM
from ledgerbridge.hub import State
from ledgerbridge.interfaces.cli.run_cmds import flow_params
from ledgerbridge.runtimes.local.connections import open_connections
from tests.e2e.billing_to_erp.support import FLOW, D, World, world

PARAMS = {"transfer_invoices_from": "2020-01-01"}


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub_url: str) -> Iterator[World]:
    monkeypatch.chdir(tmp_path)
    with world(tmp_path, hub_url) as running:
        yield running


def _sell(w: World, entry: str, name: str) -> dict[str, Any]:
    customer = w.customer(name, customerSince="2025-01-01")
    return {**w.order(customer, {"priceBookEntryId": entry, "quantity": 2}), "customer": customer}


def _state(w: World, source_type: str, source_id: str) -> State:
    with w.hub() as hub:
        found = hub.find(FLOW, "nue", source_type, source_id)
        assert found is not None, (source_type, source_id)
        return found.state


def test_realtime_follows_the_change_feed_and_an_idle_run_costs_one_nue_request(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    first_order = _sell(w, entries["PRO"], "Acme")
    first_invoice = w.invoice(first_order["id"])
    w.configure(params=PARAMS)

    first = w.run()

    assert first["exit_code"] == 0 and first["counters"]["transferred"] >= 4, first
    assert w.ns_get("salesorder", external_id("so", first_order["id"])) is not None
    assert w.ns_get("invoice", external_id("inv", first_invoice["id"])) is not None
    with w.hub() as hub:
        assert hub.get_checkpoint(FLOW, FEED_STREAM) is not None  # the feed is followed from now on

    idle = w.run()

    assert idle["counters"]["staged"] == 0 and idle["counters"]["transferred"] == 0, idle
    assert idle["requests"].get("nue", 0) <= 2, idle["requests"]
    assert idle["requests"].get("netsuite", 0) == 0, idle["requests"]

    # a change in Nue reaches NetSuite in the very next run, and only the changed streams are read
    second_order = _sell(w, entries["PRO"], "Beta")
    second_invoice = w.invoice(second_order["id"])

    changed = w.run()

    assert changed["exit_code"] == 0 and changed["counters"]["transferred"] >= 4, changed
    sales_order = w.ns_get("salesorder", external_id("so", second_order["id"]))
    invoice = w.ns_get("invoice", external_id("inv", second_invoice["id"]))
    assert sales_order is not None and invoice is not None
    assert D(str(invoice["total"])) == D(str(second_invoice["amount"]))
    assert w.mirrored()[external_id("so", first_order["id"])] == 1  # the first order was not re-sent
    assert w.run()["requests"].get("netsuite", 0) == 0


def test_realtime_a_change_outside_the_flow_reads_no_record_stream(w: World) -> None:
    w.configure(params=PARAMS)
    assert w.run()["exit_code"] == 0
    w.products(("Pro", "PRO", "Subscription", D("100")))  # product events: items are made on demand

    quiet = w.run()

    assert quiet["requests"].get("nue", 0) == 1, quiet["requests"]  # the feed only
    assert quiet["counters"]["extracted"] == 0, quiet


# ---- scheduled batch ------------------------------------------------------------------------------------


def _schedule(w: World, interval: str) -> None:
    yaml = YAML(typ="rt")
    data = yaml.load(w.config.read_text(encoding="utf-8"))
    for flow in data["flows"]:
        if flow["name"] == FLOW:
            flow["batch"] = {"mode": "scheduled", "interval": interval}
    with w.config.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def _run_at(w: World, moment: datetime) -> RunOutcome:
    """One run of the flow with the clock fixed at ``moment`` (the CLI always uses the wall clock)."""

    async def go() -> RunOutcome:
        workspace = load_workspace(w.config)
        config = next(flow for flow in workspace.flows if flow.name == FLOW)
        names = {"nue": True, "netsuite": True}
        async with open_connections(workspace, names=names, registry=LimiterRegistry()) as clients:
            with w.hub() as hub:
                ctx = FlowContext(
                    run_id=None,
                    flow=FLOW,
                    params=flow_params(config),
                    hub=hub,
                    connections=clients,
                    clock=lambda: moment,
                    mappings=workspace.mappings,
                )
                return await BillingToErp().run(ctx)

    return asyncio.run(go())


def test_scheduled_parks_records_as_pending_and_sends_once_the_interval_has_passed(w: World) -> None:
    entries = w.products(("Pro", "PRO", "Subscription", D("100")))
    first_order = _sell(w, entries["PRO"], "Acme")
    w.configure(params=PARAMS)
    _schedule(w, "2m")
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    opening = _run_at(w, start)  # a flow that never sent sends at once

    assert opening.transferred >= 3 and opening.exit_code == 0, opening
    assert w.ns_get("salesorder", external_id("so", first_order["id"])) is not None
    with w.hub() as hub:
        assert hub.get_checkpoint(FLOW, SEND_STREAM) == start.isoformat()

    second_order = _sell(w, entries["PRO"], "Beta")
    early = _run_at(w, start + timedelta(minutes=1))

    assert early.staged >= 3 and early.transferred == 0, early
    assert any("pending" in note and "08:02:00" in note for note in early.notes), early.notes
    assert _state(w, "order", second_order["id"]) is State.PENDING
    assert w.ns_get("salesorder", external_id("so", second_order["id"])) is None
    with w.hub() as hub:
        assert hub.get_checkpoint(FLOW, SEND_STREAM) == start.isoformat()  # no send, no new send time

    due = _run_at(w, start + timedelta(minutes=2, seconds=1))

    assert due.transferred >= 3 and due.staged == 0 and due.exit_code == 0, due
    assert _state(w, "order", second_order["id"]) is State.TRANSFERRED
    assert w.ns_get("salesorder", external_id("so", second_order["id"])) is not None
    assert w.ns_get("customer", external_id("cust", second_order["customer"])) is not None
    with w.hub() as hub:
        assert hub.get_checkpoint(FLOW, SEND_STREAM) == (start + timedelta(minutes=2, seconds=1)).isoformat()
    counts = w.mirrored()
    assert (
        counts[external_id("so", first_order["id"])] == 1
        and counts[external_id("so", second_order["id"])] == 1
    )
