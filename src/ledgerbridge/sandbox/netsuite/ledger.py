"""General-ledger posting: a transaction body → ``transaction``, ``transactionline`` and
``transactionaccountingline`` rows.

Sign convention (NetSuite's): ``transactionaccountingline.amount`` is **debit positive, credit
negative**; ``debit``/``credit`` are unsigned (one of them NULL). ``transactionline.foreignamount`` /
``netamount`` / ``amount`` carry the same sign as the line's GL effect, so an invoice's item lines are
negative (credits to income) and its header (mainline, line 0) is positive (debit to A/R). Sales
transaction lines also carry a negative ``quantity``, as NetSuite2 does (see the netsuite2 sample).

Posting rules (per accounting book; every book posts the same amounts, exchange rate applied):

=================  ================================================  =====================================
transaction        debit                                             credit
=================  ================================================  =====================================
invoice            A/R (header ``account``, default A/R) = total     each line: item's deferred revenue
                                                                     account when the item has one *and*
                                                                     the line has rev-rec (or
                                                                     custcol_nue) dates, else the item's
                                                                     income account (default income);
                                                                     tax payable = tax total
creditmemo         the reverse of an invoice
customerpayment    ``account`` (bank) or undeposited funds = payment  A/R = payment
journalentry       each line's debit                                 each line's credit (must balance)
vendorbill         expense lines' accounts; item lines' item          A/P = total
                   expense account (default expense)
vendorpayment      A/P = total                                        ``account`` (default bank) = total
salesorder,        (non-posting: transaction and lines only, posting = 'F')
returnauthorization
=================  ================================================  =====================================

``transactionline.uniquekey`` is synthetic but stable: ``transaction id * 100000 + line id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.money import quantize
from ledgerbridge.sandbox.netsuite import codec
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.recordtypes import ABBREV, ITEM_KIND, RecordType
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo
from ledgerbridge.sandbox.netsuite.txlogic import money

ZERO = Decimal(0)
UNIQUE_STRIDE = 100_000


@dataclass(slots=True)
class GlLine:
    """One transaction line and (when it posts) its GL account."""

    line_id: int
    amount: Decimal  # signed, transaction currency, debit positive
    account: int | None
    mainline: bool = False
    taxline: bool = False
    item: int | None = None
    item_type: str | None = None
    quantity: Decimal | None = None
    rate: Decimal | None = None
    memo: str | None = None
    entity: int | None = None
    dims: dict[str, int | None] = field(default_factory=dict)
    expense_account: int | None = None
    line_type: str | None = None


@dataclass(slots=True)
class TxRows:
    transaction: dict[str, Any]
    lines: list[dict[str, Any]]
    accounting: list[dict[str, Any]]


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _dims(body: dict[str, Any], line: dict[str, Any] | None = None) -> dict[str, int | None]:
    src = line if line is not None else body
    return {dim: _int(src.get(dim, body.get(dim))) for dim in ("department", "class", "location")}


def has_term_dates(line: dict[str, Any]) -> bool:
    return bool(
        (line.get("revRecStartDate") and line.get("revRecEndDate"))
        or (line.get("custcol_nue_start_date") and line.get("custcol_nue_end_date"))
    )


class Ledger:
    """Builds and writes GL rows (callers hold the store lock)."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo

    # --- account choice ---------------------------------------------------------------------------
    def _default(self, role: str) -> int | None:
        value = self.repo.setting(f"gl:{role}")
        return None if value is None else int(value)

    def _item(self, item_id: int) -> RecordRow | None:
        return self.repo.fetch_in_family("item", item_id)

    def revenue_account(self, item: RecordRow | None, line: dict[str, Any]) -> int | None:
        body = item.body if item else {}
        if body.get("deferredRevenueAccount") and has_term_dates(line):
            return int(body["deferredRevenueAccount"])
        if body.get("incomeAccount"):
            return int(body["incomeAccount"])
        return self._default("income")

    def expense_account(self, item: RecordRow | None) -> int | None:
        body = item.body if item else {}
        for name in ("expenseAccount", "cogsAccount"):
            if body.get(name):
                return int(body[name])
        return self._default("expense")

    # --- line building ----------------------------------------------------------------------------
    def gl_lines(self, rt: RecordType, body: dict[str, Any]) -> list[GlLine]:
        name = rt.name
        total = money(body.get("total"))
        entity = _int(body.get("customer") if name == "customerpayment" else body.get("entity"))
        if name in ("invoice", "creditmemo", "salesorder", "returnauthorization"):
            sign = Decimal(-1) if name == "creditmemo" else Decimal(1)
            lines = [
                GlLine(
                    0, sign * total, _int(body.get("account")), mainline=True, entity=entity, dims=_dims(body)
                )
            ]
            last = 0
            for line in body.get("item") or []:
                item = self._item(int(line["item"]))
                qty = money(line.get("quantity", 1))
                lines.append(
                    GlLine(
                        int(line["line"]),
                        -sign * money(line["amount"]),
                        self.revenue_account(item, line),
                        item=int(line["item"]),
                        item_type=ITEM_KIND.get(item.rtype) if item else None,
                        quantity=-sign * qty,
                        rate=money(line["rate"]) if "rate" in line else None,
                        memo=line.get("description"),
                        entity=entity,
                        dims=_dims(body, line),
                    )
                )
                last = max(last, int(line["line"]))
            tax = money(body.get("taxTotal"))
            if tax:
                lines.append(GlLine(last + 1, -sign * tax, self._default("tax"), taxline=True, entity=entity))
            return lines
        if name == "customerpayment":
            payment = money(body.get("payment"))
            bank = _int(body.get("account")) if not body.get("undepFunds") else self._default("undeposited")
            return [
                GlLine(0, payment, bank, mainline=True, entity=entity, dims=_dims(body)),
                GlLine(1, -payment, _int(body.get("arAcct")), entity=entity, dims=_dims(body)),
            ]
        if name == "vendorpayment":
            return [
                GlLine(0, -total, _int(body.get("account")), mainline=True, entity=entity, dims=_dims(body)),
                GlLine(1, total, _int(body.get("apAcct")), entity=entity, dims=_dims(body)),
            ]
        if name == "vendorbill":
            lines = [
                GlLine(0, -total, _int(body.get("account")), mainline=True, entity=entity, dims=_dims(body))
            ]
            next_id = 1
            for line in body.get("expense") or []:
                account = int(line["account"])
                lines.append(
                    GlLine(
                        next_id,
                        money(line["amount"]),
                        account,
                        memo=line.get("memo"),
                        entity=entity,
                        dims=_dims(body, line),
                        expense_account=account,
                        line_type="expense",
                    )
                )
                next_id += 1
            for line in body.get("item") or []:
                item = self._item(int(line["item"]))
                account_id = self.expense_account(item)
                lines.append(
                    GlLine(
                        next_id,
                        money(line["amount"]),
                        account_id,
                        item=int(line["item"]),
                        item_type=ITEM_KIND.get(item.rtype) if item else None,
                        quantity=money(line.get("quantity", 1)),
                        rate=money(line["rate"]) if "rate" in line else None,
                        memo=line.get("description"),
                        entity=entity,
                        dims=_dims(body, line),
                        expense_account=account_id,
                    )
                )
                next_id += 1
            return lines
        if name == "journalentry":
            out = []
            for index, line in enumerate(body.get("line") or []):
                out.append(
                    GlLine(
                        index,
                        money(line.get("debit")) - money(line.get("credit")),
                        int(line["account"]),
                        mainline=index == 0,
                        memo=line.get("memo"),
                        entity=_int(line.get("entity")),
                        dims=_dims(body, line),
                    )
                )
            return out
        return []

    # --- rows ---------------------------------------------------------------------------------------
    def build(self, row: RecordRow) -> TxRows:
        rt = row.rt
        body = row.body
        voided = bool(body.get("voided"))
        # a voided transaction (no reversing journal) keeps its record but leaves the GL entirely
        posting = rt.posting and not voided
        rate = money(body.get("exchangeRate", 1)) or Decimal(1)
        modified = self.repo.local_sql(row.lastmodified)
        created = self.repo.local_sql(row.created)
        subsidiary = _int(body.get("subsidiary"))
        created_from = _int(body.get("createdFrom"))
        gl = self.gl_lines(rt, body)
        lines: list[dict[str, Any]] = []
        accounting: list[dict[str, Any]] = []
        if posting:
            for g in gl:
                if g.account is None:
                    raise NsError.user_error(
                        f"Line {g.line_id} has no GL account: set the item's income/expense account or the "
                        "account's default (A/R, A/P, tax, undeposited funds).",
                    )
        books = [int(r[0]) for r in self.repo.conn.execute("SELECT id FROM accountingbook ORDER BY id")] or [
            1
        ]
        base_amounts = [quantize(g.amount * rate) for g in gl]
        # Rounding after conversion may leave a cent over; the header line absorbs it so books balance.
        if posting and gl and sum(base_amounts, ZERO) != 0:
            base_amounts[0] -= sum(base_amounts, ZERO)
        for g, base in zip(gl, base_amounts, strict=True):
            lines.append(
                {
                    "transaction": row.id,
                    "id": g.line_id,
                    "uniquekey": row.id * UNIQUE_STRIDE + g.line_id,
                    "linesequencenumber": g.line_id,
                    "mainline": "T" if g.mainline else "F",
                    "taxline": "T" if g.taxline else "F",
                    "accountinglinetype": None,
                    "item": g.item,
                    "itemtype": g.item_type,
                    "quantity": _num(g.quantity),
                    "rate": _num(g.rate),
                    "amount": _num(base),
                    "netamount": _num(base),
                    "foreignamount": _num(g.amount),
                    "debitforeignamount": _num(g.amount) if g.amount > 0 else None,
                    "creditforeignamount": _num(-g.amount) if g.amount < 0 else None,
                    "memo": g.memo,
                    "entity": g.entity,
                    "subsidiary": subsidiary,
                    "department": g.dims.get("department"),
                    "class": g.dims.get("class"),
                    "location": g.dims.get("location"),
                    "donotdisplayline": "F",
                    "createdfrom": created_from,
                    "linelastmodifieddate": modified,
                    "foreignamountunpaid": None,
                    "foreignamountpaid": None,
                    "isclosed": "F",
                    "expenseaccount": g.expense_account,
                    "cleared": "F",
                    "eliminate": "F",
                    "isbillable": "F",
                    "transactionlinetype": g.line_type,
                }
            )
            if not posting or g.account is None:
                continue
            for book in books:
                accounting.append(
                    {
                        "transaction": row.id,
                        "transactionline": g.line_id,
                        "accountingbook": book,
                        "account": g.account,
                        "amount": _num(base),
                        "debit": _num(base) if base > 0 else None,
                        "credit": _num(-base) if base < 0 else None,
                        "netamount": _num(base),
                        "posting": "T",
                        "exchangerate": _num(rate),
                        "lastmodifieddate": modified,
                        "amountunpaid": None,
                        "amountpaid": None,
                        "paymentamountunused": None,
                        "paymentamountused": None,
                        "amountlinked": "0",
                        "overheadparentitem": None,
                    }
                )
        tx_type = rt.transaction_type or ""
        total = money(body.get("total"))
        unpaid = body.get("amountRemaining", body.get("unapplied"))
        transaction = {
            "id": row.id,
            "tranid": body.get("tranId"),
            "transactionnumber": body.get("tranId"),
            "trandate": codec.sql_date(date.fromisoformat(body["tranDate"])),
            "postingperiod": _int(body.get("postingPeriod")),
            "posting": "T" if posting else "F",
            "type": tx_type,
            "recordtype": rt.name,
            "abbrevtype": ABBREV.get(tx_type),
            "entity": _int(body.get("customer") if rt.name == "customerpayment" else body.get("entity")),
            "memo": body.get("memo"),
            "status": body.get("status"),
            "currency": _int(body.get("currency")),
            "exchangerate": _num(rate),
            "createddatetime": created,
            "createddate": created,
            "lastmodifieddate": modified,
            "duedate": codec.sql_date(date.fromisoformat(body["dueDate"])) if body.get("dueDate") else None,
            "closedate": None,
            "foreigntotal": _num(total),
            "foreignamountpaid": _num(total - money(unpaid)) if unpaid is not None else None,
            "foreignamountunpaid": _num(money(unpaid)) if unpaid is not None else None,
            "taxtotal": _num(money(body["taxTotal"])) if "taxTotal" in body else None,
            "externalid": row.externalid,
            "otherrefnum": body.get("otherRefNum"),
            "approvalstatus": None,
            "employee": None,
            "voided": "T" if voided else "F",
            "isreversal": "F",
            "reversal": None,
            "reversaldate": None,
            "reversaldefer": "F",
            "journaltype": None,
            "terms": None,
        }
        if lines and unpaid is not None:
            lines[0]["foreignamountunpaid"] = transaction["foreignamountunpaid"]
            lines[0]["foreignamountpaid"] = transaction["foreignamountpaid"]
        return TxRows(transaction, lines, accounting)

    def write(self, rows: TxRows) -> None:
        tx_id = rows.transaction["id"]
        self.remove(tx_id)
        self.repo.upsert_row("transaction", rows.transaction)
        self.repo.insert_many("transactionline", rows.lines)
        self.repo.insert_many("transactionaccountingline", rows.accounting)

    def remove(self, tx_id: int) -> None:
        conn = self.repo.conn
        conn.execute('DELETE FROM "transactionaccountingline" WHERE "transaction" = ?', (tx_id,))
        conn.execute('DELETE FROM "transactionline" WHERE "transaction" = ?', (tx_id,))
        conn.execute('DELETE FROM "transaction" WHERE id = ?', (tx_id,))


def _num(value: Decimal | None) -> str | None:
    """Amounts go to SQLite as exact decimal text; the REAL column stores the nearest double."""
    return None if value is None else str(value)
