"""The invoice go-live date: the param when set, else the month of the first run, kept in the hub."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ledgerbridge.flows.base import FlowContext
from ledgerbridge.flows.billing_to_erp.flow import GO_LIVE_STREAM, _go_live
from ledgerbridge.flows.billing_to_erp.settings import BillingParams
from ledgerbridge.hub import HubStore


def _ctx(hub: HubStore, now: datetime, *, dry_run: bool = False) -> FlowContext:
    return FlowContext(
        run_id=None,
        flow="billing-to-erp",
        params={},
        hub=hub,
        connections={},
        dry_run=dry_run,
        clock=lambda: now,
    )


def test_first_run_month_is_remembered(hub: HubStore) -> None:
    params = BillingParams.parse({})

    assert _go_live(_ctx(hub, datetime(2026, 3, 17, tzinfo=UTC), dry_run=True), params) == date(2026, 3, 1)
    assert hub.get_checkpoint("billing-to-erp", GO_LIVE_STREAM) is None  # a dry run decides nothing
    assert _go_live(_ctx(hub, datetime(2026, 4, 2, tzinfo=UTC)), params) == date(2026, 4, 1)
    assert _go_live(_ctx(hub, datetime(2026, 9, 30, tzinfo=UTC)), params) == date(2026, 4, 1)


def test_the_param_wins(hub: HubStore) -> None:
    params = BillingParams.parse({"transfer_invoices_from": "2024-01-01"})

    assert _go_live(_ctx(hub, datetime(2026, 4, 2, tzinfo=UTC)), params) == date(2024, 1, 1)
    assert hub.get_checkpoint("billing-to-erp", GO_LIVE_STREAM) is None
