"""An application removed in NetSuite after it reached Nue: a credit is unapplied in Nue, once; a payment,
which Nue's API cannot reverse, asks a person."""

from __future__ import annotations

from decimal import Decimal as D

from .support import World


async def test_a_credit_unapplied_in_netsuite_is_unapplied_in_nue_once(world: World) -> None:
    customer = await world.customer()
    small = await world.invoice(customer, "100.00")
    large = await world.invoice(customer, "200.00")
    memo = await world.credit_memo(customer, "250.00", [(small[1], "100.00"), (large[1], "150.00")])
    assert (await world.run()).exit_code == 0
    await world.ns.update(
        "creditmemo", memo[1], {"apply": {"items": [{"doc": {"id": large[1]}, "apply": False}]}}
    )

    for _ in range(2):
        result = await world.run()
        assert result.exit_code == 0, result.error

    restored = await world.nue_invoice(large[0])
    assert (restored.payment_status, restored.balance) == ("Open", D("200.00"))
    assert sorted(a.amount for a in restored.applications()) == [D("-150.00"), D("150.00")]
    nue_memo = await world.nue_memo(memo[0])
    assert (nue_memo.status, nue_memo.balance) == ("PartiallyApplied", D("150.00"))
    assert (await world.nue_invoice(small[0])).payment_status == "Paid"  # the other line is untouched


async def test_a_payment_line_removed_in_netsuite_asks_a_person(world: World) -> None:
    customer = await world.customer()
    small = await world.invoice(customer, "100.00")
    large = await world.invoice(customer, "200.00")
    payment = await world.payment(customer, "250.00", [(small[1], "100.00"), (large[1], "150.00")])
    assert (await world.run()).exit_code == 0
    await world.ns.update(
        "customerpayment",
        payment,
        {"payment": "100.00", "apply": {"items": [{"doc": {"id": large[1]}, "apply": False}]}},
    )

    result = await world.run()

    assert result.exit_code == 1 and result.outcome is not None and result.outcome.action_needed == 1
    (row,) = world.rows("action_needed")
    assert row.error_message is not None and "cannot reverse a payment" in row.error_message
    assert (await world.nue_invoice(large[0])).balance == D("50.00")  # unchanged until a person acts
