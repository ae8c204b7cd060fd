"""Re-runs change nothing; a run killed midway, or whose Nue answers are lost, loses and duplicates
nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from ledgerbridge.connectors.nue.writes import PaymentRequest, PaymentResult
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.hub import HubStore

from .support import World


async def _snapshot(world: World, invoices: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """Per Nue invoice: balance, payment status and every application (id, amount)."""
    found = {}
    for invoice_id in invoices:
        invoice = await world.nue_invoice(invoice_id)
        applications = tuple(sorted((a.id, a.amount) for a in invoice.applications()))
        found[invoice_id] = (invoice.balance, invoice.payment_status, applications)
    return found


async def _three_invoices_paid_by_one_payment(world: World) -> list[str]:
    customer = await world.customer()
    invoices = [await world.invoice(customer, amount) for amount in ("100.00", "200.00", "300.00")]
    await world.payment(
        customer,
        "450.00",
        [(invoices[0][1], "100.00"), (invoices[1][1], "150.00"), (invoices[2][1], "200.00")],
    )
    return [nue_id for nue_id, _ in invoices]


def _expected(snapshot: dict[str, tuple[Any, ...]], invoices: list[str]) -> None:
    balances = [snapshot[i][:2] for i in invoices]
    assert balances == [(D("0"), "Paid"), (D("50.00"), "PartiallyPaid"), (D("100.00"), "PartiallyPaid")]
    assert [len(snapshot[i][2]) for i in invoices] == [1, 1, 1]


async def test_running_again_and_again_changes_nothing(world: World) -> None:
    invoices = await _three_invoices_paid_by_one_payment(world)
    first = await world.run()
    assert first.exit_code == 0 and first.outcome is not None and first.outcome.transferred == 3
    after_first = await _snapshot(world, invoices)
    _expected(after_first, invoices)
    rows_after_first = {(r.id, r.state, r.target_id, r.payload_hash) for r in world.rows()}

    for _ in range(3):
        again = await world.run()
        assert again.exit_code == 0 and again.outcome is not None
        assert (again.outcome.transferred, again.outcome.staged) == (0, 0)
        # the lookback re-read the payment: it was extracted again, and left alone
        assert again.outcome.extracted >= 3
        assert again.requests.get("nue", 0) == 0  # nothing was even asked of Nue
    assert await _snapshot(world, invoices) == after_first
    assert {(r.id, r.state, r.target_id, r.payload_hash) for r in world.rows()} == rows_after_first


async def test_even_a_lost_hub_applies_nothing_twice(world: World, tmp_path: Path) -> None:
    invoices = await _three_invoices_paid_by_one_payment(world)
    await world.run()
    before = await _snapshot(world, invoices)
    # the worst case: the hub is gone (a new, empty database), so every line is new to it and sent again;
    # Nue's idempotency keys, derived from the NetSuite lines, make the re-send a no-op
    with HubStore.open(f"sqlite:///{tmp_path / 'replacement-hub.db'}") as fresh:
        world.hub = fresh
        again = await world.run()
    assert again.exit_code == 0 and again.outcome is not None and again.outcome.transferred == 3
    assert await _snapshot(world, invoices) == before


async def test_a_run_killed_after_nue_applied_but_before_the_hub_heard_recovers_exactly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoices = await _three_invoices_paid_by_one_payment(world)
    real_pay = world.nue.pay_invoices
    calls = 0

    async def pay_then_die(requests: Sequence[PaymentRequest]) -> PaymentResult:
        nonlocal calls
        result = await real_pay(requests)
        calls += 1
        if calls == 2:
            # the process dies here: Nue committed the second line, the hub still has it in flight
            raise asyncio.CancelledError
        return result

    monkeypatch.setattr(world.nue, "pay_invoices", pay_then_die)
    with pytest.raises(asyncio.CancelledError):
        await world.run(batch_size=1, lease_seconds=0.5)
    assert [r.state for r in world.rows("in_flight")] != []
    monkeypatch.setattr(world.nue, "pay_invoices", real_pay)
    await asyncio.sleep(0.6)  # the dead worker's lease runs out

    restarted = await world.run(batch_size=1, lease_seconds=0.5)

    assert restarted.exit_code == 0, restarted.error
    assert restarted.outcome is not None
    assert any("already reached Nue" in note for note in restarted.outcome.notes)
    _expected(await _snapshot(world, invoices), invoices)
    nue_rows = [r for r in world.rows() if r.state.value == "transferred"]
    assert len(nue_rows) == 3 and all(r.target_id for r in nue_rows)


async def test_lost_answers_from_nue_are_retried_without_applying_twice(world: World) -> None:
    invoices = await _three_invoices_paid_by_one_payment(world)
    faults = f"{world.sandbox.urls['nue']}/_sandbox/faults"
    # Nue commits every write and then drops the answer: to us it looks like a timeout
    assert (
        await world.admin_http.post(faults, json={"drop_response_after_commit_rate": 1})
    ).status_code < 300
    first = await world.run(batch_size=1)
    assert first.outcome is not None and first.outcome.failed == 3
    assert {r.state.value for r in world.rows() if r.source_type == "customerpayment.apply"} >= {"failed"}
    assert (
        await world.admin_http.post(faults, json={"drop_response_after_commit_rate": 0})
    ).status_code < 300

    # the automatic retry is scheduled with backoff; wait for it rather than forcing it
    for _ in range(40):
        rerun = await world.run(batch_size=1)
        assert rerun.outcome is not None
        if not world.rows("failed"):
            break
        await asyncio.sleep(0.25)
    assert not world.rows("failed")
    _expected(await _snapshot(world, invoices), invoices)


async def test_a_run_killed_while_reading_netsuite_resumes_from_its_checkpoint(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoices = await _three_invoices_paid_by_one_payment(world)
    real_get = world.ns.get
    reads = 0

    async def get_then_die(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        if reads == 40:  # somewhere in the demo company's payments, before ours
            raise asyncio.CancelledError
        return await real_get(*args, **kwargs)

    monkeypatch.setattr(world.ns, "get", get_then_die)
    with pytest.raises(asyncio.CancelledError):
        await world.run(commit_every=10)
    # the chunks committed before the kill are staged (with their checkpoint); nothing reached Nue yet
    saved = world.hub.get_checkpoint("erp-payments-to-billing", "netsuite.applications")
    assert saved is not None and {r.state.value for r in world.rows()} == {"pending"}
    assert [len(entry[2]) for entry in (await _snapshot(world, invoices)).values()] == [0, 0, 0]
    monkeypatch.setattr(world.ns, "get", real_get)

    resumed = await world.run(commit_every=10)

    assert resumed.exit_code == 0, resumed.error
    _expected(await _snapshot(world, invoices), invoices)
    newest = world.hub.get_checkpoint("erp-payments-to-billing", "netsuite.applications")
    assert newest is not None and Cursor.decode(newest) > Cursor.decode(saved)
