"""The ``period-close`` flow: when a NetSuite month closes, load its final actuals into Pigment, move the
forecast's switchover month, and send one Slack message and one email with budget vs actual.

One run (it is polled: an interval trigger, or a run by hand):

1. read every month period from NetSuite and compare with the hub (``periods.decide``): a newly closed
   month gets a close report row (revision 1, or n+1 after a reopen); a reported month that is open again
   gets a reopen notice; on the very first run, months already closed are recorded as the baseline;
2. for each due close report: run gl-actuals-to-planning for the period, push the forecast's switchover
   month and wait for the import, export budget vs actual, and store the report on the row together with
   the Slack and email rows that carry the rendered messages (one transaction);
3. send each due message once. Delivery is **at most once**: a message row left in flight by a crash may
   have been sent (Slack has no idempotency key and SMTP no lookup), so it becomes action_needed for a
   person to check instead of being re-sent.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from ledgerbridge.connectors.email.client import EmailClient
from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.slack.client import SlackClient
from ledgerbridge.engine.executor import default_owner
from ledgerbridge.engine.retry import backoff_delay
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, Retriable
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.flows.planning.clients import typed_connection
from ledgerbridge.flows.planning.months import DEFAULT_MONTH_FORMAT, month_label
from ledgerbridge.flows.planning.pigment_io import PigmentCatalog
from ledgerbridge.flows.registry import register
from ledgerbridge.hub import ClaimedRecord, Outcome, RecordView, StagedRecord, State

from . import messages, rows
from .params import FLOW_NAME, CloseParams
from .periods import (
    CLOSE,
    EMAIL,
    REOPEN,
    SLACK,
    AccountingPeriod,
    Decision,
    PeriodHistory,
    decide,
    histories,
    poll_periods,
    split_source_id,
    still_current,
)
from .report import CloseReport, largest, totals
from .steps import budget_vs_actual, incomplete_reasons, load_actuals, move_switchover

#: the hub checkpoint written once the first poll recorded its baseline
STREAM = "netsuite.periods"


@dataclass(frozen=True, slots=True)
class _Clients:
    netsuite: NetSuiteClient
    pigment: PigmentClient
    slack: SlackClient | None
    email: EmailClient | None


@dataclass(slots=True)
class _Computed:
    report: CloseReport | None = None
    switchover_import: str | None = None
    error: BaseException | None = None
    skipped: str | None = None


@register
class PeriodClose:
    """A NetSuite month closes → actuals, forecast switchover and a budget-vs-actual summary."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = CloseParams.from_mapping(ctx.params)
        clients = _Clients(
            netsuite=typed_connection(ctx, params.source, NetSuiteClient, "NetSuite", role="source"),
            pigment=typed_connection(ctx, params.target, PigmentClient, "Pigment", role="target"),
            slack=typed_connection(
                ctx, params.slack_connection, SlackClient, "Slack", role="slack_connection"
            )
            if params.slack_connection
            else None,
            email=typed_connection(
                ctx, params.email_connection, EmailClient, "email", role="email_connection"
            )
            if params.email_connection
            else None,
        )
        outcome = RunOutcome()
        ctx.progress.start(None, "reading NetSuite accounting periods")
        periods = await poll_periods(clients.netsuite)
        ctx.progress.finish()
        known = await asyncio.to_thread(ctx.hub.list, flow=FLOW_NAME, limit=1_000_000)
        history = histories(known)
        first_run = await asyncio.to_thread(ctx.hub.get_checkpoint, FLOW_NAME, STREAM) is None
        decisions = [
            found
            for period in periods
            if (
                found := decide(
                    period, history.get(period.id), first_run=first_run, report_from=params.report_from
                )
            )
        ]
        outcome.add(extracted=len([d for d in decisions if d.kind != "baseline"]))
        if ctx.dry_run:
            self._preview(decisions, outcome)
            return outcome
        await self._stage(ctx, params, decisions, clients, outcome)
        by_id = {period.id: period for period in periods}
        history = histories(await asyncio.to_thread(ctx.hub.list, flow=FLOW_NAME, limit=1_000_000))
        owner = default_owner()
        await self._reopens(ctx, params, owner, outcome)
        await self._closes(ctx, params, clients, periods, by_id, history, owner, outcome)
        await self._send(ctx, params, clients, owner, outcome)
        return outcome

    # ---- 1. what changed ----------------------------------------------------------------------------

    @staticmethod
    def _preview(decisions: Sequence[Decision], outcome: RunOutcome) -> None:
        """A dry run writes nothing (the hub included): it lists what the run would do."""
        for decision in decisions:
            if decision.kind == "baseline":
                continue
            period, revision = decision.period, decision.revision
            external = (
                rows.close_external_id(period.key, revision)
                if decision.kind == "report"
                else rows.reopen_external_id(period.key, revision)
            )
            outcome.add_dry_run_payload(
                target_system="pigment" if decision.kind == "report" else "netsuite",
                target_type=CLOSE if decision.kind == "report" else REOPEN,
                external_id=external,
                payload={**rows.period_payload(period, revision), "action": decision.kind},
            )

    async def _stage(
        self,
        ctx: FlowContext,
        params: CloseParams,
        decisions: Sequence[Decision],
        clients: _Clients,
        outcome: RunOutcome,
    ) -> None:
        records: list[StagedRecord] = []
        for decision in decisions:
            period, revision = decision.period, decision.revision
            if decision.kind == "reopened":
                records.append(rows.reopen_row(period, revision))
                if clients.slack is not None:
                    records.append(
                        rows.slack_row(
                            period,
                            revision,
                            messages.reopen_message(period, revision),
                            params.slack_channel,
                            reopen=True,
                        )
                    )
                outcome.notes.append(messages.reopen_text(period, revision))
                continue
            payload = {**rows.period_payload(period, revision), "status": decision.kind}
            if decision.kind == "baseline":
                payload["baseline"] = True
            records.append(rows.close_row(period, revision, payload))
        checkpoint = (STREAM, ctx.now().isoformat())
        result = await asyncio.to_thread(
            ctx.hub.stage, FLOW_NAME, records, checkpoint=checkpoint, run_id=ctx.run_id
        )
        outcome.add(staged=result.new + result.changed)

    # ---- 2. reopen notices ----------------------------------------------------------------------------

    async def _reopens(self, ctx: FlowContext, params: CloseParams, owner: str, outcome: RunOutcome) -> None:
        """A reopened period waits for a person: the row goes action_needed and says what was not done."""
        claimed = await self._claim(ctx, params, owner, REOPEN)
        results: list[Outcome] = []
        for record in claimed:
            period_name = str(record.payload.get("period_name", record.source_id))
            revision = int(record.payload.get("revision", 1))
            error = ActionNeeded(
                f"{period_name} was reopened in NetSuite after its close report (revision {revision}); its "
                "actuals in Pigment were not reloaded",
                hint="when it closes again, period-close sends a new close report; resolve this row once "
                "finance has acknowledged the reopen",
            )
            results.append(Outcome(record.id, error=error))
        await self._record(ctx, owner, results, outcome)

    # ---- 3. close reports -----------------------------------------------------------------------------

    async def _closes(
        self,
        ctx: FlowContext,
        params: CloseParams,
        clients: _Clients,
        periods: Sequence[AccountingPeriod],
        by_id: dict[str, AccountingPeriod],
        history: dict[str, PeriodHistory],
        owner: str,
        outcome: RunOutcome,
    ) -> None:
        due = await asyncio.to_thread(self._due, ctx, CLOSE)
        if not due:
            return
        catalog = PigmentCatalog(clients.pigment)
        computed: dict[int, _Computed] = {}
        staged: list[StagedRecord] = []
        for row in due:
            period_id, revision = split_source_id(row.source_id)
            period = by_id.get(period_id)
            if row.payload.get("baseline"):
                computed[row.id] = _Computed(skipped="closed before period-close started watching (baseline)")
                continue
            if period is None or not still_current(history.get(period_id), period, revision):
                computed[row.id] = _Computed(
                    skipped="the period was reopened before its close report went out"
                )
                continue
            ctx.progress.start(None, f"closing {period.name}")
            result = await self._compute(ctx, params, clients, catalog, periods, period, revision)
            ctx.progress.finish()
            computed[row.id] = result
            if result.report is not None:
                staged.extend(
                    await asyncio.to_thread(self._report_rows, ctx, params, clients, period, result.report)
                )
        if staged:
            await asyncio.to_thread(ctx.hub.stage, FLOW_NAME, staged, run_id=ctx.run_id)
        claimed = await self._claim(ctx, params, owner, CLOSE)
        results: list[Outcome] = []
        unknown: list[int] = []
        for record in claimed:
            found = computed.get(record.id)
            if found is None:
                unknown.append(record.id)
                continue
            result = found
            if result.error is not None:
                results.append(
                    Outcome(record.id, error=result.error, retry_at=self._retry_at(ctx, record, result.error))
                )
            elif result.skipped is not None:
                results.append(Outcome(record.id, skipped_reason=result.skipped))
            else:
                results.append(Outcome(record.id, target_id=result.switchover_import))
        if unknown:
            # became due between the listing and the claim (a retry): the next run handles them
            await asyncio.to_thread(ctx.hub.release, unknown, owner=owner, run_id=ctx.run_id)
        await self._record(ctx, owner, results, outcome, count_skipped=False)

    async def _compute(
        self,
        ctx: FlowContext,
        params: CloseParams,
        clients: _Clients,
        catalog: PigmentCatalog,
        periods: Sequence[AccountingPeriod],
        period: AccountingPeriod,
        revision: int,
    ) -> _Computed:
        month_format = str(params.shared.get("month_format") or DEFAULT_MONTH_FORMAT)
        month = month_label(period.start, month_format)
        year = period.start.year
        budget_version = params.version(params.budget_version, year)
        forecast_version = params.version(params.forecast_version, year)
        try:
            incomplete: list[str] = []
            if params.load_actuals:
                loaded = await load_actuals(ctx, params, period)
                incomplete = incomplete_reasons(loaded)
                gl_notes = "; ".join(loaded.notes)
                ctx.logger.info(
                    "period-close %s: actuals loaded %s %s", period.key, loaded.counters(), gl_notes
                )
                if incomplete and params.on_incomplete == "hold":
                    # the gl notes name what is missing (e.g. the unmapped account), so the person can act
                    raise ActionNeeded(
                        f"the close report of {period.name} is held: its actuals are incomplete ("
                        + "; ".join(incomplete)
                        + ")"
                        + (f": {gl_notes[:1000]}" if gl_notes else ""),
                        hint="fix the gl-actuals-to-planning rows (`ledgerbridge hub list --flow "
                        "gl-actuals-to-planning --state action_needed`), then `ledgerbridge hub retry` "
                        "this row",
                    )
            # the forecast switches over after the latest closed month of its year, whichever closed last
            latest = max(
                (p.start for p in periods if p.closed and p.start.year == year), default=period.start
            )
            switchover = month_label(latest, month_format)
            imported = await move_switchover(clients.pigment, catalog, params, forecast_version, switchover)
            lines = await budget_vs_actual(
                clients.pigment, catalog, params, month=month, version=budget_version
            )
        except Fatal:
            raise
        except LedgerbridgeError as exc:
            return _Computed(error=exc)
        actual, budget, variance = totals(lines)
        report = CloseReport(
            period=period.key,
            period_id=period.id,
            period_name=period.name,
            month=month,
            revision=revision,
            budget_version=budget_version,
            forecast_version=forecast_version,
            switchover_month=switchover,
            actual=actual,
            budget=budget,
            variance=variance,
            lines=largest(lines, params.top),
            line_count=len(lines),
            incomplete=tuple(incomplete),
            closed_on=None if period.closed_on is None else period.closed_on.isoformat(),
        )
        return _Computed(report=report, switchover_import=imported.import_id)

    @staticmethod
    def _report_rows(
        ctx: FlowContext,
        params: CloseParams,
        clients: _Clients,
        period: AccountingPeriod,
        report: CloseReport,
    ) -> list[StagedRecord]:
        """The close row with its report, and the message rows — only those not staged before, so a
        recomputed report never re-opens a message that was already sent."""
        records = [rows.close_row(period, report.revision, report.payload())]
        candidates: list[StagedRecord] = []
        if clients.slack is not None:
            candidates.append(
                rows.slack_row(period, report.revision, messages.slack_message(report), params.slack_channel)
            )
        if clients.email is not None:
            external = rows.close_external_id(period.key, report.revision, "email")
            candidates.append(rows.email_row(period, report.revision, messages.email(report, external)))
        for record in candidates:
            if ctx.hub.find(FLOW_NAME, *record.key) is None:
                records.append(record)
        return records

    # ---- 4. messages, at most once ----------------------------------------------------------------------

    async def _send(
        self, ctx: FlowContext, params: CloseParams, clients: _Clients, owner: str, outcome: RunOutcome
    ) -> None:
        for kind in (SLACK, rows.REOPEN_SLACK, EMAIL):
            uncertain = await asyncio.to_thread(self._recover, ctx, kind)
            for record in await self._claim(ctx, params, owner, kind):
                if record.id in uncertain:
                    error: BaseException = ActionNeeded(
                        f"{record.external_id} may have been sent before a crash (no receipt was recorded)",
                        hint="check the channel or mailbox: `ledgerbridge hub resolve` it if it arrived, "
                        "`ledgerbridge hub retry` it to send it",
                    )
                    result = Outcome(record.id, error=error)
                else:
                    result = await self._deliver(ctx, clients, record, kind)
                # one outcome per message, recorded at once: a crash after it cannot make it send twice
                await self._record(ctx, owner, [result], outcome)

    async def _deliver(
        self, ctx: FlowContext, clients: _Clients, record: ClaimedRecord, kind: str
    ) -> Outcome:
        try:
            if kind == EMAIL:
                if clients.email is None:
                    raise Fatal(f"{record.external_id}: params.email_connection is no longer configured")
                sent = await clients.email.send(rows.email_from_payload(record.payload, record.external_id))
                return Outcome(record.id, target_id=sent.message_id)
            if clients.slack is None:
                raise Fatal(f"{record.external_id}: params.slack_connection is no longer configured")
            message, channel = rows.slack_from_payload(record.payload)
            posted = await clients.slack.post_message(message, channel=channel)
            return Outcome(record.id, target_id=f"{posted.channel}:{posted.ts}")
        except LedgerbridgeError as exc:
            return Outcome(record.id, error=exc, retry_at=self._retry_at(ctx, record, exc))

    @staticmethod
    def _recover(ctx: FlowContext, kind: str) -> set[int]:
        """Expired in-flight message rows → pending, returned so the caller marks them action_needed."""
        uncertain: set[int] = set()
        for record in ctx.hub.expired_in_flight(FLOW_NAME):
            if record.target_type != kind:
                continue
            if ctx.hub.resolve_recovery(
                record.id, None, expected_lease_owner=record.lease_owner, run_id=ctx.run_id
            ):
                uncertain.add(record.id)
        return uncertain

    # ---- hub plumbing -----------------------------------------------------------------------------------

    @staticmethod
    def _due(ctx: FlowContext, kind: str) -> builtins.list[RecordView]:
        """Rows of ``kind`` the next claim would hand out: pending, or failed with an automatic retry due."""
        now = ctx.hub.now()
        found = ctx.hub.list(flow=FLOW_NAME, state=State.PENDING, limit=1_000_000)
        found += [
            row
            for row in ctx.hub.list(flow=FLOW_NAME, state=State.FAILED, limit=1_000_000)
            if row.next_attempt_at is not None and row.next_attempt_at <= now
        ]
        return sorted((row for row in found if row.target_type == kind), key=lambda row: row.id)

    async def _claim(
        self, ctx: FlowContext, params: CloseParams, owner: str, kind: str
    ) -> builtins.list[ClaimedRecord]:
        return await asyncio.to_thread(
            ctx.hub.claim,
            FLOW_NAME,
            owner=owner,
            limit=10_000,
            lease_seconds=params.lease_seconds,
            target_type=kind,
            run_id=ctx.run_id,
        )

    @staticmethod
    def _retry_at(ctx: FlowContext, record: ClaimedRecord, error: BaseException) -> Any:
        if not isinstance(error, Retriable):
            return None
        return ctx.now() + timedelta(seconds=backoff_delay(record.attempts, retry_after=error.retry_after))

    @staticmethod
    async def _record(
        ctx: FlowContext,
        owner: str,
        results: Sequence[Outcome],
        outcome: RunOutcome,
        *,
        count_skipped: bool = True,
    ) -> None:
        if not results:
            return
        await asyncio.to_thread(ctx.hub.record_outcomes, owner, results, run_id=ctx.run_id)
        for result in results:
            if result.error is not None:
                kind = "action_needed" if isinstance(result.error, ActionNeeded) else "failed"
                outcome.add(**{kind: 1})
                outcome.notes.append(f"{type(result.error).__name__}: {result.error}")
            elif result.skipped_reason is not None:
                if count_skipped:
                    outcome.add(skipped=1)
            else:
                outcome.add(transferred=1)
