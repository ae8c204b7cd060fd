"""The ``revenue-to-planning`` flow: NetSuite ARM revenue plans → Pigment's revenue and SaaS-metrics blocks.

One run: read every revenue plan line (one SuiteQL query, keyset-paged), compute each month's recognized /
deferred revenue per subsidiary and income account and MRR / active subscriptions per subsidiary
(``compute.py``), stage one hub row per (configuration, month) whose payload is the month's full content,
then let the executor push the rows that changed (``writer.py``). Unchanged months stage as unchanged and
are never pushed, so a run with nothing new makes no Pigment push at all.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.engine.executor import Executor
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.planning.clients import typed_connection
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.planning.months import month_label
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog
from ledgerbridge.hub import RecordView, StagedRecord

from .compute import covered_months, revenue_by_month, saas_by_month
from .params import FLOW_NAME, RevenueParams
from .source import read_plans
from .staging import revenue_record, saas_record, vanished, with_clearing
from .writer import RevenueSliceWriter


class RevenueToPlanning:
    """Recognized / deferred revenue and MRR / active subscriptions per month → Pigment."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = RevenueParams.from_mapping(ctx.params)
        netsuite = typed_connection(ctx, params.source, NetSuiteClient, "NetSuite", role="source")
        pigment = typed_connection(ctx, params.target, PigmentClient, "Pigment", role="target")
        dims = PlanningDimensions.from_mappings(ctx.mappings, ctx.params)
        outcome = RunOutcome()

        ctx.progress.start(None, "reading NetSuite revenue plans")
        plans, line_count = await read_plans(netsuite, page_size=params.page_size)
        ctx.progress.advance(line_count)
        ctx.progress.finish()
        outcome.add(extracted=line_count)

        months = covered_months(plans)
        # months the Pigment model does not have (beyond its horizon) are not staged: pushing them would
        # only come back as skipped rows; once a planner extends the Month list, the next run stages them
        horizon = await PigmentCatalog(pigment).item_names(params.month_list)
        beyond = [m for m in months if month_label(m, params.month_format) not in horizon]
        if beyond:
            months = [m for m in months if m not in set(beyond)]
            outcome.notes.append(
                f"{len(beyond)} month(s) of revenue plans beyond Pigment's {params.month_list} list not "
                f"loaded ({beyond[0]:%Y-%m} to {beyond[-1]:%Y-%m}); extend the list to load them"
            )
        revenue = revenue_by_month(plans, months)
        saas = saas_by_month(plans, months)
        version = dims.version
        records = [revenue_record(m, revenue[m], version) for m in months]
        records += [saas_record(m, saas[m], version) for m in months]
        known = await asyncio.to_thread(self._known, ctx)
        records = with_clearing(records, known)
        outside = {f"{m:%Y-%m}" for m in beyond}
        records += [r for r in vanished(known, records) if r.source_id not in outside]

        if ctx.dry_run:
            # nothing is written, the hub included: show the slices whose content differs from the hub's
            for record in self._changed(records, known):
                outcome.add_dry_run_payload(
                    target_system=record.target_system,
                    target_type=record.target_type,
                    external_id=record.external_id,
                    payload=record.payload,
                )
        elif records:
            result = await asyncio.to_thread(ctx.hub.stage, FLOW_NAME, records, run_id=ctx.run_id)
            outcome.add(staged=result.new + result.changed)

        executor = Executor(
            ctx.hub,
            FLOW_NAME,
            RevenueSliceWriter(pigment, dims, params),
            batch_size=params.batch_size,
            lease_seconds=params.lease_seconds,
            max_attempts=params.max_attempts,
            dry_run=ctx.dry_run,
            run_id=ctx.run_id,
        )
        ctx.progress.start(None, "pushing changed months to Pigment")
        report = await executor.run_once()
        ctx.progress.finish()
        outcome.add_executor_report(report)
        return outcome

    @staticmethod
    def _known(ctx: FlowContext) -> list[RecordView]:
        """Every month slice the hub holds for this flow (two per month: small)."""
        rows: list[RecordView] = []
        while True:
            page = ctx.hub.list(flow=FLOW_NAME, limit=1000, offset=len(rows))
            rows.extend(page)
            if len(page) < 1000:
                return rows

    @staticmethod
    def _changed(records: list[StagedRecord], known: list[RecordView]) -> list[StagedRecord]:
        before = {(r.source_system, r.source_type, r.source_id): r.payload for r in known}
        return [r for r in records if before.get(r.key) != r.payload]
