"""The ``ar-ap-to-planning`` flow: open invoices (AR) and open vendor bills (AP) → Pigment's AR/AP block.

One run: (1) one keyset-paged SuiteQL query reads every invoice and bill with an amount remaining, dated on
or before the as-of date; (2) ``items.py`` ages them and maps each subsidiary to its Pigment entity; (3) one
hub row for the snapshot (source_id = the as-of date, payload = counts, totals per type, currency and bucket
and a digest of the file) is staged — unchanged, it is a no-op; (4) the executor hands a changed snapshot to
``OpenItemsWriter``, which pushes the full open set once.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import ClassVar
from zoneinfo import ZoneInfo

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.engine.executor import Executor
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.planning.clients import typed_connection
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.planning.reopen import stuck_to_reopen
from ledgerbridge.hub import StagedRecord

from .items import Snapshot, snapshot
from .params import FLOW_NAME, OpenItemsParams
from .source import open_documents
from .writer import PIGMENT, OpenItemsWriter

SOURCE_TYPE = "open-items"


def run_date(ctx: FlowContext, params: OpenItemsParams, netsuite: NetSuiteClient) -> date:
    """The as-of date: the param, else today in the param's zone, else in the NetSuite connection's zone
    (which is the workspace's unless the connection sets its own)."""
    if params.as_of is not None:
        return params.as_of
    zone = params.timezone or ZoneInfo(getattr(netsuite.settings, "timezone", None) or "UTC")
    return ctx.now().astimezone(zone).date()


def staged(found: Snapshot, mapping_version: str | None) -> StagedRecord:
    as_of = found.as_of.isoformat()
    return StagedRecord(
        source_system="netsuite",
        source_type=SOURCE_TYPE,
        source_id=as_of,
        external_id=f"lb-pig-open-items-{as_of}",
        target_system=PIGMENT,
        target_type="open-items",
        payload=found.payload(),
        mapping_version=mapping_version,
    )


class ArApToPlanning:
    """NetSuite open invoices and bills, aged → Pigment ``AR AP Open Items`` (the full open set each push)."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = OpenItemsParams.from_mapping(ctx.params)
        netsuite = typed_connection(ctx, params.source, NetSuiteClient, "NetSuite", role="source")
        pigment = typed_connection(ctx, params.target, PigmentClient, "Pigment", role="target")
        dimensions = PlanningDimensions.from_mappings(ctx.mappings, ctx.params)
        as_of = run_date(ctx, params, netsuite)
        outcome = RunOutcome()

        ctx.progress.start(None, "reading open invoices and bills")
        documents = await open_documents(netsuite, as_of, page_size=params.page_size)
        ctx.progress.advance(len(documents))
        ctx.progress.finish()
        found = snapshot(documents, dimensions, as_of)
        outcome.add(extracted=len(documents))
        if found.excluded:
            outcome.notes.append(f"{found.excluded} document(s) of subsidiaries mapped to '-' left out")
        record = staged(found, dimensions.version)

        if ctx.dry_run:
            outcome.add_dry_run_payload(
                target_system=PIGMENT,
                target_type="open-items",
                external_id=params.configuration,
                payload={**record.payload, "rows": found.rows},
            )
            return outcome

        reopen = await asyncio.to_thread(stuck_to_reopen, ctx.hub, FLOW_NAME, [record])
        result = await asyncio.to_thread(ctx.hub.stage, FLOW_NAME, [record], run_id=ctx.run_id)
        outcome.add(staged=result.new + result.changed)
        if reopen:
            # the snapshot changed since it failed (e.g. the missing mapping rows were added): try it again
            await asyncio.to_thread(
                ctx.hub.retry, reopen, actor=f"flow:{FLOW_NAME}", reason="NetSuite or the mappings changed"
            )
        writer = OpenItemsWriter(pigment, found, params.configuration)
        executor = Executor(
            ctx.hub,
            FLOW_NAME,
            writer,
            batch_size=10,
            lease_seconds=params.lease_seconds,
            max_attempts=params.max_attempts,
            run_id=ctx.run_id,
        )
        ctx.progress.start(None, "pushing the open set to Pigment")
        report = await executor.run_once()
        ctx.progress.finish()
        outcome.add(
            transferred=report.transferred,
            failed=report.failed,
            action_needed=report.action_needed,
            skipped=report.skipped,
        )
        if writer.report is not None:
            outcome.notes.append(
                f"open set of {as_of.isoformat()}: {len(found.rows)} document(s) pushed "
                f"({writer.report.inserted} new, {writer.report.updated} updated, "
                f"{writer.report.deleted} removed)"
            )
        elif not result.new and not result.changed:
            outcome.notes.append(f"open set of {as_of.isoformat()} unchanged: nothing pushed")
        return outcome
