"""Voids in NetSuite reach Nue: a voided invoice or credit memo cancels the Nue document it mirrors.

NetSuite has no REST "void" (a person presses Void in the UI, or a script voids); what the API shows is the
transaction itself, kept with ``voided = 'T'``, zero amounts and status Voided. So the flow reads voided
invoices and credit memos changed since its ``netsuite.voids`` checkpoint (SuiteQL, keyset on id) and stages
one hub row per voided document. Which Nue record that is, is decided when the row is written:

- an invoice or credit memo mirrored FROM Nue (external id ``lb-nue-inv-…`` / ``lb-nue-cm-…``): that Nue
  document is cancelled. A Nue invoice that became several NetSuite invoices (one per sales order) is only
  cancelled when every one of them is voided; until then the row waits in ``action_needed`` saying which
  are still open — cancelling half an invoice is a decision for a person, not a sync;
- a credit memo made IN NetSuite that this flow created in Nue: that Nue memo is cancelled;
- anything else (a document Nue never knew) is skipped with the reason.

Payments need nothing here: a voided payment keeps no apply lines, so the application rows of the flow
reverse its applications in Nue (``removed`` lines), exactly as when a payment is unapplied. A voided credit
memo's applications are reversed the same way, before the memo itself is cancelled.

Cancelling is idempotent in Nue (a cancelled document stays cancelled, with a warning), so a re-send after
a crash changes nothing; ``lookup`` reports a document already cancelled as done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.nue.client import NueClient
from ledgerbridge.connectors.nue.records import CreditMemoStatus, InvoiceStatus
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, Retriable
from ledgerbridge.flows.billing_ids import NETSUITE, NUE, nue_id_from, sanitise
from ledgerbridge.hub import ClaimedRecord, HubStore, StagedRecord

from .memos import memo_in_hub
from .resolve import nue_id
from .source import ChangedTransaction, changed_transactions
from .staging import MAPPING_VERSION

VOID = "void"
#: the hub checkpoint stream of voided documents
VOIDS_STREAM = "netsuite.voids"
#: SuiteQL transaction type → REST record type of what a void may cancel in Nue
VOIDABLE: dict[str, str] = {"CustInvc": "invoice", "CustCred": "creditmemo"}
SOURCE_TYPE = "transaction.void"
TARGET_TYPE = "cancellation"


async def voided_documents(
    reader: NetSuiteClient, start: datetime | None, *, page_size: int
) -> list[ChangedTransaction]:
    """Invoices and credit memos voided (or changed after a void) at or after ``start``, by (modified, id)."""
    return await changed_transactions(reader, start, page_size=page_size, types=VOIDABLE, voided_only=True)


def staged_void(doc: ChangedTransaction) -> StagedRecord:
    return StagedRecord(
        source_system=NETSUITE,
        source_type=SOURCE_TYPE,
        source_id=doc.id,
        external_id=f"lb-ns-void-{doc.id}",
        target_system=NUE,
        target_type=TARGET_TYPE,
        payload={
            "kind": VOID,
            "netsuite_transaction_id": doc.id,
            "netsuite_transaction_type": doc.record_type,
            "netsuite_transaction_number": doc.tran_id,
            "netsuite_external_id": doc.external_id,
        },
        source_modified_at=doc.modified,
        mapping_version=MAPPING_VERSION,
    )


@dataclass(frozen=True, slots=True)
class _Cancel:
    record: ClaimedRecord
    #: "invoice" or "creditmemo" (the Nue document)
    kind: str
    nue_id: str


def _label(record: ClaimedRecord) -> str:
    payload = record.payload
    return str(payload.get("netsuite_transaction_number") or f"id {payload['netsuite_transaction_id']}")


def _target(record: ClaimedRecord, hub: HubStore) -> _Cancel | WriteResult:
    """The Nue document a voided NetSuite document cancels, or why there is none."""
    payload = record.payload
    record_type = str(payload["netsuite_transaction_type"])
    eid = payload.get("netsuite_external_id")
    label = _label(record)
    parsed = nue_id_from(eid)
    if record_type == "creditmemo" and parsed is None:
        made = memo_in_hub(hub, str(payload["netsuite_transaction_id"]))
        if made is None:
            return WriteResult.skipped(f"voided credit memo {label} was never mirrored to Nue")
        return _Cancel(record, "creditmemo", made)
    kind = "inv" if record_type == "invoice" else "cm"
    if parsed is None or parsed[0] != kind:
        return WriteResult.skipped(
            f"voided {record_type} {label} does not mirror a Nue document ({eid or 'no external id'})"
        )
    found = nue_id(hub, kind, str(eid))
    if found is None:
        return WriteResult.skipped(f"voided {record_type} {label}: no Nue document behind {eid}")
    # a Nue invoice split over several sales orders is staged as "<invoice>/<order>" per NetSuite invoice
    return _Cancel(record, "invoice" if kind == "inv" else "creditmemo", found.split("/", 1)[0])


async def _siblings_open(netsuite: NetSuiteClient, invoice_id: str) -> list[str]:
    """NetSuite invoices mirrored from the Nue invoice ``invoice_id`` that are NOT voided (tran ids)."""
    base = f"lb-nue-inv-{sanitise(invoice_id)}"
    query = (
        "SELECT id, tranid FROM transaction WHERE type = 'CustInvc' AND voided = 'F' "
        f"AND (externalid = '{base}' OR externalid LIKE '{base}-%')"
    )
    return [str(row.get("tranid") or row["id"]) async for row in netsuite.suiteql(query)]


async def cancel_in_nue(
    records: Sequence[ClaimedRecord], nue: NueClient, netsuite: NetSuiteClient, hub: HubStore
) -> dict[int, WriteResult]:
    """Cancel in Nue what each voided NetSuite document mirrors: one request per kind for the batch."""
    results: dict[int, WriteResult] = {}
    targets: list[_Cancel] = []
    for record, where in zip(
        records, await asyncio.to_thread(lambda: [_target(r, hub) for r in records]), strict=True
    ):
        if isinstance(where, WriteResult):
            results[record.id] = where
            continue
        if where.kind == "invoice":
            still_open = await _siblings_open(netsuite, where.nue_id)
            if still_open:
                results[record.id] = WriteResult.failed(
                    ActionNeeded(
                        f"NetSuite invoice {_label(record)} was voided, but {', '.join(still_open)} of the "
                        f"same Nue invoice {where.nue_id} are not: the Nue invoice stays active",
                        hint="void the others in NetSuite too (then this record cancels the Nue invoice on "
                        "its next retry), or resolve this record and adjust Nue by hand",
                    )
                )
                continue
        targets.append(where)
    for kind in ("invoice", "creditmemo"):
        chosen = [t for t in targets if t.kind == kind]
        if chosen:
            results.update(await _cancel(nue, kind, chosen))
    return results


async def _cancel(nue: NueClient, kind: str, targets: Sequence[_Cancel]) -> dict[int, WriteResult]:
    ids = sorted({t.nue_id for t in targets})
    try:
        if kind == "invoice":
            await nue.cancel_invoices(ids)
        else:
            await nue.cancel_credit_memos(ids)
    except (Fatal, Retriable):
        raise
    except LedgerbridgeError as exc:
        if len(ids) == 1:
            return {t.record.id: WriteResult.failed(exc) for t in targets}
        # Nue refused the request as a whole (one document has payments, say): one by one, so only the
        # document at fault fails
        results: dict[int, WriteResult] = {}
        for nue_doc in ids:
            results.update(await _cancel(nue, kind, [t for t in targets if t.nue_id == nue_doc]))
        return results
    return {t.record.id: WriteResult.ok(t.nue_id) for t in targets}


async def cancelled_already(record: ClaimedRecord, nue: NueClient, hub: HubStore) -> str | None:
    """Crash recovery: the Nue id when the document is already cancelled (the write landed), else None."""
    where = await asyncio.to_thread(_target, record, hub)
    if isinstance(where, WriteResult):
        return None
    if where.kind == "invoice":
        invoice = await nue.get_invoice(where.nue_id)
        done = invoice is not None and invoice.status == InvoiceStatus.CANCELED
    else:
        memo = await nue.get_credit_memo(where.nue_id)
        done = memo is not None and memo.status == CreditMemoStatus.CANCELED
    return where.nue_id if done else None
