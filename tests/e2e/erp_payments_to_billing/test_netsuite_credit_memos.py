"""A credit memo made in NetSuite comes back to Nue once, and its applications with it."""

from __future__ import annotations

from decimal import Decimal as D

from .support import World


async def test_a_credit_memo_made_in_netsuite_is_created_in_nue_once_and_applied(world: World) -> None:
    customer = await world.customer()
    small = await world.invoice(customer, "100.00")
    large = await world.invoice(customer, "200.00")
    # keyed in NetSuite by hand: no lb-nue-cm- external id
    await world.ns.create(
        "creditmemo",
        {
            "entity": {"id": customer[1]},
            "item": {
                "items": [{"item": {"id": world.ns_item}, "amount": "250.00", "description": "Goodwill"}]
            },
            "apply": {
                "items": [
                    {"doc": {"id": small[1]}, "apply": True, "amount": "100.00"},
                    {"doc": {"id": large[1]}, "apply": True, "amount": "150.00"},
                ]
            },
        },
    )

    for _ in range(3):  # the first run creates and applies; the others find everything done
        result = await world.run()
        assert result.exit_code == 0, result.error

    memos = [m async for m in world.nue.credit_memos(filters={"customerId": customer[0]})]
    assert len(memos) == 1
    (memo,) = memos
    assert (memo.amount, memo.balance, memo.status) == (D("250.00"), D("0.00"), "Applied")
    paid, partly = await world.nue_invoice(small[0]), await world.nue_invoice(large[0])
    assert (paid.payment_status, paid.balance) == ("Paid", D("0"))
    assert (partly.payment_status, partly.balance) == ("PartiallyPaid", D("50.00"))
    assert [(a.credit_memo_id, a.amount) for a in partly.applications()] == [(memo.id, D("150.00"))]
    memo_row = world.hub.find("erp-payments-to-billing", "netsuite", "creditmemo", _memo_source(world))
    assert memo_row is not None and memo_row.target_id == memo.id


def _memo_source(world: World) -> str:
    (row,) = [r for r in world.rows() if r.source_type == "creditmemo" and r.state.value == "transferred"]
    return row.source_id
