"""NetSuite payments and credit memo applications reach the mirrored Nue invoices and credit memos, once."""

from __future__ import annotations

from decimal import Decimal as D

from ledgerbridge.engine.cursors import Cursor

from .support import World


async def test_a_payment_pays_one_invoice_in_full_and_another_in_part(world: World) -> None:
    customer = await world.customer()
    small = await world.invoice(customer, "100.00")
    large = await world.invoice(customer, "200.00")
    await world.payment(customer, "250.00", [(small[1], "100.00"), (large[1], "150.00")])

    result = await world.run()

    assert result.exit_code == 0, result.error
    paid, partly = await world.nue_invoice(small[0]), await world.nue_invoice(large[0])
    assert (paid.payment_status, paid.balance) == ("Paid", D("0"))
    assert (partly.payment_status, partly.balance) == ("PartiallyPaid", D("50.00"))
    assert [a.amount for a in paid.applications()] == [D("100.00")]
    assert [a.amount for a in partly.applications()] == [D("150.00")]
    assert result.outcome is not None and result.outcome.transferred == 2


async def test_a_credit_memo_applied_the_same_way_gives_the_same_states_and_is_applied(world: World) -> None:
    customer = await world.customer()
    small = await world.invoice(customer, "100.00")
    large = await world.invoice(customer, "200.00")
    memo = await world.credit_memo(customer, "250.00", [(small[1], "100.00"), (large[1], "150.00")])

    result = await world.run()

    assert result.exit_code == 0, result.error
    paid, partly = await world.nue_invoice(small[0]), await world.nue_invoice(large[0])
    assert (paid.payment_status, paid.balance) == ("Paid", D("0"))
    assert (partly.payment_status, partly.balance) == ("PartiallyPaid", D("50.00"))
    nue_memo = await world.nue_memo(memo[0])
    assert (nue_memo.status, nue_memo.balance) == ("Applied", D("0"))
    assert {(a.credit_memo_id, a.amount) for a in partly.applications()} == {(memo[0], D("150.00"))}


async def test_the_checkpoint_moves_past_payments_that_apply_nothing(world: World) -> None:
    customer = await world.customer()
    unapplied = await world.ns.create(
        "customerpayment", {"customer": {"id": customer[1]}, "payment": "75.00"}
    )

    result = await world.run(commit_every=1)

    assert result.exit_code == 0, result.error
    saved = world.hub.get_checkpoint("erp-payments-to-billing", "netsuite.applications")
    assert saved is not None and Cursor.decode(saved).tie == unapplied.zfill(12)
    assert not [r for r in world.rows() if r.source_id.startswith(f"{unapplied}:")]
