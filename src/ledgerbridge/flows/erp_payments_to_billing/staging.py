"""Application lines → hub rows: one row per (NetSuite payment or credit memo, applied document).

A credit memo made in NetSuite (one whose external id is not a ``lb-nue-`` mirror id) also gets a row of
its own, staged before its lines, so the writer creates it in Nue before applying it.

The hub row is what makes each line apply once: its identity is the NetSuite line itself
(``customerpayment.apply`` / ``creditmemo.apply``, ``<transaction id>:<document id>``), so reading the same
payment again (the lookback overlap, a re-run) finds the row and, with an unchanged payload, leaves it alone.
The payload holds only NetSuite facts; which Nue invoice or credit memo they reach is decided when the line
is written (see ``writer.py``), so a mirror fixed after an ``action_needed`` is honoured by ``hub retry``.
"""

from __future__ import annotations

from typing import Any

from ledgerbridge.flows.billing_ids import NETSUITE, NUE, PREFIX
from ledgerbridge.hub import RecordView, StagedRecord

from .source import ApplicationLine, ChangedTransaction, TransactionDetail

FLOW_NAME = "erp-payments-to-billing"
PAYMENT = "payment"
CREDIT = "credit"
MEMO = "memo"
#: hub source_type and target_type per kind of row
SOURCE_TYPE: dict[str, str] = {
    PAYMENT: "customerpayment.apply",
    CREDIT: "creditmemo.apply",
    MEMO: "creditmemo",
}
TARGET_TYPE: dict[str, str] = {
    PAYMENT: "payment_application",
    CREDIT: "credit_application",
    MEMO: "credit_memo",
}
_KIND_OF_RECORD: dict[str, str] = {"customerpayment": PAYMENT, "creditmemo": CREDIT}
MAPPING_VERSION = "1"


def line_kind(line: ApplicationLine) -> str:
    """``payment`` for a customer payment's line, ``credit`` for a credit memo's."""
    return _KIND_OF_RECORD[line.transaction.record_type]


def hub_external_id(kind: str, transaction_id: str, doc_id: str) -> str:
    """The hub's name for one NetSuite application line, e.g. ``lb-ns-pay-1133-1131``."""
    return f"lb-ns-{'pay' if kind == PAYMENT else 'credit'}-{transaction_id}-{doc_id}"


def payload(line: ApplicationLine) -> dict[str, Any]:
    """What the writer needs (and a person reading ``hub show`` wants): NetSuite's facts of the line."""
    txn = line.transaction
    return {
        "kind": line_kind(line),
        "netsuite_transaction_id": txn.id,
        "netsuite_transaction_type": txn.record_type,
        "netsuite_transaction_number": txn.tran_id,
        "netsuite_doc_id": line.doc_id,
        "netsuite_doc_number": line.doc_label,
        "amount": line.amount,
        "date": line.tran_date.isoformat() if line.tran_date else None,
    }


def staged(line: ApplicationLine) -> StagedRecord:
    """The hub row for one application line."""
    kind = line_kind(line)
    txn = line.transaction
    return StagedRecord(
        source_system=NETSUITE,
        source_type=SOURCE_TYPE[kind],
        source_id=f"{txn.id}:{line.doc_id}",
        external_id=hub_external_id(kind, txn.id, line.doc_id),
        target_system=NUE,
        target_type=TARGET_TYPE[kind],
        payload=payload(line),
        source_version=txn.modified.isoformat(),
        source_modified_at=txn.modified,
        mapping_version=MAPPING_VERSION,
    )


def made_in_netsuite(txn: ChangedTransaction) -> bool:
    """A credit memo keyed in NetSuite, not a mirror of a Nue document (those carry ``lb-nue-`` ids)."""
    return txn.record_type == "creditmemo" and not (txn.external_id or "").startswith(PREFIX)


def staged_memo(detail: TransactionDetail) -> StagedRecord:
    """The hub row that brings a credit memo made in NetSuite to Nue."""
    txn = detail.transaction
    return StagedRecord(
        source_system=NETSUITE,
        source_type=SOURCE_TYPE[MEMO],
        source_id=txn.id,
        external_id=f"lb-ns-cm-{txn.id}",
        target_system=NUE,
        target_type=TARGET_TYPE[MEMO],
        payload={
            "kind": MEMO,
            "netsuite_transaction_id": txn.id,
            "netsuite_transaction_type": txn.record_type,
            "netsuite_transaction_number": txn.tran_id,
            "netsuite_customer_id": detail.customer_id,
            "total": detail.total,
            "date": detail.tran_date.isoformat() if detail.tran_date else None,
            "lines": [{"amount": line.amount, "description": line.description} for line in detail.memo_lines],
        },
        source_version=txn.modified.isoformat(),
        source_modified_at=txn.modified,
        mapping_version=MAPPING_VERSION,
    )


def staged_records(detail: TransactionDetail) -> list[StagedRecord]:
    """Every hub row of one transaction: a NetSuite-made credit memo first, then each application line."""
    rows = [staged_memo(detail)] if made_in_netsuite(detail.transaction) else []
    rows.extend(staged(line) for line in detail.applications)
    return rows


def removed_lines(detail: TransactionDetail, known: list[RecordView]) -> list[StagedRecord]:
    """Rows for lines the hub holds but NetSuite no longer shows (unapplied since): the same identity,
    payload marked ``removed`` so the change reopens the row and the writer reverses it in Nue."""
    txn = detail.transaction
    current = {staged(line).source_id for line in detail.applications}
    prefix = f"{txn.id}:"
    rows: list[StagedRecord] = []
    for row in known:
        if row.source_type not in (SOURCE_TYPE[PAYMENT], SOURCE_TYPE[CREDIT]):
            continue
        if not row.source_id.startswith(prefix) or row.source_id in current or row.payload.get("removed"):
            continue
        rows.append(
            StagedRecord(
                source_system=row.source_system,
                source_type=row.source_type,
                source_id=row.source_id,
                external_id=row.external_id,
                target_system=row.target_system,
                target_type=row.target_type,
                payload={**row.payload, "removed": True},
                source_version=txn.modified.isoformat(),
                source_modified_at=txn.modified,
                mapping_version=MAPPING_VERSION,
            )
        )
    return rows
