"""Record writes: create / update / delete / transform with every rule applied in order.

One write: merge the request into the stored body (records.apply_patch) → per-type checks and defaults →
closed-period and lock checks → save the body → side effects (SuiteQL projection, GL rows, payment
applications and the status of the documents they touch, revenue plans, budgets). Callers hold the
store's lock and wrap the call in one SQLite transaction, so a refused write leaves no trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerbridge.sandbox.netsuite import budgets, projection, txlogic
from ledgerbridge.sandbox.netsuite.arm import RevenuePlans
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.ledger import Ledger
from ledgerbridge.sandbox.netsuite.periods import Periods
from ledgerbridge.sandbox.netsuite.records import apply_patch, check_mandatory
from ledgerbridge.sandbox.netsuite.recordtypes import FieldDef, RecordType
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo

# (source type, target type) pairs that `!transform` supports.
TRANSFORMS = {
    ("salesorder", "invoice"),
    ("salesorder", "returnauthorization"),
    ("invoice", "customerpayment"),
    ("invoice", "creditmemo"),
    ("returnauthorization", "creditmemo"),
}
_COPY_HEADER = (
    "entity",
    "subsidiary",
    "currency",
    "exchangeRate",
    "memo",
    "otherRefNum",
    "department",
    "class",
    "location",
    "salesRep",
)
_COPY_LINE = (
    "item",
    "quantity",
    "rate",
    "amount",
    "description",
    "tax1Amt",
    "department",
    "class",
    "location",
    "revRecStartDate",
    "revRecEndDate",
)
# What must not be deleted while something points at it.
_DEPENDENTS = {
    "customer": 'SELECT 1 FROM "transaction" WHERE entity = ? LIMIT 1',
    "vendor": 'SELECT 1 FROM "transaction" WHERE entity = ? LIMIT 1',
    "account": 'SELECT 1 FROM "transactionaccountingline" WHERE account = ? LIMIT 1',
    "item": 'SELECT 1 FROM "transactionline" WHERE item = ? LIMIT 1',
}


class Writer:
    def __init__(self, repo: Repo, periods: Periods, ledger: Ledger, plans: RevenuePlans) -> None:
        self.repo = repo
        self.periods = periods
        self.ledger = ledger
        self.plans = plans

    # --- references ---------------------------------------------------------------------------------
    def resolve(self, f: FieldDef, value: Any, path: str) -> str:
        """A reference value → the internal id of an existing record of an allowed type."""
        types = self.repo.family_types(f.ref)
        if isinstance(value, Mapping):
            if value.get("id") not in (None, ""):
                key = str(value["id"])
            elif value.get("externalId") not in (None, ""):
                row = self.repo.fetch_eid_in(types, str(value["externalId"]))
                if row is None:
                    raise NsError.invalid_reference(f.name, f"eid:{value['externalId']}", error_path=path)
                return str(row.id)
            else:
                raise NsError.invalid_reference(f.name, str(dict(value)), error_path=path)
        elif isinstance(value, str | int) and not isinstance(value, bool):
            key = str(value).strip()
        else:
            raise NsError.invalid_reference(f.name, str(value), error_path=path)
        if not key.lstrip("-").isdigit():
            raise NsError.invalid_reference(f.name, key, error_path=path)
        marks = ",".join("?" * len(types))
        found = self.repo.conn.execute(
            f"SELECT 1 FROM ns_record WHERE id = ? AND rtype IN ({marks}) LIMIT 1", (int(key), *types)
        ).fetchone()
        if found is None:
            raise NsError.invalid_reference(f.name, key, error_path=path)
        if f.name == "item" and self._inactive_item(int(key)):
            # only references in the request are resolved, so lines already on a record keep an item made
            # inactive later; a new line cannot use one (NetSuite refuses it the same way)
            raise NsError.invalid_reference(f.name, key, error_path=path)
        return str(int(key))

    def _inactive_item(self, item_id: int) -> bool:
        row = self.repo.fetch_in_family("item", item_id)
        return row is not None and bool(row.body.get("isInactive"))

    # --- writes -------------------------------------------------------------------------------------
    def write(
        self,
        rt: RecordType,
        existing: RecordRow | None,
        patch: Mapping[str, Any],
        *,
        replace: frozenset[str] = frozenset(),
        replace_selected_fields: bool = False,
        base: dict[str, Any] | None = None,
        external_id: str | None = None,
    ) -> RecordRow:
        if rt.readonly:
            raise NsError.user_error(f"The {rt.label} record is read-only through web services.")
        if existing is not None and existing.locked:
            raise NsError.locked()
        current = existing.body if existing is not None else base
        body = apply_patch(
            rt, current, patch, self.resolve, replace=replace, replace_selected_fields=replace_selected_fields
        )
        if external_id is not None:
            body["externalId"] = external_id
        touched = {k.lower() for k in patch}
        eid = body.pop("externalId", None)
        if eid is None and existing is not None and "externalid" not in touched:
            eid = existing.externalid  # kept in its own column, not the body: a PATCH without it keeps it
        self._check_external_id(rt, eid, existing)
        old_period = existing.body.get("postingPeriod") if existing is not None and rt.posting else None
        if old_period is not None:
            self.periods.check_open(int(old_period))
        self._complete(rt, body, touched, existing)
        now = self.repo.now_stamp()
        if existing is None:
            row = RecordRow(
                rt.name, rt.family, self.repo.next_seq(f"id:{rt.family}"), eid, None, body, False, now, now
            )
        else:
            old_key = budgets.key_of(existing.body) if rt.name == "budgetimport" else None
            row = RecordRow(rt.name, rt.family, existing.id, eid, None, body, False, existing.created, now)
        row.refname = projection.refname(self.repo, row)
        if existing is None:
            self.repo.insert(row)
        else:
            self.repo.save(row)
        if rt.is_transaction:
            self._post(row)
        elif rt.name == "budgetimport":
            keys = {budgets.key_of(row.body)}
            if existing is not None and old_key is not None:
                keys.add(old_key)
            budgets.rebuild(self.repo, self.periods, keys)
        else:
            projection.project(self.repo, self.periods, row)
        return row

    def _check_external_id(self, rt: RecordType, eid: str | None, existing: RecordRow | None) -> None:
        if eid is None:
            return
        other = self.repo.fetch_eid(rt.name, eid)
        if other is not None and (existing is None or other.id != existing.id):
            raise NsError(
                400,
                "DUP_RCRD",
                f"This record already exists: {rt.label} with external ID '{eid}' "
                f"has internal ID {other.id}.",
                error_path="externalId",
            )

    def _complete(
        self, rt: RecordType, body: dict[str, Any], touched: set[str], existing: RecordRow | None
    ) -> None:
        if rt.is_transaction:
            check_mandatory(rt, body)
            txlogic.complete(
                self.repo,
                self.periods,
                rt,
                body,
                touched=touched,
                source_id=existing.id if existing else None,
            )
            if rt.posting:
                self.periods.check_open(int(body["postingPeriod"]))
            return
        if rt.name in ("customer", "vendor"):
            if body.get("isPerson"):
                check_mandatory(rt, body, ("firstName", "lastName"))
            else:
                check_mandatory(rt, body, ("companyName",))
            body.setdefault("subsidiary", self.repo.setting("root_subsidiary") or "1")
            self._default_currency(body)
            body.setdefault("entityId", projection.entity_names(body)[0])
            return
        check_mandatory(rt, body)
        if rt.family == "item":
            self._unique_item(body, existing)
            return
        if rt.name in ("account", "subsidiary"):
            if rt.name == "account" or body.get("parent") is None or "currency" not in body:
                self._default_currency(body)
            return
        if rt.name == "budgetimport":
            budgets.complete(self.repo, self.periods, body)
            return
        if rt.name == "currency":
            body.setdefault("exchangeRate", Decimal(1))
            body.setdefault("currencyPrecision", 2)

    def _default_currency(self, body: dict[str, Any]) -> None:
        if "currency" in body:
            return
        sub = self.repo.fetch("subsidiary", int(body["subsidiary"])) if body.get("subsidiary") else None
        currency = (sub.body.get("currency") if sub else None) or self.repo.setting("base_currency")
        if currency is not None:
            body["currency"] = currency

    def _unique_item(self, body: dict[str, Any], existing: RecordRow | None) -> None:
        name = str(body["itemId"])
        found = self.repo.conn.execute(
            "SELECT id FROM item WHERE lower(itemid) = lower(?) AND id IS NOT ? LIMIT 1",
            (name, existing.id if existing else None),
        ).fetchone()
        if found is not None:
            raise NsError(
                400,
                "DUP_RCRD",
                f"This record already exists: an item named '{name}' has internal ID {found[0]}.",
                error_path="itemId",
            )

    def _post(self, row: RecordRow) -> None:
        """GL rows, applications, balances and revenue plans after a transaction body was saved."""
        rt = row.rt
        affected: set[int] = set()
        if rt.name in txlogic.APPLY_TARGETS:
            affected = txlogic.save_applications(self.repo, row)
        if rt.name in txlogic.OPEN_BALANCE_TYPES:
            txlogic.refresh_balance(self.repo, row)
            if txlogic.money(row.body.get("amountRemaining")) < 0:
                raise NsError.user_error(
                    f"The total ({row.body.get('total')}) cannot be less than what is already "
                    "paid or applied."
                )
            self.repo.save(row)
        self.ledger.write(self.ledger.build(row))
        if rt.name == "salesorder":
            self.plans.rebuild(row)
        for doc in txlogic.affected_docs(self.repo, affected - {row.id}):
            self._touch(doc)
        created_from = row.body.get("createdFrom")
        if rt.name == "invoice" and created_from:
            order = self.repo.fetch("salesorder", int(created_from))
            if order is not None and order.body.get("status") != "G":
                order.body["status"] = "G"  # Billed
                self._touch(order)

    def _touch(self, doc: RecordRow) -> None:
        txlogic.refresh_balance(self.repo, doc)
        doc.lastmodified = self.repo.now_stamp()
        self.repo.save(doc)
        self.ledger.write(self.ledger.build(doc))

    def delete(self, row: RecordRow) -> None:
        if row.locked:
            raise NsError.locked()
        rt = row.rt
        if rt.readonly:
            raise NsError.user_error(f"The {rt.label} record cannot be deleted through web services.")
        if rt.is_transaction:
            if rt.posting:
                self.periods.check_open(int(row.body["postingPeriod"]))
            if txlogic.has_dependents(self.repo, row.id):
                raise NsError.user_error(
                    "This record cannot be deleted because it has dependent records "
                    "(payments or credits are applied to it)."
                )
            affected = txlogic.drop_applications(self.repo, row.id)
            self.ledger.remove(row.id)
            self.plans.remove(row.id)
            self.repo.remove(row)
            for doc in txlogic.affected_docs(self.repo, affected):
                self._touch(doc)
            return
        check = _DEPENDENTS.get("item" if row.family == "item" else row.rtype)
        if check is not None and self.repo.conn.execute(check, (row.id,)).fetchone():
            raise NsError.user_error("This record cannot be deleted because it has dependent records.")
        self.repo.remove(row)
        if rt.name == "budgetimport":
            budgets.rebuild(self.repo, self.periods, {budgets.key_of(row.body)})
        else:
            projection.unproject(self.repo, row)

    def void(self, row: RecordRow) -> None:
        """Void as a person does in NetSuite's UI with "Void Transactions Using Reversing Journals" off:
        the record stays (same id and external id), its amounts become zero, its applications are
        released, it leaves the GL, and its status is Voided. A document others are applied to cannot be
        voided until they are unapplied; a closed period refuses the void like any posting change."""
        if row.locked:
            raise NsError.locked()
        if row.rtype not in txlogic.VOIDABLE_TYPES:
            raise NsError.user_error(f"A {row.rt.label} cannot be voided.")
        if row.body.get("voided"):
            return  # voiding twice changes nothing, as in the UI (the Void button is gone)
        self.periods.check_open(int(row.body["postingPeriod"]))
        if txlogic.has_dependents(self.repo, row.id):
            raise NsError.user_error(
                "You cannot void this transaction because payments or credits are applied to it."
            )
        affected = txlogic.drop_applications(self.repo, row.id)
        body = row.body
        for sublist in ("item", "expense", "line"):
            for line in body.get(sublist) or []:
                for field in ("amount", "rate", "tax1Amt", "grossAmt", "debit", "credit"):
                    if line.get(field) is not None:
                        line[field] = Decimal(0)
        if isinstance(body.get("apply"), list):
            body["apply"] = []
        for field in ("total", "subTotal", "taxTotal", "payment", "applied", "unapplied", "amountPaid"):
            if body.get(field) is not None:
                body[field] = Decimal(0)
        body["voided"] = True
        body["memo"] = "VOID"
        body["amountRemaining"] = Decimal(0)
        body["status"] = txlogic.VOIDED
        row.lastmodified = self.repo.now_stamp()
        self.repo.save(row)
        self.ledger.write(self.ledger.build(row))
        for doc in txlogic.affected_docs(self.repo, affected):
            self._touch(doc)

    # --- transform ----------------------------------------------------------------------------------
    def transform_base(self, source: RecordRow, dst: RecordType) -> dict[str, Any]:
        """The new record's body before the request's overrides (stored form)."""
        if (source.rtype, dst.name) not in TRANSFORMS:
            raise NsError.invalid_parameter(
                f"Transforming a {source.rt.label} into a {dst.label} is not supported."
            )
        if source.locked:
            raise NsError.locked()
        src = source.body
        if dst.name == "customerpayment":
            remaining = txlogic.money(src.get("amountRemaining"))
            if remaining <= 0:
                raise NsError.user_error(f"{source.refname} is already paid in full.")
            request: dict[str, Any] = {
                "customer": src["entity"],
                "subsidiary": src.get("subsidiary"),
                "currency": src.get("currency"),
                "apply": {"items": [{"doc": str(source.id), "apply": True, "amount": remaining}]},
            }
        else:
            request = {k: src[k] for k in _COPY_HEADER if k in src}
            request |= {k: v for k, v in src.items() if k.startswith("custbody")}
            lines = []
            for line in src.get("item") or []:
                copied = {k: line[k] for k in _COPY_LINE if k in line}
                copied |= {k: v for k, v in line.items() if k.startswith("custcol")}
                lines.append(copied)
            request["item"] = {"items": lines}
            if source.rtype == "invoice" and dst.name == "creditmemo":
                remaining = txlogic.money(src.get("amountRemaining"))
                amount = min(remaining, txlogic.money(src.get("total")))
                if amount > 0:
                    request["apply"] = {"items": [{"doc": str(source.id), "apply": True, "amount": amount}]}
        request["createdFrom"] = str(source.id)
        request = {k: v for k, v in request.items() if v is not None}
        # createdFrom is read-only for clients but set by the transform itself.
        base = apply_patch(dst, None, {k: v for k, v in request.items() if k != "createdFrom"}, self.resolve)
        base["createdFrom"] = str(source.id)
        return base
