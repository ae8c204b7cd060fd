"""The ``hierarchy-to-planning`` flow: NetSuite subsidiaries, departments, classes and accounts → the
Pigment dimension lists Entity, Department, Class and Account.

One run: (1) read the four lists (one keyset SuiteQL query each) and work out every Pigment row
(``members.py``); (2) stage one hub row per member — unchanged members stay as they are; (3) let the
executor hand the changed rows to ``HierarchyWriter``, which pushes each list with a change once, in full.
A re-run with nothing changed in NetSuite pushes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.engine.executor import Executor
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.planning.clients import typed_connection
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.planning.reopen import stuck_to_reopen
from ledgerbridge.hub import StagedRecord

from .members import ListPlan, Member, plan_list
from .params import FLOW_NAME, HierarchyParams
from .source import read_members
from .staging import PIGMENT, staged_records
from .writer import HierarchyWriter


class HierarchyToPlanning:
    """NetSuite list members (with parents) → Pigment dimension lists, upserted by Code."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = HierarchyParams.from_mapping(ctx.params)
        netsuite = typed_connection(ctx, params.source, NetSuiteClient, "NetSuite", role="source")
        pigment = typed_connection(ctx, params.target, PigmentClient, "Pigment", role="target")
        dimensions = PlanningDimensions.from_mappings(ctx.mappings, ctx.params)
        outcome = RunOutcome()

        ctx.progress.start(len(params.lists), "reading NetSuite lists")
        read = await asyncio.gather(
            *(read_members(netsuite, name, page_size=params.page_size) for name in params.lists)
        )
        ctx.progress.finish()
        members: dict[str, list[Member]] = dict(zip(params.lists, read, strict=True))
        plans: dict[str, ListPlan] = {
            name: plan_list(name, members[name], dimensions) for name in params.lists
        }
        records = [
            record
            for name in params.lists
            for record in staged_records(plans[name], members[name], dimensions.version)
        ]
        outcome.add(extracted=sum(len(found) for found in read))
        excluded = sum(len(plan.excluded) for plan in plans.values())
        if excluded:
            outcome.notes.append(f"{excluded} NetSuite member(s) mapped to '-' are not planned")

        if ctx.dry_run:
            changed = await asyncio.to_thread(self._changed, ctx, records)
            for name in params.lists:
                if any(record.payload["list"] == name for record in changed):
                    outcome.add_dry_run_payload(
                        target_system=PIGMENT,
                        target_type=f"list:{name}",
                        external_id=params.configurations[name],
                        payload={"rows": [row.csv(name) for row in plans[name].ordered()]},
                    )
            return outcome

        reopen = await asyncio.to_thread(stuck_to_reopen, ctx.hub, FLOW_NAME, records)
        result = await asyncio.to_thread(ctx.hub.stage, FLOW_NAME, records, run_id=ctx.run_id)
        outcome.add(staged=result.new + result.changed)
        if reopen:
            await asyncio.to_thread(
                ctx.hub.retry, reopen, actor=f"flow:{FLOW_NAME}", reason="NetSuite or the mappings changed"
            )

        writer = HierarchyWriter(pigment, plans, params.configurations)
        executor = Executor(
            ctx.hub,
            FLOW_NAME,
            writer,
            batch_size=params.batch_size,
            lease_seconds=params.lease_seconds,
            max_attempts=params.max_attempts,
            run_id=ctx.run_id,
        )
        ctx.progress.start(None, "pushing Pigment lists")
        report = await executor.run_once()
        ctx.progress.finish()
        outcome.add(
            transferred=report.transferred,
            failed=report.failed,
            action_needed=report.action_needed,
            skipped=report.skipped,
        )
        for name, pushed in writer.pushed.items():
            if isinstance(pushed, Exception):
                outcome.notes.append(f"{name}: not pushed: {pushed}")
            else:
                outcome.notes.append(
                    f"{name}: pushed {len(plans[name].rows)} item(s) "
                    f"({pushed.inserted} new, {pushed.updated} updated)"
                )
        if not writer.pushed:
            outcome.notes.append("no list member changed: nothing pushed")
        return outcome

    @staticmethod
    def _changed(ctx: FlowContext, records: list[StagedRecord]) -> list[StagedRecord]:
        """Records whose payload differs from the hub's (a dry run stages nothing, so it compares)."""
        changed: list[StagedRecord] = []
        for record in records:
            known: Any = ctx.hub.find(FLOW_NAME, *record.key)
            if known is None or known.payload != record.payload or known.state != "transferred":
                changed.append(record)
        return changed
