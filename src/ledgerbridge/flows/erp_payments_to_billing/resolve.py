"""Which Nue invoice (and credit memo) a NetSuite application line reaches — or why it reaches none.

Decided at write time, not when the line is read: the NetSuite document's *current* external id says which
Nue record it mirrors (``lb-nue-inv-<id>`` / ``lb-nue-cm-<id>``, see ``flows/billing_ids``). So when a
person fixes a mirror after an ``action_needed`` (points the NetSuite invoice at the re-issued Nue invoice),
``hub retry`` and the next run apply the line to the right record with no re-read of NetSuite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ledgerbridge.flows.billing_ids import NUE, PREFIX, nue_id_from
from ledgerbridge.hub import ClaimedRecord, HubStore
from ledgerbridge.money import to_decimal

from .source import DocumentRef
from .staging import CREDIT, PAYMENT

INVOICE_TYPE = "CustInvc"
CREDIT_MEMO_TYPE = "CustCred"


@dataclass(frozen=True, slots=True)
class Target:
    """A line resolved to Nue: apply ``amount`` to ``invoice_id`` (from ``credit_memo_id`` for credits)."""

    record: ClaimedRecord
    kind: str
    amount: Decimal
    invoice_id: str
    credit_memo_id: str | None
    #: how people know the line: ``PYMT1137 → INV1150``
    label: str
    #: for a credit memo made in NetSuite: its NetSuite id (its own hub row creates it in Nue)
    netsuite_memo: str | None
    #: NetSuite no longer applies this line (unapplied after it was read): reverse it in Nue
    removed: bool
    source_id: str
    doc_id: str
    payment_date: str | None
    reference: str


@dataclass(frozen=True, slots=True)
class Skip:
    """A line that has no Nue counterpart, and why."""

    reason: str


def doc_ids_needed(records: list[ClaimedRecord]) -> set[str]:
    """NetSuite transactions to look up for a batch: every applied document, and every credit memo."""
    ids: set[str] = set()
    for record in records:
        if record.payload["kind"] not in (PAYMENT, CREDIT):
            continue
        ids.add(str(record.payload["netsuite_doc_id"]))
        if record.payload["kind"] == CREDIT:
            ids.add(str(record.payload["netsuite_transaction_id"]))
    return ids


def nue_id(hub: HubStore, kind: str, external_id: str | None) -> str | None:
    """The Nue id an external id of ``kind`` mirrors; the hub knows the exact id (the external id keeps a
    sanitised copy), so ask it first."""
    parsed = nue_id_from(external_id)
    if parsed is None or parsed[0] != kind or external_id is None:
        return None
    mirrored = hub.find_by_external_id(external_id)
    if mirrored is not None and mirrored.source_system == NUE:
        return mirrored.source_id
    return parsed[1]


def _name(ref: DocumentRef | None, fallback: str) -> str:
    if ref is None:
        return fallback
    return ref.tran_id or f"id {ref.id}"


def resolve(record: ClaimedRecord, docs: Mapping[str, DocumentRef], hub: HubStore) -> Target | Skip:
    """Where one claimed line goes in Nue, or the reason it goes nowhere."""
    payload = record.payload
    kind = str(payload["kind"])
    txn_id = str(payload["netsuite_transaction_id"])
    doc_id = str(payload["netsuite_doc_id"])
    txn_name = payload.get("netsuite_transaction_number") or f"id {txn_id}"
    doc = docs.get(doc_id)
    doc_name = _name(doc, payload.get("netsuite_doc_number") or f"id {doc_id}")
    label = f"{txn_name} → {doc_name}"
    if doc is None:
        return Skip(f"NetSuite document {doc_name} no longer exists; nothing to apply in Nue")
    if doc.type == CREDIT_MEMO_TYPE and kind == PAYMENT:
        return Skip(
            f"payment {txn_name} consumes credit memo {doc_name}: Nue takes credit memo applications from "
            "the credit memo itself, not from the payment that used it"
        )
    if doc.type != INVOICE_TYPE:
        return Skip(f"{label}: {doc_name} is a {doc.type or 'document'} transaction, not an invoice")
    invoice_id = nue_id(hub, "inv", doc.external_id)
    if invoice_id is None:
        return Skip(
            f"NetSuite invoice {doc_name} is not mirrored from Nue "
            f"(external id {doc.external_id or 'none'}); the application stays in NetSuite only"
        )
    memo_id: str | None = None
    made_here: str | None = None
    if kind == CREDIT:
        memo = docs.get(txn_id)
        memo_eid = memo.external_id if memo else None
        if memo_eid is not None and memo_eid.startswith(PREFIX):
            memo_id = nue_id(hub, "cm", memo_eid)
            if memo_id is None:
                return Skip(
                    f"NetSuite credit memo {txn_name} mirrors a Nue document that is not a credit memo "
                    f"({memo_eid}); its applications are not mirrored to Nue"
                )
        else:
            made_here = txn_id
    return Target(
        record=record,
        kind=kind,
        amount=to_decimal(payload["amount"]),
        invoice_id=invoice_id,
        credit_memo_id=memo_id,
        label=label,
        netsuite_memo=made_here,
        removed=bool(payload.get("removed")),
        source_id=f"ns{txn_id}",
        doc_id=doc_id,
        payment_date=payload.get("date"),
        reference=str(txn_name),
    )
