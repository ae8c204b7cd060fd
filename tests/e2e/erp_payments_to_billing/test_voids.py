"""A void in NetSuite reaches Nue: a voided invoice or credit memo cancels the Nue document it mirrors,
once; half of a split invoice voided asks a person; a document Nue never knew is skipped."""

from __future__ import annotations

import httpx

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.flows.erp_payments_to_billing.voids import SOURCE_TYPE
from ledgerbridge.hub import StagedRecord

from .support import World


async def _void(world: World, record_type: str, internal_id: str) -> None:
    """A person presses Void in NetSuite's UI (the emulator's control route; NetSuite has no REST void)."""
    base = world.sandbox.urls["netsuite"]
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        answer = await http.post(f"/_sandbox/netsuite/records/{record_type}/{internal_id}/void")
    assert answer.status_code == 200, answer.text


async def test_an_invoice_voided_in_netsuite_cancels_the_nue_invoice_once(world: World) -> None:
    customer = await world.customer()
    invoice = await world.invoice(customer, "120.00")
    assert (await world.run()).exit_code == 0
    await _void(world, "invoice", invoice[1])

    for _ in range(2):
        result = await world.run()
        assert result.exit_code == 0, result.error

    assert (await world.nue_invoice(invoice[0])).status == "Canceled"
    (row,) = [r for r in world.rows() if r.source_type == SOURCE_TYPE]
    assert (row.state.value, row.target_id, row.attempts) == ("transferred", invoice[0], 1)


async def test_a_voided_credit_memo_is_unapplied_then_cancelled_in_nue(world: World) -> None:
    customer = await world.customer()
    small = await world.invoice(customer, "100.00")
    memo = await world.credit_memo(customer, "100.00", [(small[1], "100.00")])
    assert (await world.run()).exit_code == 0
    assert (await world.nue_invoice(small[0])).payment_status == "Paid"
    await _void(world, "creditmemo", memo[1])

    result = await world.run()

    assert result.exit_code == 0, result.error
    restored = await world.nue_invoice(small[0])
    assert (restored.payment_status, str(restored.balance)) == ("Open", "100.00")
    assert (await world.nue_memo(memo[0])).status == "Canceled"


async def test_a_voided_invoice_nue_never_knew_is_skipped(world: World) -> None:
    customer = await world.customer()
    ns_only = await world.ns.create(
        "invoice",
        {
            "entity": {"id": customer[1]},
            "item": {"items": [{"item": {"id": world.ns_item}, "amount": "5.00"}]},
        },
    )
    await _void(world, "invoice", ns_only)

    result = await world.run()

    assert result.exit_code == 0, result.error
    (row,) = [r for r in world.rows() if r.source_type == SOURCE_TYPE]
    assert row.state.value == "skipped"
    assert any("does not mirror a Nue document" in (event.reason or "") for event in world.hub.audit(row.id))


async def test_half_of_a_split_invoice_voided_asks_a_person(world: World) -> None:
    customer = await world.customer()
    invoice = await world.invoice(customer, "80.00")
    # the same Nue invoice billed two sales orders: billing-to-erp made a second NetSuite invoice for it,
    # and its hub row names the Nue invoice as "<invoice>/<order>"
    second_eid = f"{external_id('inv', invoice[0])}-order2"
    second = await world.ns.upsert(
        "invoice",
        second_eid,
        {
            "entity": {"id": customer[1]},
            "item": {"items": [{"item": {"id": world.ns_item}, "amount": "20.00"}]},
        },
    )
    mirrored = StagedRecord(
        source_system="nue",
        source_type="invoice",
        source_id=f"{invoice[0]}/order2",
        external_id=second_eid,
        target_system="netsuite",
        target_type="invoice",
        payload={},
    )
    world.hub.stage("billing-to-erp", [mirrored])
    await _void(world, "invoice", invoice[1])

    result = await world.run()

    assert result.exit_code == 1
    (row,) = [r for r in world.rows() if r.source_type == SOURCE_TYPE]
    assert row.state.value == "action_needed" and "are not" in (row.error_message or "")
    assert (await world.nue_invoice(invoice[0])).status == "Active"
    await _void(world, "invoice", second)
    code = world.hub.retry([row.id], actor="test")
    assert code == 1
    assert (await world.run()).exit_code == 0
    assert (await world.nue_invoice(invoice[0])).status == "Canceled"
