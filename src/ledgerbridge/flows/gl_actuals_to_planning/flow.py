"""The ``gl-actuals-to-planning`` flow: posted NetSuite GL → Pigment Actuals, one whole month per push.

One run: (1) detect the periods whose posting transactions changed since the checkpoint minus the
lookback (one aggregated SuiteQL) and stage one hub row per period with the checkpoint in the same hub
transaction; (2) let the executor load every due row (``writer.py``): aggregate the period in NetSuite,
map, push the month. Staging first means a crash anywhere loses nothing: staged periods are loaded by the
next run, unstaged ones are detected again because the checkpoint has not passed them.

With the ``periods`` param (period-close) the named periods are loaded in full now, whatever the
checkpoint and their rows' state, and the checkpoint is left alone.

A change of any mapping table (its content fingerprint) makes the next run treat every period as dirty,
so Pigment never keeps months mapped the old way.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.engine.checkpoints import CheckpointedStream
from ledgerbridge.engine.executor import Executor, ExecutorReport
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.planning.clients import typed_connection
from ledgerbridge.flows.planning.dimensions import PlanningDimensions
from ledgerbridge.flows.planning.months import month_label
from ledgerbridge.hub import StagedRecord

from .params import FLOW_NAME, GlActualsParams
from .source import DirtyPeriod, dirty_periods
from .staging import PERIOD, PERIOD_ACCOUNT, TARGET_TYPE, period_external_id, period_record
from .writer import ActualsWriter

#: the checkpoint stream of posting-transaction modification times
STREAM = "netsuite.gl"
#: the checkpoint holding the mapping fingerprint the loaded months were made with
MAPPING_STREAM = "mappings.version"


class GlActualsToPlanning:
    """NetSuite posted GL → Pigment Actuals (Month x Account x Entity x Department)."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = GlActualsParams.from_mapping(ctx.params)
        netsuite = typed_connection(ctx, params.source, NetSuiteClient, "NetSuite", role="source")
        pigment = typed_connection(ctx, params.target, PigmentClient, "Pigment", role="target")
        dims = PlanningDimensions.from_mappings(ctx.mappings, ctx.params)
        writer = ActualsWriter(
            netsuite,
            pigment,
            ctx.hub,
            dims,
            configuration=params.import_configuration,
            concurrency=params.concurrency,
            dry_run=ctx.dry_run,
            run_id=ctx.run_id,
        )
        outcome = RunOutcome()
        ctx.progress.start(None, "finding changed NetSuite periods")
        if params.periods:
            periods = await self._forced(ctx, netsuite, params, outcome)
        else:
            periods = await self._detect(ctx, netsuite, params, dims, outcome)
        ctx.progress.finish()
        if ctx.dry_run:
            await self._preview(ctx, writer, periods, params, outcome)
            return outcome
        if params.periods:
            # load now, before the executor: rows whose payload did not change are not due, and must load
            ctx.progress.start(len(periods), "loading periods into Pigment")
            await asyncio.gather(*(writer.load(self._payload(p, params), force=True) for p in periods))
            ctx.progress.finish()
        executor = Executor(
            ctx.hub,
            FLOW_NAME,
            writer,
            batch_size=params.batch_size,
            lease_seconds=params.lease_seconds,
            max_attempts=params.max_attempts,
            run_id=ctx.run_id,
        )
        ctx.progress.start(None, "loading periods into Pigment")
        report = await executor.run_once()
        ctx.progress.finish()
        self._count(report, outcome)
        if params.periods:
            self._count_forced(writer, periods, outcome)
        outcome.notes.append(
            f"{writer.pushes} month(s) pushed to Pigment"
            + (
                f"; {writer.unchanged} reloaded month(s) identical to the last push"
                if writer.unchanged
                else ""
            )
            + (f"; {report.recovered} period(s) recovered from a crashed run" if report.recovered else "")
        )
        return outcome

    @staticmethod
    def _payload(period: DirtyPeriod, params: GlActualsParams) -> dict[str, str]:
        return {"period_id": period.id, "month": month_label(period.start, params.month_format)}

    async def _detect(
        self,
        ctx: FlowContext,
        netsuite: NetSuiteClient,
        params: GlActualsParams,
        dims: PlanningDimensions,
        outcome: RunOutcome,
    ) -> list[DirtyPeriod]:
        stream = CheckpointedStream(ctx.hub, FLOW_NAME, STREAM, lookback=params.lookback)
        start = await asyncio.to_thread(stream.start)
        version = dims.version or ""
        loaded_with = await asyncio.to_thread(ctx.hub.get_checkpoint, FLOW_NAME, MAPPING_STREAM)
        # a mapping change re-maps every month: read them all (the first run does anyway)
        since = start.moment if start is not None and loaded_with == version else None
        periods = await dirty_periods(netsuite, since, from_period=params.from_period)
        outcome.add(extracted=len(periods))
        if ctx.dry_run:
            return periods
        records = [period_record(p, month_label(p.start, params.month_format), dims.version) for p in periods]
        result = await asyncio.to_thread(
            stream.commit, records, [p.cursor for p in periods], run_id=ctx.run_id
        )
        outcome.add(staged=result.new + result.changed)
        if loaded_with != version:
            await asyncio.to_thread(
                ctx.hub.stage, FLOW_NAME, [], checkpoint=(MAPPING_STREAM, version), run_id=ctx.run_id
            )
        return periods

    async def _forced(
        self, ctx: FlowContext, netsuite: NetSuiteClient, params: GlActualsParams, outcome: RunOutcome
    ) -> list[DirtyPeriod]:
        """The named periods (those with posted lines), staged without touching the checkpoint."""
        periods = await dirty_periods(netsuite, None, periods=params.periods)
        outcome.add(extracted=len(periods))
        missing = sorted(set(params.periods) - {p.id for p in periods}, key=int)
        if missing:
            outcome.notes.append(
                f"no posted lines in NetSuite period(s) {', '.join(missing)}: nothing to load"
            )
        if ctx.dry_run or not periods:
            return periods
        dims = PlanningDimensions.from_mappings(ctx.mappings, ctx.params)
        records: list[StagedRecord] = [
            period_record(p, month_label(p.start, params.month_format), dims.version) for p in periods
        ]
        result = await asyncio.to_thread(ctx.hub.stage, FLOW_NAME, records, run_id=ctx.run_id)
        outcome.add(staged=result.new + result.changed)
        return periods

    async def _preview(
        self,
        ctx: FlowContext,
        writer: ActualsWriter,
        periods: list[DirtyPeriod],
        params: GlActualsParams,
        outcome: RunOutcome,
    ) -> None:
        """A dry run: the file of every period that would load (detected now, or already due in the hub)."""
        wanted = {p.id: self._payload(p, params) for p in periods}
        due = await asyncio.to_thread(ctx.hub.preview_due, FLOW_NAME, limit=10_000)
        for record in due:
            period_id = str(record.payload["period_id"])
            wanted.setdefault(period_id, {"period_id": period_id, "month": str(record.payload["month"])})
        loads = await asyncio.gather(*(writer.load(payload) for payload in wanted.values()))
        for load in loads:
            if load.error is not None:
                outcome.add(failed=1)
                outcome.notes.append(f"{load.month}: {load.error}")
                continue
            outcome.add(action_needed=len(load.missing))
            outcome.add_dry_run_payload(
                target_system="pigment",
                target_type=TARGET_TYPE,
                external_id=period_external_id(load.period_id),
                payload={
                    "import_configuration": params.import_configuration,
                    "month": load.month,
                    "rows": load.rows,
                    "missing": {key: [list(g) for g in gap.missing] for key, gap in load.missing.items()},
                },
            )

    @staticmethod
    def _count(report: ExecutorReport, outcome: RunOutcome) -> None:
        outcome.add(
            transferred=report.transferred,
            failed=report.failed,
            action_needed=report.action_needed,
            skipped=report.skipped,
        )

    @staticmethod
    def _count_forced(writer: ActualsWriter, periods: list[DirtyPeriod], outcome: RunOutcome) -> None:
        """Forced periods whose rows the executor did not claim (unchanged, already transferred) still
        loaded now: count them, and their unmapped accounts, from the writer's cache."""
        for period in periods:
            load = writer.loads.get(period.id)
            if load is None:
                continue
            if (PERIOD, period.id) not in writer.claimed:
                outcome.add(**({"failed": 1} if load.error is not None else {"transferred": 1}))
            for gap in load.missing.values():
                if (PERIOD_ACCOUNT, f"{period.id}:{gap.account_id}") not in writer.claimed:
                    outcome.add(action_needed=1)
