"""``NueApplicationWriter``: applies claimed NetSuite application lines to Nue, each exactly once.

Per batch it spends one SuiteQL query (which Nue record each NetSuite document mirrors, see ``resolve.py``),
one GET per distinct Nue invoice and credit memo (state checks, and the applications already there), then one
``invoices:pay`` and one ``credit-memos:apply`` request for everything still to apply.

Exactly-once effect (DESIGN §4.1) rests on two things: the hub row per NetSuite line, and Nue's idempotency
key, derived from that line (``lb-pay-ns<payment>-<invoice>-<document>``). A line whose key is already on
the Nue invoice is reported transferred without a write — that is also how crash recovery (``lookup``)
finds a write that landed before the worker died.

Credit memos made in NetSuite are created in Nue first (``memos.py``), and their lines then use the new Nue
memo; a line whose memo is not in Nue yet waits (Retriable) for the memo's own row.

Nue validates a request as a whole, so one bad line would sink the batch; when a multi-line request is
refused, the lines are sent one by one so only the bad one fails.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.nue.client import NueClient
from ledgerbridge.connectors.nue.writes import CreditRequest, PaymentRequest
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import Fatal, LedgerbridgeError, Retriable
from ledgerbridge.flows.billing_ids import NUE
from ledgerbridge.hub import ClaimedRecord, HubStore

from .decisions import (
    Request,
    already_applied,
    application_with,
    decide,
    nue_request,
    request_key,
    reversal_key,
)
from .memos import create_memos, memo_in_hub
from .resolve import Skip, Target, doc_ids_needed, resolve
from .source import DocumentRef, documents
from .staging import MEMO
from .voids import VOID, cancel_in_nue, cancelled_already

R = TypeVar("R")


async def _gather_by_id(ids: set[str], fetch: Callable[[str], Awaitable[R]]) -> dict[str, R]:
    ordered = sorted(ids)
    found = await asyncio.gather(*(fetch(i) for i in ordered))
    return dict(zip(ordered, found, strict=True))


class NueApplicationWriter:
    """A :class:`~ledgerbridge.engine.executor.TargetWriter` for NetSuite application lines → Nue."""

    system = NUE

    def __init__(self, nue: NueClient, netsuite: NetSuiteClient, hub: HubStore) -> None:
        self.nue = nue
        self.netsuite = netsuite
        self.hub = hub

    async def _resolve(self, records: Sequence[ClaimedRecord]) -> list[Target | Skip]:
        if not records:
            return []
        docs: dict[str, DocumentRef] = await documents(self.netsuite, doc_ids_needed(list(records)))
        # hub reads are synchronous: off the event loop
        return await asyncio.to_thread(lambda: [resolve(record, docs, self.hub) for record in records])

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        memo_rows = [record for record in batch if record.payload["kind"] == MEMO]
        void_rows = [record for record in batch if record.payload["kind"] == VOID]
        line_rows = [record for record in batch if record.payload["kind"] not in (MEMO, VOID)]
        results, created = await create_memos(memo_rows, self.nue, self.netsuite, self.hub)
        targets: list[Target] = []
        for record, where in zip(line_rows, await self._resolve(line_rows), strict=True):
            if isinstance(where, Skip):
                results[record.id] = WriteResult.skipped(where.reason)
                continue
            ready = await self._with_memo(where, created)
            if isinstance(ready, Target):
                targets.append(ready)
            else:
                results[record.id] = WriteResult.failed(ready)
        invoices = await _gather_by_id({t.invoice_id for t in targets}, self.nue.get_invoice)
        memos = await _gather_by_id(
            {t.credit_memo_id for t in targets if t.credit_memo_id is not None}, self.nue.get_credit_memo
        )
        to_send: list[tuple[Target, Request]] = []
        to_undo: list[tuple[Target, Request]] = []
        for target in targets:
            memo = memos[target.credit_memo_id] if target.credit_memo_id is not None else None
            decided = decide(target, invoices[target.invoice_id], memo)
            if isinstance(decided, WriteResult):
                results[target.record.id] = decided
            else:
                (to_undo if target.removed else to_send).append((target, decided))
        results.update(await self._send([p for p in to_send if isinstance(p[1], PaymentRequest)]))
        results.update(await self._send([p for p in to_send if isinstance(p[1], CreditRequest)]))
        results.update(await self._send(to_undo, undo=True))
        # last: a voided credit memo's applications are reversed above before the memo is cancelled
        results.update(await cancel_in_nue(void_rows, self.nue, self.netsuite, self.hub))
        return [results[record.id] for record in batch]

    async def _with_memo(self, target: Target, created: dict[str, str]) -> Target | Retriable:
        """A line of a NetSuite-made credit memo with its Nue memo id (made in this batch or before)."""
        if target.netsuite_memo is None:
            return target
        memo_id = created.get(target.netsuite_memo) or await asyncio.to_thread(
            memo_in_hub, self.hub, target.netsuite_memo
        )
        if memo_id is None:
            return Retriable(
                f"{target.label}: credit memo {target.reference} made in NetSuite is not in Nue yet; "
                "this line waits for it",
                retry_after=30,
            )
        return dataclasses.replace(target, credit_memo_id=memo_id)

    async def _send(
        self, pairs: Sequence[tuple[Target, Request]], *, undo: bool = False
    ) -> dict[int, WriteResult]:
        if not pairs:
            return {}
        try:
            if undo:
                credits = [request for _, request in pairs if isinstance(request, CreditRequest)]
                ids = [a.id for a in (await self.nue.unapply_credit_memos(credits)).applications]
            else:
                ids = await self._apply([request for _, request in pairs])
        except (Fatal, Retriable):
            # Fatal stops the run (the executor releases the batch); Retriable is about the request, not a
            # line: every line waits for the automatic retry
            raise
        except LedgerbridgeError as exc:
            if len(pairs) == 1:
                return {pairs[0][0].record.id: WriteResult.failed(exc)}
            # Nue refused the request as a whole: find the bad line(s) by sending each on its own
            results: dict[int, WriteResult] = {}
            for pair in pairs:
                results.update(await self._send([pair], undo=undo))
            return results
        return {
            target.record.id: WriteResult.ok(ident) for (target, _), ident in zip(pairs, ids, strict=True)
        }

    async def _apply(self, requests: Sequence[Request]) -> list[str]:
        payments = [r for r in requests if isinstance(r, PaymentRequest)]
        if payments:
            paid = await self.nue.pay_invoices(payments)
            return [application.id for application in paid.applications]
        credits = [r for r in requests if isinstance(r, CreditRequest)]
        applied = await self.nue.apply_credit_memos(credits)
        return [application.id for application in applied.applications]

    async def lookup(self, record: ClaimedRecord) -> str | None:
        """The Nue application this line made, if any (crash recovery: did the write land?). A credit memo
        row is never looked up: re-sending it returns the memo made the first time."""
        if record.payload["kind"] == MEMO:
            return None
        if record.payload["kind"] == VOID:
            return await cancelled_already(record, self.nue, self.hub)
        (where,) = await self._resolve([record])
        if isinstance(where, Skip):
            return None
        ready = await self._with_memo(where, {})
        if not isinstance(ready, Target):
            return None
        invoice = await self.nue.get_invoice(ready.invoice_id)
        if invoice is None:
            return None
        request = nue_request(ready, invoice)
        if ready.removed:
            # only the reversal proves a removed line done; the original application is still there
            undo_key = reversal_key(request)
            undone = application_with(invoice, undo_key) if undo_key is not None else None
            return undone.id if undone is not None else None
        found = already_applied(ready, invoice, request_key(request))
        return found.target_id if found is not None else None
