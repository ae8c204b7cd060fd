"""Lines that cannot reach Nue end action_needed (a person must act) or skipped (nothing to do), with a
message saying why; after the fix, `ledgerbridge hub retry` and the next run apply them."""

from __future__ import annotations

import json
from decimal import Decimal as D

from typer.testing import CliRunner

from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.interfaces.cli.main import app

from .support import World


async def test_a_payment_on_a_cancelled_nue_invoice_needs_a_person_then_retry_applies_it(
    world: World,
) -> None:
    customer = await world.customer()
    good = await world.invoice(customer, "100.00")
    cancelled = await world.invoice(customer, "200.00")
    await world.nue.cancel_invoices([cancelled[0]])
    await world.payment(customer, "250.00", [(good[1], "100.00"), (cancelled[1], "150.00")])

    first = await world.run()

    assert first.exit_code == 1 and first.outcome is not None
    assert (first.outcome.transferred, first.outcome.action_needed) == (1, 1)
    (stuck,) = world.rows("action_needed")
    assert stuck.error_message is not None
    assert "is Canceled" in stuck.error_message and "hub retry" in stuck.error_message
    assert (await world.nue_invoice(good[0])).payment_status == "Paid"  # the good line was not held back
    assert (await world.nue_invoice(cancelled[0])).applications() == []

    # the fix: the charges were re-issued in Nue on a new invoice, and the NetSuite invoice now mirrors it
    reissued = await world.invoice(customer, "200.00", mirror=False)
    await world.ns.update("invoice", cancelled[1], {"externalId": external_id("inv", reissued[0])})
    retried = CliRunner().invoke(app, ["hub", "retry", str(stuck.id), "--reason", "re-issued", "--json"])
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.stdout) == {"retried": 1}

    second = await world.run()

    assert second.exit_code == 0, second.error
    assert world.hub.require(stuck.id).state.value == "transferred"
    now_paid = await world.nue_invoice(reissued[0])
    assert (now_paid.payment_status, now_paid.balance) == ("PartiallyPaid", D("50.00"))
    assert (await world.nue_invoice(cancelled[0])).applications() == []


async def test_applications_to_documents_not_mirrored_from_nue_are_skipped_with_a_reason(
    world: World,
) -> None:
    customer = await world.customer()
    mirrored = await world.invoice(customer, "100.00")
    # an invoice keyed in NetSuite by hand: no lb-nue-inv- external id
    manual = await world.ns.create(
        "invoice",
        {
            "entity": {"id": customer[1]},
            "item": {"items": [{"item": {"id": world.ns_item}, "amount": "80.00"}]},
        },
    )
    await world.payment(customer, "180.00", [(mirrored[1], "100.00"), (manual, "80.00")])

    result = await world.run()

    assert result.exit_code == 0, result.error
    row = world.hub.find(
        "erp-payments-to-billing", "netsuite", "customerpayment.apply", _line_of(world, manual)
    )
    assert row is not None and row.state.value == "skipped"
    reason = world.hub.audit(row.id)[-1].reason
    assert reason is not None and "is not mirrored from Nue" in reason
    assert (await world.nue_invoice(mirrored[0])).payment_status == "Paid"


def _line_of(world: World, doc_id: str) -> str:
    (row,) = [r for r in world.rows() if r.source_id.endswith(f":{doc_id}")]
    return row.source_id


async def test_an_amount_changed_in_netsuite_after_it_was_applied_needs_a_person(world: World) -> None:
    customer = await world.customer()
    invoice = await world.invoice(customer, "200.00")
    payment = await world.payment(customer, "150.00", [(invoice[1], "150.00")])
    assert (await world.run()).exit_code == 0
    await world.ns.update(
        "customerpayment",
        payment,
        {
            "payment": "120.00",
            "apply": {"items": [{"doc": {"id": invoice[1]}, "apply": True, "amount": "120.00"}]},
        },
    )

    result = await world.run()

    assert result.exit_code == 1 and result.outcome is not None and result.outcome.action_needed == 1
    (row,) = world.rows("action_needed")
    assert row.error_message is not None
    assert "NetSuite now applies 120.00 but Nue already holds 150.00" in row.error_message
    nue_invoice = await world.nue_invoice(invoice[0])
    assert (nue_invoice.balance, len(nue_invoice.applications())) == (D("50.00"), 1)  # nothing re-applied


async def test_a_dry_run_shows_the_lines_and_writes_nothing(world: World) -> None:
    customer = await world.customer()
    invoice = await world.invoice(customer, "100.00")
    await world.payment(customer, "100.00", [(invoice[1], "100.00")])

    result = await world.run(dry_run=True)

    assert result.exit_code == 0 and result.outcome is not None
    mine = [p for p in result.outcome.dry_run_payloads if p["payload"].get("netsuite_doc_id") == invoice[1]]
    assert [(p["target_type"], p["payload"]["amount"]) for p in mine] == [
        ("payment_application", D("100.00"))
    ]
    assert world.rows() == []
    assert world.hub.get_checkpoint("erp-payments-to-billing", "netsuite.applications") is None
    assert (await world.nue_invoice(invoice[0])).applications() == []
