"""The ``erp-payments-to-billing`` flow: payments and credit memo applications made in NetSuite → Nue.

One run: (1) read the customer payments and credit memos NetSuite changed since the checkpoint (minus the
lookback), staging one hub row per application line with the checkpoint in the same transaction; then
(2) let the executor apply every due row to Nue (``writer.py``). Staging first means a crash anywhere loses
nothing: rows already staged are sent by the next run, rows not yet staged are read again because the
checkpoint has not passed them.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar, TypeVar

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.nue.client import NueClient
from ledgerbridge.engine.checkpoints import CheckpointedStream
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.engine.executor import Executor
from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.base import FlowContext, RunOutcome
from ledgerbridge.hub import RecordView, StagedRecord

from .params import PaymentsParams
from .source import ChangedTransaction, changed_transactions, read_transaction
from .staging import FLOW_NAME, removed_lines, staged_records
from .voids import VOIDS_STREAM, staged_void, voided_documents
from .writer import NueApplicationWriter

#: the checkpoint stream of this flow in the hub
STREAM = "netsuite.applications"
C = TypeVar("C")


def _client(ctx: FlowContext, name: str, kind: type[C], system: str) -> C:
    client = ctx.connection(name)
    if not isinstance(client, kind):
        raise ConfigError(
            f"{FLOW_NAME}: connection {name!r} is not a {system} connection",
            hint=f"set the flow's {'source' if system == 'NetSuite' else 'target'} to a {system} connection",
        )
    return client


class ErpPaymentsToBilling:
    """NetSuite customer payments and credit memo applications → Nue invoice payments and credits."""

    name: ClassVar[str] = FLOW_NAME

    async def run(self, ctx: FlowContext) -> RunOutcome:
        params = PaymentsParams.from_mapping(ctx.params)
        netsuite = _client(ctx, params.source, NetSuiteClient, "NetSuite")
        nue = _client(ctx, params.target, NueClient, "Nue")
        outcome = RunOutcome()
        stream = CheckpointedStream(ctx.hub, FLOW_NAME, STREAM, lookback=params.lookback)
        await self._stage(ctx, netsuite, stream, params, outcome)
        voids = CheckpointedStream(ctx.hub, FLOW_NAME, VOIDS_STREAM, lookback=params.lookback)
        await self._stage_voids(ctx, netsuite, voids, params, outcome)
        writer = NueApplicationWriter(nue, netsuite, ctx.hub)
        executor = Executor(
            ctx.hub,
            FLOW_NAME,
            writer,
            batch_size=params.batch_size,
            lease_seconds=params.lease_seconds,
            max_attempts=params.max_attempts,
            dry_run=ctx.dry_run,
            run_id=ctx.run_id,
        )
        ctx.progress.start(None, "applying to Nue")
        report = await executor.run_once()
        ctx.progress.finish()
        outcome.add_executor_report(report)
        if report.recovered:
            outcome.notes.append(
                f"recovered {report.recovered} line(s) a crashed run left in flight "
                f"({report.recovered_found} had already reached Nue)"
            )
        return outcome

    async def _stage(
        self,
        ctx: FlowContext,
        netsuite: NetSuiteClient,
        stream: CheckpointedStream,
        params: PaymentsParams,
        outcome: RunOutcome,
    ) -> None:
        start = stream.start()
        since = start.moment if start is not None else params.start_from
        changed = await changed_transactions(netsuite, since, page_size=params.page_size)
        ctx.progress.start(len(changed), "reading NetSuite payments and credit memos")
        for first in range(0, len(changed), params.commit_every):
            chunk = changed[first : first + params.commit_every]
            records, cursors = await self._lines(ctx, netsuite, chunk)
            outcome.add(extracted=len(records))
            ctx.progress.advance(len(chunk))
            if ctx.dry_run:
                # a dry run writes nothing, the hub included: show the lines the hub has not seen yet (the
                # executor's preview adds those already staged and due)
                for record in await asyncio.to_thread(self._unseen, ctx, records):
                    outcome.add_dry_run_payload(
                        target_system=record.target_system,
                        target_type=record.target_type,
                        external_id=record.external_id,
                        payload=record.payload,
                    )
                continue
            if not records:
                # only unapplied payments here: move past them, or they would be re-read every run
                await asyncio.to_thread(self._pass, ctx, stream, chunk[-1].cursor)
                continue
            result = await asyncio.to_thread(stream.commit, records, cursors, run_id=ctx.run_id)
            outcome.add(staged=result.new + result.changed)
        ctx.progress.finish()

    async def _stage_voids(
        self,
        ctx: FlowContext,
        netsuite: NetSuiteClient,
        stream: CheckpointedStream,
        params: PaymentsParams,
        outcome: RunOutcome,
    ) -> None:
        """Voided invoices and credit memos, one hub row each (they cancel their Nue document)."""
        start = stream.start()
        since = start.moment if start is not None else params.start_from
        voided = await voided_documents(netsuite, since, page_size=params.page_size)
        if not voided:
            return
        records = [staged_void(doc) for doc in voided]
        outcome.add(extracted=len(records))
        if ctx.dry_run:
            for record in await asyncio.to_thread(self._unseen, ctx, records):
                outcome.add_dry_run_payload(
                    target_system=record.target_system,
                    target_type=record.target_type,
                    external_id=record.external_id,
                    payload=record.payload,
                )
            return
        cursors = [doc.cursor for doc in voided]
        result = await asyncio.to_thread(stream.commit, records, cursors, run_id=ctx.run_id)
        outcome.add(staged=result.new + result.changed)

    @staticmethod
    def _pass(ctx: FlowContext, stream: CheckpointedStream, cursor: Cursor) -> None:
        """Advance the checkpoint over transactions that stage nothing (never backwards)."""
        saved = stream.saved()
        if saved is None or saved < cursor:
            ctx.hub.stage(FLOW_NAME, [], checkpoint=(STREAM, cursor.encode()), run_id=ctx.run_id)

    @staticmethod
    def _unseen(ctx: FlowContext, records: list[StagedRecord]) -> list[StagedRecord]:
        return [r for r in records if ctx.hub.find(FLOW_NAME, *r.key) is None]

    @staticmethod
    def _known(ctx: FlowContext, txn: ChangedTransaction) -> list[RecordView]:
        """Hub rows of one transaction's lines (the text search also matches longer ids: callers filter)."""
        return ctx.hub.list(flow=FLOW_NAME, text=f"{txn.id}:", limit=10_000)

    async def _lines(
        self, ctx: FlowContext, netsuite: NetSuiteClient, chunk: list[ChangedTransaction]
    ) -> tuple[list[StagedRecord], list[Cursor]]:
        details = await asyncio.gather(*(read_transaction(netsuite, txn) for txn in chunk))
        records: list[StagedRecord] = []
        cursors: list[Cursor] = []
        for txn, detail in zip(chunk, details, strict=True):
            if detail is None:
                continue
            known = await asyncio.to_thread(self._known, ctx, txn)
            rows = [*staged_records(detail), *removed_lines(detail, known)]
            records.extend(rows)
            cursors.extend(txn.cursor for _ in rows)
        return records, cursors
