"""The ``budget-writeback`` flow: approved Pigment budget versions → NetSuite budgets (``budgetimport``).

One run: read the Version list and keep the approved versions of the written-back types; export the Budget
view and the Account / Entity / Department lists (names → codes); group each version's cells into NetSuite
budget lines (one per Pigment account, entity, department and calendar year, twelve months each); stage a
hub row per line plus one per version (payload: approval, line count, content fingerprint); link the version
row to its lines and, when the version is new or changed, append an audit event naming the version and its
approver/time; then let the executor upsert the due lines (``writer.py``).

Idempotent: unchanged lines stage as unchanged and are not written again; a changed cell reopens exactly the
line it belongs to; lines that left the version are re-sent as zeros.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.engine.executor import Executor
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.planning.clients import typed_connection
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog
from ledgerbridge.hub import HubStore, RecordView, StagedRecord

from .lines import LINE_TYPE, line_records, removed_lines, version_record
from .params import FLOW_NAME, BudgetParams
from .pigment_side import Version, approved_versions, budget_cells, code_map, list_rows
from .writer import BudgetWriter

#: the relation of a version row to each of its line rows in the hub
LINK = "budget_line"


class BudgetWriteback:
    """Approved Pigment budget versions → NetSuite budget lines."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = BudgetParams.from_mapping(ctx.params)
        pigment = typed_connection(ctx, params.source, PigmentClient, "Pigment", role="source")
        netsuite = typed_connection(ctx, params.target, NetSuiteClient, "NetSuite", role="target")
        dims = PlanningDimensions.from_mappings(ctx.mappings, ctx.params)
        outcome = RunOutcome()
        catalog = PigmentCatalog(pigment)

        ctx.progress.start(None, "reading approved budget versions from Pigment")
        versions = approved_versions(
            await list_rows(pigment, catalog, params.version_list, "version_list"), params
        )
        if versions:
            codes = {
                "account": code_map(
                    await list_rows(pigment, catalog, params.account_list, "account_list"),
                    params.account_list,
                    params.code_property,
                ),
                "entity": code_map(
                    await list_rows(pigment, catalog, params.entity_list, "entity_list"),
                    params.entity_list,
                    params.code_property,
                ),
                "department": code_map(
                    await list_rows(pigment, catalog, params.department_list, "department_list"),
                    params.department_list,
                    params.code_property,
                ),
            }
            cells = await budget_cells(pigment, catalog, params, versions, codes)
            outcome.add(extracted=len(cells))
            ctx.progress.advance(len(cells))
            known = await asyncio.to_thread(self._known, ctx.hub)
            for version in versions:
                lines = line_records([c for c in cells if c.version == version.name], dims.version)
                lines += removed_lines(known, version.name, lines)
                head = version_record(version.name, version.code, lines, version.approver)
                if ctx.dry_run:
                    before = {(r.source_system, r.source_type, r.source_id): r.payload for r in known}
                    for record in lines:
                        if before.get(record.key) != record.payload:
                            outcome.add_dry_run_payload(
                                target_system=record.target_system,
                                target_type=record.target_type,
                                external_id=record.external_id,
                                payload=record.payload,
                            )
                    continue
                staged = await asyncio.to_thread(self._stage, ctx, version, head, lines)
                outcome.add(staged=staged)
        else:
            outcome.notes.append("no approved budget version in Pigment: nothing to write back")
        ctx.progress.finish()

        executor = Executor(
            ctx.hub,
            FLOW_NAME,
            BudgetWriter(netsuite, dims, params),
            batch_size=params.batch_size,
            lease_seconds=params.lease_seconds,
            max_attempts=params.max_attempts,
            dry_run=ctx.dry_run,
            run_id=ctx.run_id,
        )
        ctx.progress.start(None, "writing NetSuite budget lines")
        report = await executor.run_once()
        ctx.progress.finish()
        outcome.add_executor_report(report)
        return outcome

    @staticmethod
    def _known(hub: HubStore) -> list[RecordView]:
        rows: list[RecordView] = []
        while True:
            page = hub.list(flow=FLOW_NAME, limit=1000, offset=len(rows))
            rows.extend(page)
            if len(page) < 1000:
                return rows

    @staticmethod
    def _stage(ctx: FlowContext, version: Version, head: StagedRecord, lines: Sequence[StagedRecord]) -> int:
        """Stage the version and its lines; link and audit a new or changed version. Returns rows staged."""
        before = ctx.hub.find(FLOW_NAME, *head.key)
        result = ctx.hub.stage(FLOW_NAME, [head, *lines], run_id=ctx.run_id)
        head_id, line_ids = result.ids[0], result.ids[1:]
        changed = before is None or before.payload != ctx.hub.require(head_id).payload
        if changed:
            for line_id in line_ids:
                ctx.hub.link(head_id, line_id, LINK)
            seen_at = ctx.now().isoformat()
            approver = version.approver or "not recorded in Pigment"
            ctx.hub.record_event(
                head_id,
                actor="pigment" if version.approver is None else version.approver,
                action="budget_version_approved",
                reason=f"Pigment budget version '{version.name}' ({version.code}) approved "
                f"(approver: {approver}; seen approved at {seen_at}); {len(line_ids)} NetSuite "
                "budget line(s) staged",
                detail={
                    "version": version.name,
                    "version_code": version.code,
                    "approver": version.approver,
                    "seen_at": seen_at,
                    "lines": len(line_ids),
                    "fingerprint": head.payload["fingerprint"],
                },
                run_id=ctx.run_id,
            )
        return result.new + result.changed - (1 if changed else 0)


__all__ = ["LINE_TYPE", "LINK", "BudgetWriteback"]
