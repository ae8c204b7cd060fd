"""billing-to-erp's mode params, the scheduled send clock kept in the hub, and the cancelled-order check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledgerbridge.connectors.nue import Invoice
from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.billing_to_erp.extract import cancelled_orders
from ledgerbridge.flows.billing_to_erp.schedule import next_send, record_send
from ledgerbridge.flows.billing_to_erp.settings import BillingParams
from ledgerbridge.flows.billing_to_erp.writer import cancelled_order_message
from ledgerbridge.hub import HubStore

FLOW = "billing-to-erp"


def test_mode_defaults_to_realtime_and_follows_the_flow_batch_unless_the_param_says() -> None:
    assert BillingParams.parse({}).send_mode == "realtime"
    scheduled = {"mode": "scheduled", "interval": timedelta(minutes=3), "size": 100}
    assert BillingParams.parse({"batch": scheduled}).send_mode == "scheduled"
    assert BillingParams.parse({"batch": scheduled, "mode": "realtime"}).send_mode == "realtime"
    with pytest.raises(ConfigError, match="mode"):
        BillingParams.parse({"mode": "hourly"})


def test_send_interval_from_the_batch_default_ten_minutes() -> None:
    assert BillingParams.parse({}).send_interval == timedelta(minutes=10)
    assert BillingParams.parse({"batch": {"interval": timedelta(seconds=30)}}).send_interval == timedelta(
        seconds=30
    )
    assert BillingParams.parse({"batch": {"interval": "1h30m"}}).send_interval == timedelta(minutes=90)
    with pytest.raises(ConfigError, match=r"batch\.interval"):
        _ = BillingParams.parse({"batch": {"interval": "soon"}}).send_interval


def test_the_next_send_is_one_interval_after_the_last_send_start(hub: HubStore) -> None:
    interval = timedelta(minutes=10)
    assert next_send(hub, FLOW, interval) is None  # never sent: send now
    started = datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC)

    record_send(hub, FLOW, started)

    assert next_send(hub, FLOW, interval) == started + interval
    record_send(hub, FLOW, started + interval)
    assert next_send(hub, FLOW, interval) == started + 2 * interval


def _invoice(orders: list[dict[str, Any]]) -> Invoice:
    return Invoice.model_validate(
        {
            "id": "inv-1",
            "customerId": "c-1",
            "status": "Active",
            "amount": "100.00",
            "balance": "100.00",
            "lastModifiedDate": "2026-11-23T08:00:00.000Z",
            "orders": orders,
        }
    )


def test_cancelled_orders_come_from_the_included_order_statuses() -> None:
    invoice = _invoice(
        [
            {"id": "o-2", "status": "Canceled"},
            {"id": "o-1", "status": "Activated"},
            {"id": "o-0", "status": "Canceled"},
        ]
    )

    assert cancelled_orders(invoice) == ["o-0", "o-2"]
    assert cancelled_orders(_invoice([])) == []


def test_the_message_names_the_invoice_the_orders_and_both_fixes() -> None:
    message = cancelled_order_message({"invoice_name": "INV-0001", "cancelled_orders": ["o-0", "o-2"]})

    assert "INV-0001" in message and "o-0, o-2" in message
    assert "cancel the invoice in Nue" in message
    assert "transfer_cancelled_order_invoices: true" in message
    assert "ledgerbridge hub retry --state action_needed --flow billing-to-erp" in message
