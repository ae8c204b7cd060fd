"""Reading NetSuite: which customer payments and credit memos changed, and the application lines of each.

NetSuite keeps a payment's (or credit memo's) applications in its ``apply`` sublist, which SuiteQL does not
show as a table; so the read is two-step, as in a real account:

1. SuiteQL over ``transaction`` for ``CustPymt``/``CustCred`` rows whose ``lastmodifieddate`` is at or after
   the window start, keyset-paged on ``id`` (no 100,000-row cap, no offset drift). ``TO_CHAR`` gives the
   modification time to the second, in the account's time zone.
2. One record GET per changed transaction (``expandSubResources``) for its ``apply`` lines.

The whole window is listed before anything is staged and then sorted by ``(lastmodifieddate, id)``, so
the flow can commit in that order and the checkpoint never passes a transaction that is not staged yet
(DESIGN §4.2) even though the pages came in id order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.errors import RecordRejected
from ledgerbridge.money import to_decimal

#: SuiteQL ``transaction.type`` → REST record type, for the two kinds of document that apply money
SOURCE_TYPES: dict[str, str] = {"CustPymt": "customerpayment", "CustCred": "creditmemo"}
TIMESTAMP_MASK = "YYYY-MM-DD HH24:MI:SS"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
#: ids per ``IN (...)`` list: well under SuiteQL's statement limits
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ChangedTransaction:
    """A customer payment or credit memo that changed inside the read window."""

    id: str
    record_type: str
    tran_id: str | None
    external_id: str | None
    modified: datetime

    @property
    def cursor(self) -> Cursor:
        # zero-padded so that ties at one second order numerically, as the keyset did
        return Cursor(self.modified, self.id.zfill(12))


@dataclass(frozen=True, slots=True)
class ApplicationLine:
    """One line of an ``apply`` sublist: ``amount`` of ``transaction`` applied to document ``doc_id``."""

    transaction: ChangedTransaction
    doc_id: str
    amount: Decimal
    doc_label: str | None
    tran_date: date | None


@dataclass(frozen=True, slots=True)
class MemoLine:
    """One item line of a NetSuite credit memo (what a credit memo made in NetSuite credits)."""

    amount: Decimal
    description: str | None


@dataclass(frozen=True, slots=True)
class TransactionDetail:
    """A changed payment or credit memo as its record says: its customer, total, lines and applications."""

    transaction: ChangedTransaction
    customer_id: str | None
    total: Decimal
    tran_date: date | None
    memo_lines: tuple[MemoLine, ...]
    applications: tuple[ApplicationLine, ...]


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """What SuiteQL says about a document an application points at."""

    id: str
    type: str
    tran_id: str | None
    external_id: str | None


def account_zone(reader: NetSuiteClient) -> ZoneInfo:
    """The account's time zone as configured on the connection (UTC when not set)."""
    return ZoneInfo(getattr(reader.settings, "timezone", None) or "UTC")


def window_query(
    start: datetime | None,
    zone: ZoneInfo,
    *,
    types: Mapping[str, str] = SOURCE_TYPES,
    voided_only: bool = False,
) -> str:
    """The SuiteQL listing transactions of ``types`` changed from ``start`` (everything when None);
    ``voided_only`` narrows it to voided ones (``voids.py``)."""
    listed = ", ".join(f"'{kind}'" for kind in types)
    sql = (
        f"SELECT id, type, tranid, externalid, TO_CHAR(lastmodifieddate, '{TIMESTAMP_MASK}') AS modified "
        f"FROM transaction WHERE type IN ({listed})"
    )
    if voided_only:
        sql += " AND voided = 'T'"
    if start is not None:
        # SuiteQL compares in the account's zone: write the instant there, to the second (rounded down,
        # so a change in the same second as the start is still read)
        local = start.astimezone(zone).strftime(TIMESTAMP_FORMAT)
        sql += f" AND lastmodifieddate >= TO_TIMESTAMP('{local}', '{TIMESTAMP_MASK}')"
    return sql


async def changed_transactions(
    reader: NetSuiteClient,
    start: datetime | None,
    *,
    page_size: int,
    types: Mapping[str, str] = SOURCE_TYPES,
    voided_only: bool = False,
) -> list[ChangedTransaction]:
    """Every transaction of ``types`` (SuiteQL type → REST record type; default: payments and credit
    memos) modified at or after ``start``, ordered by (modified, id)."""
    found: list[ChangedTransaction] = []
    query = window_query(start, account_zone(reader), types=types, voided_only=voided_only)
    async for raw in reader.suiteql_keyset(query, key="id", page_size=min(page_size, 1000)):
        row = reader.decode_row(raw, {"modified": datetime})
        modified = row.get("modified")
        if not isinstance(modified, datetime) or modified.tzinfo is None:
            raise RecordRejected(
                f"NetSuite transaction {raw.get('id')} has no usable lastmodifieddate "
                f"({raw.get('modified')!r})",
                hint="set the NetSuite connection's timezone to the account's time zone",
            )
        found.append(
            ChangedTransaction(
                id=str(row["id"]),
                record_type=types[str(row["type"])],
                tran_id=_text(row.get("tranid")),
                external_id=_text(row.get("externalid")),
                modified=modified,
            )
        )
    found.sort(key=lambda txn: txn.cursor)
    return found


async def read_transaction(reader: NetSuiteClient, txn: ChangedTransaction) -> TransactionDetail | None:
    """The record of one payment or credit memo with its applied lines (``apply`` true, amount above zero).

    ``None`` for a transaction deleted since it was listed: nothing of it can be applied any more.
    """
    body = await reader.get(txn.record_type, txn.id, expand=True)
    if body is None:
        return None
    tran_date = _day(body.get("tranDate"))
    lines: list[ApplicationLine] = []
    for item in _sublist_items(body.get("apply")):
        if not item.get("apply"):
            continue
        amount = to_decimal(item.get("amount") or 0)
        doc = _ref_id(item.get("doc"))
        if amount <= 0 or doc is None:
            continue
        label = _text(item.get("refNum")) or _text(_ref_name(item.get("doc")))
        lines.append(ApplicationLine(txn, doc, amount, label, tran_date))
    memo_lines = tuple(
        MemoLine(
            to_decimal(item.get("amount") or 0),
            _text(item.get("description")) or _text(_ref_name(item.get("item"))),
        )
        for item in _sublist_items(body.get("item"))
    )
    return TransactionDetail(
        transaction=txn,
        customer_id=_ref_id(
            body.get("customer") if txn.record_type == "customerpayment" else body.get("entity")
        ),
        total=to_decimal(body.get("total") or 0),
        tran_date=tran_date,
        memo_lines=memo_lines,
        applications=tuple(lines),
    )


async def customer_external_ids(reader: NetSuiteClient, ids: Iterable[str]) -> dict[str, str | None]:
    """The external id of each NetSuite customer in ``ids`` (None when it has none)."""
    wanted = sorted({int(i) for i in ids})
    found: dict[str, str | None] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = ", ".join(str(i) for i in wanted[start : start + _IN_CHUNK])
        async for row in reader.suiteql(f"SELECT id, externalid FROM customer WHERE id IN ({chunk})"):
            found[str(row["id"])] = _text(row.get("externalid"))
    return found


async def documents(reader: NetSuiteClient, ids: Iterable[str]) -> dict[str, DocumentRef]:
    """The type, number and external id of each transaction in ``ids`` (missing ones are left out)."""
    wanted = sorted({int(i) for i in ids})
    refs: dict[str, DocumentRef] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = ", ".join(str(i) for i in wanted[start : start + _IN_CHUNK])
        query = f"SELECT id, type, tranid, externalid FROM transaction WHERE id IN ({chunk})"
        async for row in reader.suiteql(query):
            ident = str(row["id"])
            refs[ident] = DocumentRef(
                ident, str(row.get("type") or ""), _text(row.get("tranid")), _text(row.get("externalid"))
            )
    return refs


def _sublist_items(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        value = value.get("items")
    return [item for item in value or () if isinstance(item, Mapping)]


def _ref_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return None if value in (None, "") else str(value)


def _ref_name(value: Any) -> Any:
    return value.get("refName") if isinstance(value, Mapping) else None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
