"""Transaction rules before posting: defaults, line amounts, totals, balance checks and applications.

Defaults (what NetSuite's UI would fill in): ``tranDate`` today (account time zone), ``postingPeriod`` the
month containing ``tranDate``, ``subsidiary``/``currency`` from the entity (else the root subsidiary and
its currency), ``exchangeRate`` from the currencies' default rates, ``tranId`` as ``<prefix><number>``,
``dueDate`` = ``tranDate``, line ``quantity`` 1 and ``amount`` = quantity * rate (or ``rate`` = amount /
quantity), line department/class/location from the header.

Applications (``apply`` sublists) are kept in ``ns_application`` (source transaction → target, amount):
a customer payment applies to invoices (and consumes credit memos), a credit memo applies to invoices, a
vendor payment applies to vendor bills. A target's open balance is its total minus everything applied
to it (a credit memo's also minus what it applied itself); its status follows (Open → Paid In Full /
Fully Applied).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.money import quantize
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.periods import Periods
from ledgerbridge.sandbox.netsuite.recordtypes import RecordType
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo

ZERO = Decimal(0)
RATE_EXP = Decimal("0.00000001")

# Which documents an apply line may point at, per source type.
APPLY_TARGETS: dict[str, tuple[str, ...]] = {
    "customerpayment": ("invoice", "creditmemo"),
    "creditmemo": ("invoice",),
    "vendorpayment": ("vendorbill",),
}
# Types whose open balance is tracked (amountRemaining / foreignamountunpaid).
OPEN_BALANCE_TYPES = ("invoice", "creditmemo", "vendorbill")
#: what a person can void in the UI (the emulator's ``void``); the status code a voided one gets
VOIDABLE_TYPES = ("invoice", "creditmemo", "customerpayment")
VOIDED = "V"


def money(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value or 0)


def entity_field(rt: RecordType) -> str | None:
    if rt.field("customer") is not None and rt.name == "customerpayment":
        return "customer"
    return "entity" if rt.field("entity") is not None else None


def complete(
    repo: Repo,
    periods: Periods,
    rt: RecordType,
    body: dict[str, Any],
    *,
    touched: set[str],
    source_id: int | None,
) -> dict[str, Any]:
    """Fill defaults and computed fields of a transaction body (in place; also returned).

    ``touched``: lower-cased names of the fields present in the request (drives re-derivation of the
    posting period when only ``tranDate`` changed). ``source_id``: the transaction's own id (None on create).
    """
    if "tranDate" not in body:
        body["tranDate"] = repo.today().isoformat()
    tran_date = date.fromisoformat(body["tranDate"])
    if "postingPeriod" not in body or ("trandate" in touched and "postingperiod" not in touched):
        body["postingPeriod"] = str(periods.period_for(tran_date))
    else:
        periods.require_month(int(body["postingPeriod"]))
    _default_entity_context(repo, rt, body)
    if "tranId" not in body and rt.tranid_prefix:
        body["tranId"] = f"{rt.tranid_prefix}{repo.next_seq('tranid:' + rt.name, 1001)}"
    if rt.field("dueDate") is not None and "dueDate" not in body:
        body["dueDate"] = body["tranDate"]
    if rt.name in ("salesorder", "invoice", "creditmemo", "returnauthorization"):
        _sales_lines(rt, body)
    elif rt.name == "vendorbill":
        _bill_lines(body)
    elif rt.name == "journalentry":
        _journal_lines(body)
    if rt.name in APPLY_TARGETS:
        _apply_lines(repo, rt, body, source_id)
    _default_accounts(repo, rt, body)
    return body


def _default_entity_context(repo: Repo, rt: RecordType, body: dict[str, Any]) -> None:
    ent_field = entity_field(rt)
    entity_body: dict[str, Any] = {}
    if ent_field and ent_field in body:
        row = repo.fetch_in_family("entity", int(body[ent_field]))
        entity_body = row.body if row else {}
    if "subsidiary" not in body:
        body["subsidiary"] = entity_body.get("subsidiary") or repo.setting("root_subsidiary") or "1"
    sub = repo.fetch("subsidiary", int(body["subsidiary"]))
    sub_currency = (sub.body.get("currency") if sub else None) or repo.setting("base_currency") or "1"
    if "currency" not in body:
        body["currency"] = entity_body.get("currency") or sub_currency
    if "exchangeRate" not in body:
        body["exchangeRate"] = _default_rate(repo, str(body["currency"]), str(sub_currency))


def _default_rate(repo: Repo, tx_currency: str, sub_currency: str) -> Decimal:
    if tx_currency == sub_currency:
        return Decimal(1)
    tx = repo.fetch("currency", int(tx_currency))
    base = repo.fetch("currency", int(sub_currency))
    tx_rate = money(tx.body.get("exchangeRate", 1)) if tx else Decimal(1)
    base_rate = money(base.body.get("exchangeRate", 1)) if base else Decimal(1)
    if base_rate == 0:
        return Decimal(1)
    return (tx_rate / base_rate).quantize(RATE_EXP)


def _sales_lines(rt: RecordType, body: dict[str, Any]) -> None:
    lines = body.get("item") or []
    if not lines:
        raise NsError.user_error(
            "You must enter at least one line item for this transaction.", error_path="item"
        )
    subtotal = ZERO
    tax = ZERO
    for line in lines:
        _line_amount(line)
        _default_dims(body, line)
        subtotal += line["amount"]
        tax += money(line.get("tax1Amt"))
    body["subtotal"] = subtotal
    body["taxTotal"] = tax
    body["total"] = subtotal + tax
    if rt.name == "salesorder" and "status" not in body:
        body["status"] = "F"  # Pending Billing: service/SaaS lines need no fulfilment
    if rt.name == "returnauthorization" and "status" not in body:
        body["status"] = "B"


def _line_amount(line: dict[str, Any]) -> None:
    quantity = money(line.get("quantity", 1))
    line["quantity"] = quantity
    if "amount" not in line:
        if "rate" not in line:
            raise NsError.missing_fields(["Amount"])
        line["amount"] = quantize(quantity * money(line["rate"]))
    elif "rate" not in line and quantity != 0:
        line["rate"] = (money(line["amount"]) / quantity).normalize()


def _default_dims(body: dict[str, Any], line: dict[str, Any]) -> None:
    for dim in ("department", "class", "location"):
        if dim not in line and dim in body:
            line[dim] = body[dim]


def _bill_lines(body: dict[str, Any]) -> None:
    expenses = body.get("expense") or []
    items = body.get("item") or []
    if not expenses and not items:
        raise NsError.user_error(
            "You must enter at least one line item for this transaction.", error_path="expense"
        )
    total = ZERO
    for line in expenses:
        _default_dims(body, line)
        total += money(line["amount"])
    for line in items:
        _line_amount(line)
        _default_dims(body, line)
        total += money(line["amount"])
    body["total"] = total
    body["userTotal"] = total


def _journal_lines(body: dict[str, Any]) -> None:
    lines = body.get("line") or []
    if not lines:
        raise NsError.user_error(
            "You must enter at least one line item for this transaction.", error_path="line"
        )
    debits = ZERO
    credits = ZERO
    for index, line in enumerate(lines):
        debit = money(line.get("debit"))
        credit = money(line.get("credit"))
        if debit and credit:
            raise NsError.user_error(
                f"Line {index + 1}: enter either a debit or a credit amount, not both.", error_path="line"
            )
        if debit < 0 or credit < 0:
            raise NsError.user_error(f"Line {index + 1}: debit and credit amounts cannot be negative.")
        _default_dims(body, line)
        debits += debit
        credits += credit
    if debits != credits:
        raise NsError.user_error(
            f"The transaction is out of balance: total debits {debits} must equal total credits {credits}.",
            error_path="line",
        )
    body["total"] = debits
    body.setdefault("approved", True)
    body["status"] = "B" if body["approved"] else "A"


def _default_accounts(repo: Repo, rt: RecordType, body: dict[str, Any]) -> None:
    if rt.name in ("invoice", "creditmemo") and "account" not in body:
        body["account"] = _gl_default(repo, "ar")
    elif rt.name == "vendorbill" and "account" not in body:
        body["account"] = _gl_default(repo, "ap")
    elif rt.name == "customerpayment":
        body.setdefault("arAcct", _gl_default(repo, "ar"))
        if "account" in body:
            body["undepFunds"] = False
        else:
            body["undepFunds"] = True
        body["status"] = "B" if body["undepFunds"] else "C"
    elif rt.name == "vendorpayment":
        body.setdefault("account", _gl_default(repo, "bank"))
        body.setdefault("apAcct", _gl_default(repo, "ap"))
        body["status"] = "Z"


def _gl_default(repo: Repo, role: str) -> str:
    value = repo.setting(f"gl:{role}")
    if value is None:
        raise NsError.user_error(
            f"No default {role.upper()} account is set up in this account; set the account field explicitly."
        )
    return value


# --- applications ----------------------------------------------------------------------------------
def applications_to(repo: Repo, target: int) -> Decimal:
    rows = repo.conn.execute("SELECT amount FROM ns_application WHERE target = ?", (target,)).fetchall()
    return sum((Decimal(r[0]) for r in rows), ZERO)


def applications_from(repo: Repo, source: int) -> dict[int, Decimal]:
    rows = repo.conn.execute(
        "SELECT target, amount FROM ns_application WHERE source = ?", (source,)
    ).fetchall()
    return {int(t): Decimal(a) for t, a in rows}


def open_balance(repo: Repo, doc: RecordRow) -> Decimal:
    """What is still open on an invoice, bill or credit memo."""
    total = money(doc.body.get("total"))
    used = applications_to(repo, doc.id)
    if doc.rtype == "creditmemo":
        used += sum(applications_from(repo, doc.id).values(), ZERO)
    return total - used


def _apply_lines(repo: Repo, rt: RecordType, body: dict[str, Any], source_id: int | None) -> None:
    allowed = APPLY_TARGETS[rt.name]
    previous = applications_from(repo, source_id) if source_id is not None else {}
    ent_field = entity_field(rt)
    entity = body.get(ent_field) if ent_field else None
    applied_docs = ZERO
    consumed_credits = ZERO
    for index, line in enumerate(body.get("apply") or []):
        path = f"apply.items[{index}].doc"
        doc_id = int(line["doc"])
        doc = repo.fetch_in_family("transaction", doc_id)
        if doc is None or doc.rtype not in allowed:
            raise NsError.invalid_reference("doc", str(doc_id), error_path=path)
        if source_id is not None and doc_id == source_id:
            raise NsError.user_error("A transaction cannot be applied to itself.", error_path=path)
        doc_entity = doc.body.get(entity_field(doc.rt) or "entity")
        if entity is not None and doc_entity != entity:
            raise NsError.user_error(
                f"{doc.body.get('tranId', doc_id)} belongs to another customer or vendor and cannot be "
                "applied here.",
                error_path=path,
            )
        available = open_balance(repo, doc) + previous.get(doc_id, ZERO)
        line["total"] = money(doc.body.get("total"))
        line["due"] = available
        line["refNum"] = doc.body.get("tranId", "")
        line["type"] = doc.rt.label
        if line.get("apply") is False:
            line.pop("amount", None)
            continue
        line["apply"] = True
        amount = money(line["amount"]) if "amount" in line else available
        if amount < 0:
            raise NsError.user_error("An applied amount cannot be negative.", error_path=path)
        if amount > available:
            raise NsError.user_error(
                f"The amount applied ({amount}) exceeds the amount due ({available}) "
                f"on {doc.body.get('tranId', doc_id)}.",
                error_path=path,
            )
        line["amount"] = amount
        if doc.rtype == "creditmemo":
            consumed_credits += amount
        else:
            applied_docs += amount
    if rt.name == "customerpayment":
        net = applied_docs - consumed_credits
        payment = money(body["payment"]) if "payment" in body else net
        if payment < 0:
            raise NsError.user_error("The payment amount cannot be negative.", error_path="payment")
        if payment < net:
            raise NsError.user_error(
                f"The total applied ({net}) exceeds the payment amount ({payment}).", error_path="payment"
            )
        body["payment"] = payment
        body["applied"] = applied_docs
        body["unapplied"] = payment - net
        body["total"] = payment
    elif rt.name == "vendorpayment":
        if applied_docs <= 0:
            raise NsError.user_error("Apply the payment to at least one bill.", error_path="apply")
        body["total"] = applied_docs
    elif rt.name == "creditmemo":
        body["applied"] = applied_docs
        if applied_docs > money(body.get("total")):
            raise NsError.user_error(
                f"The credit applied ({applied_docs}) exceeds the credit memo total ({body.get('total')}).",
                error_path="apply",
            )


def save_applications(repo: Repo, source: RecordRow) -> set[int]:
    """Replace the source's applications with its current apply lines; returns every affected target."""
    before = set(applications_from(repo, source.id))
    repo.conn.execute("DELETE FROM ns_application WHERE source = ?", (source.id,))
    rows = []
    for line in source.body.get("apply") or []:
        if line.get("apply") and money(line.get("amount")) > 0:
            rows.append((source.id, int(line["doc"]), str(money(line["amount"]))))
    repo.conn.executemany("INSERT INTO ns_application (source, target, amount) VALUES (?, ?, ?)", rows)
    return before | {r[1] for r in rows}


def drop_applications(repo: Repo, source_id: int) -> set[int]:
    before = set(applications_from(repo, source_id))
    repo.conn.execute("DELETE FROM ns_application WHERE source = ?", (source_id,))
    return before


def has_dependents(repo: Repo, target_id: int) -> bool:
    row = repo.conn.execute("SELECT 1 FROM ns_application WHERE target = ? LIMIT 1", (target_id,)).fetchone()
    return row is not None


def refresh_balance(repo: Repo, doc: RecordRow) -> None:
    """Recompute amountRemaining/amountPaid/status on the body of an invoice, bill or credit memo."""
    if doc.rtype not in OPEN_BALANCE_TYPES:
        return
    if doc.body.get("voided"):
        doc.body["amountRemaining"] = Decimal(0)
        doc.body["status"] = VOIDED
        return
    remaining = open_balance(repo, doc)
    total = money(doc.body.get("total"))
    doc.body["amountRemaining"] = remaining
    if doc.rtype == "creditmemo":
        doc.body["applied"] = total - remaining
        doc.body["status"] = "B" if remaining == 0 else "A"
    else:
        doc.body["amountPaid"] = total - remaining
        doc.body["status"] = "B" if remaining == 0 else "A"


def affected_docs(repo: Repo, ids: Iterable[int]) -> list[RecordRow]:
    out = []
    for doc_id in sorted(set(ids)):
        row = repo.fetch_in_family("transaction", doc_id)
        if row is not None:
            out.append(row)
    return out
