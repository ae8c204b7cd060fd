"""Payment and credit applications — ``POST /billing/invoices:pay``, ``/billing/credit-memos:apply`` and
``:unapply`` (reference notes §1.2) — applied exactly once per idempotency key.

Each entry may carry an ``idempotencyKey`` (an emulator assumption: Nue's public material documents none, but
ledgerbridge's invariant 4.1 needs one — see ``docs/connectors/nue.md``). A key seen before with the same
content does not apply again: with ``duplicate_key_behaviour="replay"`` the answer repeats the first result
flagged ``duplicate: true``; with ``"conflict"`` the whole request is refused with 409 ``DUPLICATE_REQUEST``
and the earlier results in ``data.duplicates``, nothing applied. The same key with different content is
409 ``IDEMPOTENCY_KEY_REUSED``. A request is validated as a whole before anything is applied.

Effects: an invoice's ``balance`` falls by each amount and its ``paymentStatus`` becomes ``Paid`` (balance 0)
or ``PartiallyPaid``; a credit memo's balance falls likewise and its status becomes ``Applied`` or
``PartiallyApplied``. Unapplying reverses a credit application and restores both balances.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import coerce
from .documents import ZERO, refresh_credit_memo, refresh_invoice
from .errors import NueError
from .store import IdempotentResult, NueStore, Record


@dataclass
class _Entry:
    """One parsed entry of an application request."""

    where: str
    key: str | None
    amount: Decimal
    invoice: Record
    memo: Record | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self, kind: str) -> tuple[Any, ...]:
        memo_id = self.memo["id"] if self.memo is not None else None
        return (kind, self.invoice["id"], memo_id, self.amount, self.values.get("customerId"))


def _split_duplicates(
    store: NueStore, kind: str, entries: Sequence[_Entry]
) -> tuple[list[_Entry], dict[int, Record]]:
    """The entries to apply, and the earlier results of replayed ones (by position in the request)."""
    fresh: list[_Entry] = []
    duplicates: dict[int, Record] = {}
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.key is None:
            fresh.append(entry)
            continue
        if entry.key in seen:
            raise NueError.invalid(
                f"{entry.where}.idempotencyKey '{entry.key}' appears twice in this request."
            )
        seen.add(entry.key)
        prior = store.idempotency.get(entry.key)
        if prior is None:
            fresh.append(entry)
        elif prior.kind != kind or prior.fingerprint != entry.fingerprint(kind):
            raise NueError(
                409,
                "IDEMPOTENCY_KEY_REUSED",
                f"{entry.where}: idempotencyKey '{entry.key}' was used before for a different application.",
            )
        else:
            duplicates[index] = {**copy.deepcopy(prior.result), "duplicate": True}
    if duplicates and store.settings.duplicate_key_behaviour == "conflict":
        raise NueError(
            409,
            "DUPLICATE_REQUEST",
            f"{len(duplicates)} application(s) in this request were already applied; nothing was applied.",
            data={"duplicates": list(duplicates.values())},
        )
    return fresh, duplicates


def _key(body: Mapping[str, Any], where: str) -> str | None:
    key = coerce.text(body, "idempotencyKey", where, required=False)
    if key is not None and len(key) > 255:
        raise NueError.invalid(f"{where}.idempotencyKey is longer than 255 characters.")
    return key


def _positive(body: Mapping[str, Any], where: str) -> Decimal:
    amount = coerce.required_amount(body, "transactionAmount", where)
    if amount <= 0:
        raise NueError.invalid(
            f"{where}.transactionAmount must be above zero.", field=f"{where}.transactionAmount"
        )
    return amount


def _payable(store: NueStore, invoice_id: str, where: str) -> Record:
    invoice = store.get("invoices", invoice_id)
    if invoice is None:
        raise NueError.rule("INVOICE_NOT_FOUND", f"{where}.invoiceId '{invoice_id}' does not exist.")
    if invoice["status"] != "Active":
        raise NueError.state(
            f"{where}: invoice {invoice['name']} is {invoice['status']}; only active invoices take payments."
        )
    if invoice["amount"] < 0:
        raise NueError.state(
            f"{where}: invoice {invoice['name']} is negative; it is settled by a credit, not a payment."
        )
    return invoice


def _draw(balances: dict[str, Decimal], record: Record, amount: Decimal, where: str, what: str) -> None:
    left = balances.setdefault(record["id"], record["balance"]) - amount
    if left < 0:
        raise NueError.rule(
            "AMOUNT_EXCEEDS_BALANCE",
            f"{where}: {amount} is more than the {balances[record['id']]} left on {what} {record['name']}.",
        )
    balances[record["id"]] = left


def _in_request_order(
    entries: Sequence[_Entry], applied: dict[int, Record], duplicates: dict[int, Record]
) -> list[Record]:
    """One result per request entry, in request order (replays flagged ``duplicate``)."""
    return [duplicates[i] if i in duplicates else applied[id(entry)] for i, entry in enumerate(entries)]


def _remember(store: NueStore, kind: str, entry: _Entry, result: Record) -> None:
    if entry.key is not None:
        store.idempotency[entry.key] = IdempotentResult(kind, entry.fingerprint(kind), copy.deepcopy(result))


# --- payments ------------------------------------------------------------------------------------------


def pay_invoices(store: NueStore, payload: Any) -> Record:
    """``{payInvoices: [{invoiceId, customerId, transactionAmount, paymentSource, paymentMethod,
    paymentDate?, paymentReference?, idempotencyKey?}]}`` → payments, applications, invoices."""
    body = coerce.obj(payload, "body")
    raw = coerce.items(body.get("payInvoices"), "payInvoices")
    if not raw:
        raise NueError.invalid("payInvoices is empty.", field="payInvoices")
    with store.lock:
        entries: list[_Entry] = []
        for i, item in enumerate(raw):
            where = f"payInvoices[{i}]"
            spec = coerce.obj(item, where)
            invoice_id = coerce.required_text(spec, "invoiceId", where)
            amount = _positive(spec, where)
            invoice = store.get("invoices", invoice_id)
            if invoice is None:
                raise NueError.rule("INVOICE_NOT_FOUND", f"{where}.invoiceId '{invoice_id}' does not exist.")
            customer_id = coerce.required_text(spec, "customerId", where)
            entries.append(
                _Entry(
                    where,
                    _key(spec, where),
                    amount,
                    invoice,
                    values={
                        "customerId": customer_id,
                        "paymentSource": coerce.text(spec, "paymentSource", where, required=False) or "Nue",
                        "paymentMethod": coerce.text(spec, "paymentMethod", where, required=False) or "Other",
                        "paymentDate": coerce.day(spec, "paymentDate", where, required=False),
                        "paymentReference": coerce.text(spec, "paymentReference", where, required=False),
                    },
                )
            )
        fresh, duplicates = _split_duplicates(store, "payment", entries)
        balances: dict[str, Decimal] = {}
        for entry in fresh:
            _payable(store, entry.invoice["id"], entry.where)
            if entry.invoice["customerId"] != entry.values["customerId"]:
                raise NueError.rule(
                    "CUSTOMER_MISMATCH",
                    f"{entry.where}: invoice {entry.invoice['name']} belongs to another customer.",
                )
            _draw(balances, entry.invoice, entry.amount, entry.where, "invoice")
        payments, applied = _record_payments(store, fresh)
        invoices = _settle_invoices(store, [e.invoice for e in fresh])
        return {
            "payments": payments,
            "paymentApplications": _in_request_order(entries, applied, duplicates),
            "invoices": invoices,
        }


def _record_payments(store: NueStore, entries: list[_Entry]) -> tuple[list[Record], dict[int, Record]]:
    groups: dict[str, list[_Entry]] = {}
    for index, entry in enumerate(entries):
        reference = entry.values["paymentReference"]
        groups.setdefault(f"ref:{reference}" if reference else f"entry:{index}", []).append(entry)
    payments: list[Record] = []
    applications: dict[int, Record] = {}
    for group in groups.values():
        first = group[0]
        if len({e.values["customerId"] for e in group}) > 1:
            raise NueError.invalid(f"{first.where}: one paymentReference cannot pay several customers.")
        day: date = first.values["paymentDate"] or store.clock.today()
        payment: Record = {
            "id": store.new_id("payment"),
            "name": store.next_number("PAY"),
            "customerId": first.values["customerId"],
            "amount": sum((e.amount for e in group), ZERO),
            "paymentDate": day.isoformat(),
            "paymentSource": first.values["paymentSource"],
            "paymentMethod": first.values["paymentMethod"],
            "paymentReference": first.values["paymentReference"],
            "status": "Completed",
            "applicationIds": [],
        }
        for entry in group:
            application: Record = {
                "id": store.new_id("paymentapplication"),
                "name": store.next_number("PA"),
                "applicationType": "Payment",
                "paymentId": payment["id"],
                "invoiceId": entry.invoice["id"],
                "invoiceName": entry.invoice["name"],
                "customerId": entry.invoice["customerId"],
                "amount": entry.amount,
                "appliedDate": day.isoformat(),
                "idempotencyKey": entry.key,
                "status": "Applied",
            }
            entry.invoice["balance"] -= entry.amount
            payment["applicationIds"].append(application["id"])
            store.insert("paymentApplications", application)
            _remember(store, "payment", entry, application)
            applications[id(entry)] = application
        store.insert("payments", payment)
        payments.append(payment)
    return payments, applications


def _settle_invoices(store: NueStore, invoices: list[Record]) -> list[Record]:
    unique = list({invoice["id"]: invoice for invoice in invoices}.values())
    for invoice in unique:
        refresh_invoice(invoice)
        store.touch("invoices", invoice, event="paid" if invoice["paymentStatus"] == "Paid" else "updated")
    return unique


# --- credit memos --------------------------------------------------------------------------------------


def _credit_entries(store: NueStore, body: Mapping[str, Any], *, unapply: bool) -> list[_Entry]:
    raw = coerce.items(body.get("appliedInvoices"), "appliedInvoices")
    if not raw:
        raise NueError.invalid("appliedInvoices is empty.", field="appliedInvoices")
    entries: list[_Entry] = []
    for i, item in enumerate(raw):
        where = f"appliedInvoices[{i}]"
        spec = coerce.obj(item, where)
        invoice_id = coerce.required_text(spec, "invoiceId", where)
        memo_id = coerce.required_text(spec, "creditMemoId", where)
        invoice = store.get("invoices", invoice_id)
        if invoice is None:
            raise NueError.rule("INVOICE_NOT_FOUND", f"{where}.invoiceId '{invoice_id}' does not exist.")
        memo = store.get("creditMemos", memo_id)
        if memo is None:
            raise NueError.rule("CREDIT_MEMO_NOT_FOUND", f"{where}.creditMemoId '{memo_id}' does not exist.")
        if unapply and spec.get("transactionAmount") is None:
            amount = _applied_between(store, memo["id"], invoice["id"])
        else:
            amount = _positive(spec, where)
        entries.append(_Entry(where, _key(spec, where), amount, invoice, memo))
    return entries


def _applied_between(store: NueStore, memo_id: str, invoice_id: str) -> Decimal:
    return sum(
        (
            a["amount"]
            for a in store.rows("creditApplications")
            if a["creditMemoId"] == memo_id and a["invoiceId"] == invoice_id
        ),
        ZERO,
    )


def apply_credit_memos(store: NueStore, payload: Any) -> Record:
    """``{appliedInvoices: [{invoiceId, creditMemoId, transactionAmount, idempotencyKey?}]}``."""
    body = coerce.obj(payload, "body")
    with store.lock:
        entries = _credit_entries(store, body, unapply=False)
        fresh, duplicates = _split_duplicates(store, "credit", entries)
        balances: dict[str, Decimal] = {}
        for entry in fresh:
            memo = entry.memo
            assert memo is not None
            if memo["status"] not in ("Active", "PartiallyApplied", "Applied"):
                raise NueError.state(
                    f"{entry.where}: credit memo {memo['name']} is {memo['status']}; activate it first."
                )
            _payable(store, entry.invoice["id"], entry.where)
            if memo["customerId"] != entry.invoice["customerId"]:
                raise NueError.rule(
                    "CUSTOMER_MISMATCH",
                    f"{entry.where}: credit memo {memo['name']} and invoice {entry.invoice['name']} "
                    "belong to different customers.",
                )
            _draw(balances, memo, entry.amount, entry.where, "credit memo")
            _draw(balances, entry.invoice, entry.amount, entry.where, "invoice")
        applied = {id(entry): _credit_application(store, entry, "CreditMemo") for entry in fresh}
        applications = _in_request_order(entries, applied, duplicates)
        memos = _settle_memos(store, [e.memo for e in fresh if e.memo is not None])
        invoices = _settle_invoices(store, [e.invoice for e in fresh])
        return {"creditApplications": applications, "creditMemos": memos, "invoices": invoices}


def unapply_credit_memos(store: NueStore, payload: Any) -> Record:
    """Reverse credit applications (all of a memo on an invoice unless ``transactionAmount`` says less)."""
    body = coerce.obj(payload, "body")
    with store.lock:
        entries = _credit_entries(store, body, unapply=True)
        fresh, duplicates = _split_duplicates(store, "unapply", entries)
        on_invoice: dict[tuple[str, str], Decimal] = {}
        for entry in fresh:
            assert entry.memo is not None
            pair = (entry.memo["id"], entry.invoice["id"])
            left = on_invoice.setdefault(pair, _applied_between(store, *pair)) - entry.amount
            if entry.amount <= 0 or left < 0:
                raise NueError.rule(
                    "AMOUNT_EXCEEDS_APPLIED",
                    f"{entry.where}: only {on_invoice[pair]} of credit memo {entry.memo['name']} is applied "
                    f"to invoice {entry.invoice['name']}.",
                )
            on_invoice[pair] = left
        applied = {id(entry): _credit_application(store, entry, "Unapply") for entry in fresh}
        applications = _in_request_order(entries, applied, duplicates)
        memos = _settle_memos(store, [e.memo for e in fresh if e.memo is not None])
        invoices = _settle_invoices(store, [e.invoice for e in fresh])
        return {"creditApplications": applications, "creditMemos": memos, "invoices": invoices}


def _credit_application(store: NueStore, entry: _Entry, kind: str) -> Record:
    memo = entry.memo
    assert memo is not None
    signed = entry.amount if kind == "CreditMemo" else -entry.amount
    application: Record = {
        "id": store.new_id("creditapplication"),
        "name": store.next_number("CA"),
        "applicationType": kind,
        "creditMemoId": memo["id"],
        "creditMemoName": memo["name"],
        "invoiceId": entry.invoice["id"],
        "invoiceName": entry.invoice["name"],
        "customerId": memo["customerId"],
        "amount": signed,
        "appliedDate": store.clock.today().isoformat(),
        "idempotencyKey": entry.key,
        "status": "Applied",
    }
    memo["balance"] -= signed
    entry.invoice["balance"] -= signed
    store.insert("creditApplications", application)
    _remember(store, "credit" if kind == "CreditMemo" else "unapply", entry, application)
    return application


def _settle_memos(store: NueStore, memos: list[Record]) -> list[Record]:
    unique = list({memo["id"]: memo for memo in memos}.values())
    for memo in unique:
        refresh_credit_memo(memo)
        store.touch("creditMemos", memo, event="applied")
    return unique
