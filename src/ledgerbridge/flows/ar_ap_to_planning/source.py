"""Open invoices and vendor bills from one keyset-paged SuiteQL query (AR and AP together)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.errors import RecordRejected

from .items import AP, AR, OpenDocument

#: NetSuite transaction type → AR / AP
KINDS: dict[str, str] = {"CustInvc": AR, "VendBill": AP}


def open_items_query(as_of: date) -> str:
    """Documents dated on or before ``as_of`` with an amount remaining; the mainline carries the
    subsidiary. The keyset pager appends ``AND transaction.id > :last ORDER BY transaction.id``."""
    types = ", ".join(f"'{kind}'" for kind in KINDS)
    return (
        "SELECT transaction.id AS id, transaction.tranid AS tranid, transaction.type AS type, "
        "transaction.trandate AS trandate, transaction.duedate AS duedate, "
        "transaction.foreignamountunpaid AS remaining, currency.symbol AS currency, "
        "transactionline.subsidiary AS subsidiary, "
        "COALESCE(entity.companyname, entity.altname, BUILTIN.DF(transaction.entity)) AS counterparty "
        "FROM transaction "
        "JOIN transactionline ON transactionline.transaction = transaction.id "
        "AND transactionline.mainline = 'T' "
        "LEFT JOIN currency ON currency.id = transaction.currency "
        "LEFT JOIN entity ON entity.id = transaction.entity "
        f"WHERE transaction.type IN ({types}) AND transaction.foreignamountunpaid > 0 "
        f"AND transaction.trandate <= TO_DATE('{as_of.isoformat()}', 'YYYY-MM-DD')"
    )


def to_document(netsuite: NetSuiteClient, raw: Mapping[str, Any]) -> OpenDocument:
    row = netsuite.decode_row(raw, {"trandate": date, "duedate": date, "remaining": Decimal})
    document_date = row.get("trandate")
    remaining = row.get("remaining")
    if not isinstance(document_date, date) or not isinstance(remaining, Decimal):
        raise RecordRejected(
            f"NetSuite transaction {raw.get('id')} has no usable date or amount remaining "
            f"({raw.get('trandate')!r}, {raw.get('remaining')!r})",
            hint="check the NetSuite connection's date format",
        )
    due = row.get("duedate")
    return OpenDocument(
        id=str(raw["id"]),
        number=str(raw.get("tranid") or ""),
        kind=KINDS[str(raw.get("type"))],
        subsidiary=str(raw.get("subsidiary") or ""),
        counterparty=str(raw.get("counterparty") or "").strip(),
        document_date=document_date,
        due_date=due if isinstance(due, date) else None,
        remaining=remaining,
        currency=str(raw.get("currency") or ""),
    )


async def open_documents(netsuite: NetSuiteClient, as_of: date, *, page_size: int) -> list[OpenDocument]:
    rows = netsuite.suiteql_keyset(open_items_query(as_of), key="transaction.id", page_size=page_size)
    return [to_document(netsuite, raw) async for raw in rows]
