"""Kill -9 mid-run: `ledgerbridge run billing-to-erp` is SIGKILLed at seeded random moments while it moves
customers, items, sales orders and invoices into a (slowed) NetSuite emulator; after runs allowed to
finish, NetSuite holds every expected record exactly once (external-id lookups and a SuiteQL count per
external id) and the hub shows every record transferred."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, update

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.hub import State
from ledgerbridge.hub.store import DEFAULT_STALE_RUN
from ledgerbridge.hub.tables import run, sync_record
from tests.e2e.billing_to_erp.support import FLOW, D, World, world

CUSTOMERS = 6
ORDERS_PER_CUSTOMER = 3
TRIALS = 6
SEED = 20261123
#: NetSuite answers slowly enough that one full run takes seconds, so a kill lands mid-run
LATENCY_MS = 60
CLI = Path(sys.executable).with_name("ledgerbridge")


@pytest.fixture()
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.chdir(tmp_path)
    with world(tmp_path) as running:
        yield running


def _populate(w: World) -> dict[str, list[str]]:
    """Customers, products, activated orders and their invoices; the expected Nue ids per kind."""
    entries = w.products(
        ("Pro", "PRO", "Subscription", D("100")), ("Credits", "CRED", "Entitlement", D("50"))
    )
    expected: dict[str, list[str]] = {"cust": [], "prod": [], "so": [], "inv": []}
    products: set[str] = set()
    for n in range(CUSTOMERS):
        customer = w.customer(f"Customer {n}", customerSince="2025-01-01")
        expected["cust"].append(customer)
        for k in range(ORDERS_PER_CUSTOMER):
            order = w.order(
                customer,
                {"priceBookEntryId": entries["PRO"], "quantity": k + 1},
                {"priceBookEntryId": entries["CRED"], "quantity": 1},
            )
            products.update(str(line["productId"]) for line in order["orderProducts"])
            expected["so"].append(str(order["id"]))
            expected["inv"].append(str(w.invoice(str(order["id"]))["id"]))
    expected["prod"] = sorted(products)
    return expected


def _spawn(w: World, log: Path) -> subprocess.Popen[bytes]:
    """The real CLI in its own process, as an operator or a scheduler would start it."""
    return subprocess.Popen(
        [str(CLI), "--config", str(w.config), "run", FLOW, "--json"],
        cwd=w.root,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _let_the_dead_run_time_out(w: World) -> int:
    """Age what the killed process left behind exactly as the passing of time would, and nothing more.

    A SIGKILLed run cannot record its end or beat again, so the hub keeps its ``run`` row ``running`` until
    its last heartbeat is older than DEFAULT_STALE_RUN (2 min), and its claimed records ``in_flight`` until
    their lease (300 s) runs out. Waiting that long would make the test slow, so the heartbeat and the leases
    are moved into the past; the restarted process then takes the product's own paths: it closes the run as
    ``abandoned`` and recovers the expired leases by looking each record up in NetSuite by external id.
    Returns how many records the killed process left in flight.
    """
    past = datetime.now(UTC) - DEFAULT_STALE_RUN - timedelta(minutes=1)
    path = w.root / ".ledgerbridge" / "hub.db"
    if not path.exists():
        return 0  # killed before it opened the hub: nothing to age
    engine = create_engine(f"sqlite:///{path}")
    try:
        if not inspect(engine).has_table(run.name):
            # killed inside its first migration, whose one transaction rolled back: nothing to age
            return 0
        with engine.begin() as connection:
            connection.execute(
                update(run).where(run.c.status == "running").values(started_at=past, heartbeat_at=past)
            )
            leased = connection.execute(
                update(sync_record)
                .where(sync_record.c.state == State.IN_FLIGHT.value)
                .values(lease_until=past)
            )
    finally:
        engine.dispose()
    return int(leased.rowcount)


def _wait_for_in_flight(w: World, child: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Until the child has claimed records (or ended): the hub shows rows in flight."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if (w.root / ".ledgerbridge" / "hub.db").exists():
            store = w.hub()
            try:
                if store.stats(FLOW).get(FLOW, {}).get(State.IN_FLIGHT.value, 0):
                    return
            finally:
                store.close()
        time.sleep(0.1)


def _transferred(w: World) -> int:
    store = w.hub()
    try:
        return store.stats(FLOW).get(FLOW, {}).get(State.TRANSFERRED.value, 0)
    finally:
        store.close()


def _settled(w: World) -> bool:
    store = w.hub()
    try:
        counts = store.stats(FLOW).get(FLOW, {})
    finally:
        store.close()
    done = counts.get(State.TRANSFERRED.value, 0) + counts.get(State.SKIPPED.value, 0)
    return sum(counts.values()) > 0 and done == sum(counts.values())


@pytest.mark.slow
def test_sigkill_mid_run_then_restart_loses_and_duplicates_nothing(w: World, tmp_path: Path) -> None:
    expected = _populate(w)
    # batches of 2 make many NetSuite requests, so the kill windows fall between and inside batches
    w.configure(params={"transfer_invoices_from": "2020-01-01", "batch": {"size": 2}})
    with httpx.Client(base_url=w.urls["netsuite"]) as http:
        answer = http.post("/_sandbox/faults", json={"latency_ms": LATENCY_MS})
        assert answer.status_code == 200, answer.text

    rng = random.Random(SEED)
    log = tmp_path / "children.log"
    killed = 0
    progress: list[int] = []  # records transferred when each kill landed
    in_flight: list[int] = []  # records the killed process had claimed and not settled
    for _ in range(TRIALS):
        child = _spawn(w, log)
        # start-up takes 1-8 s on a busy 2-core box: kill at a random moment AFTER the work has begun
        _wait_for_in_flight(w, child)
        time.sleep(rng.uniform(0.0, 1.5))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        assert child.wait(timeout=30) in (-signal.SIGKILL, 0), log.read_text()[-3000:]
        in_flight.append(_let_the_dead_run_time_out(w))
        progress.append(_transferred(w))
    assert killed >= TRIALS // 2, f"only {killed} of {TRIALS} runs were still working when killed"
    total = sum(len(ids) for ids in expected.values())
    # the kills fell mid-transfer, not only before the first write or after the last
    assert any(0 < done < total for done in progress), progress
    # ... and at least one landed inside a write: claimed records the dead process never settled
    assert any(in_flight), in_flight

    # restart until done: a killed run leaves leases that expire, and retries that come due, on their own
    for _ in range(30):
        final = _spawn(w, log)
        assert final.wait(timeout=120) in (0, 1), log.read_text()[-3000:]
        if _settled(w):
            break
        time.sleep(1.0)
    assert _settled(w), w.hub().stats(FLOW)

    # NetSuite: every expected record exists exactly once, and nothing else of ours was created
    mirrored = w.mirrored()
    wanted = {external_id(kind, nue_id) for kind, ids in expected.items() for nue_id in ids}
    assert {key: count for key, count in mirrored.items() if count != 1} == {}
    assert set(mirrored) == wanted
    for kind, record_type in (("cust", "customer"), ("so", "salesorder"), ("inv", "invoice")):
        for nue_id in expected[kind]:
            assert w.ns_get(record_type, external_id(kind, nue_id)) is not None, (kind, nue_id)
    for so in expected["so"]:
        sales_order = w.ns_get("salesorder", external_id("so", so))
        assert sales_order is not None and len(sales_order["item"]["items"]) == 2, sales_order

    # the hub agrees: every record transferred, each linked to the NetSuite record it became
    store = w.hub()
    try:
        counts = store.stats(FLOW)[FLOW]
        assert counts[State.TRANSFERRED.value] >= len(wanted), counts
        recovered = 0
        for eid in sorted(wanted):
            view = store.find_by_external_id(eid)
            assert view is not None and view.state is State.TRANSFERRED, (eid, view)
            recovered += any(event.action == "recovery" for event in store.audit(view.id))
        # records a killed run had in flight were settled by an external-id lookup in NetSuite
        assert recovered > 0
    finally:
        store.close()
    print(
        f"kill test: {killed}/{TRIALS} killed; transferred {progress}, in flight {in_flight} at the kills; "
        f"{recovered} recovered by lookup"
    )
