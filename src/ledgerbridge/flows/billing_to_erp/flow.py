"""The ``billing-to-erp`` flow: Nue customers, items, activated orders and invoices → NetSuite."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import ClassVar

from ledgerbridge.engine.executor import Executor
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.billing_to_erp import feed, schedule
from ledgerbridge.flows.billing_to_erp.bodies import ItemSettings
from ledgerbridge.flows.billing_to_erp.extract import NueReader
from ledgerbridge.flows.billing_to_erp.records import TARGET_ORDER
from ledgerbridge.flows.billing_to_erp.settings import BillingParams
from ledgerbridge.flows.billing_to_erp.writer import NetSuiteBillingWriter
from ledgerbridge.mapping import (
    GlAccountMapping,
    MappingTables,
    RecordTypeMapping,
    combined_version,
    gl_accounts,
    item_types,
)

#: the hub checkpoint holding the go-live date chosen on the first run
GO_LIVE_STREAM = "go-live"


def _go_live(ctx: FlowContext, params: BillingParams) -> date:
    """The first invoice date transferred: the param, else the month of the first run (kept in the hub)."""
    if params.transfer_invoices_from is not None:
        return params.transfer_invoices_from
    saved = ctx.hub.get_checkpoint(ctx.flow, GO_LIVE_STREAM)
    if saved is not None:
        return date.fromisoformat(saved)
    today = ctx.now().date()
    chosen = today.replace(day=1)
    if not ctx.dry_run:
        # years of Nue history must not flood the ERP on the first connection; earlier invoices are
        # history the ERP already holds. Saved so the cutover never moves on later runs.
        ctx.hub.stage(ctx.flow, [], checkpoint=(GO_LIVE_STREAM, chosen.isoformat()))
    return chosen


class BillingToErp:
    """Mirrors Nue billing into NetSuite: read what changed in Nue into the hub, then write due hub
    records by type — in the same run (realtime) or once per batch interval (scheduled)."""

    name: ClassVar[str] = "billing-to-erp"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = BillingParams.parse(ctx.params)
        nue = ctx.connection(params.source)
        netsuite = ctx.connection(params.target)
        tables = MappingTables(ctx.mappings)
        items = ItemSettings(
            record_types=RecordTypeMapping(
                tables.table("item_types", key_column=item_types.KEY_COLUMN, name=params.record_type_mapping)
            ),
            gl_accounts=GlAccountMapping(
                tables.table("gl_accounts", key_column=gl_accounts.KEY_COLUMN, name=params.gl_account_mapping)
            ),
            tax_schedule=params.tax_schedule,
        )
        outcome = RunOutcome()

        ctx.progress.start(None, "reading Nue")
        reader = NueReader(
            nue,
            ctx.hub,
            ctx.flow,
            params,
            outcome,
            run_id=ctx.run_id,
            dry_run=ctx.dry_run,
            item_mapping_version=combined_version([items.record_types.version, items.gl_accounts.version]),
            invoices_from=await asyncio.to_thread(_go_live, ctx, params),
        )
        # both modes learn what changed from Nue's change feed: a run with nothing new costs one request
        changes = await feed.changed_streams(nue, ctx.hub, ctx.flow)
        await reader.read(changes.streams)
        if changes.note is not None:
            outcome.notes.append(changes.note)
        if not ctx.dry_run:
            await asyncio.to_thread(feed.save_cursor, ctx.hub, ctx.flow, changes)
        ctx.progress.finish()

        send_started = ctx.now()
        if params.send_mode == "scheduled" and not ctx.dry_run:
            due = await asyncio.to_thread(schedule.next_send, ctx.hub, ctx.flow, params.send_interval)
            if due is not None and send_started < due:
                pending = (
                    (await asyncio.to_thread(ctx.hub.stats, ctx.flow)).get(ctx.flow, {}).get("pending", 0)
                )
                outcome.notes.append(
                    f"scheduled batch: {pending} record(s) pending in the hub, next send at {due.isoformat()}"
                )
                return outcome

        writer = NetSuiteBillingWriter(
            netsuite,
            ctx.hub,
            ctx.flow,
            items=items,
            skip_zero_invoices=params.skip_zero_invoices,
            transfer_cancelled_order_invoices=params.transfer_cancelled_order_invoices,
            credit_item=params.credit_item,
            subsidiary=params.subsidiary,
        )
        # dependency order: a sales order needs its customer and items, an invoice its sales order
        for target_type in TARGET_ORDER:
            ctx.progress.start(None, f"writing {target_type}")
            report = await Executor(
                ctx.hub,
                ctx.flow,
                writer,
                batch_size=params.batch_size,
                dry_run=ctx.dry_run,
                target_type=target_type,
                run_id=ctx.run_id,
            ).run_once()
            outcome.add_executor_report(report)
            ctx.progress.finish()
        if params.send_mode == "scheduled" and not ctx.dry_run:
            await asyncio.to_thread(schedule.record_send, ctx.hub, ctx.flow, send_started)
        return outcome
