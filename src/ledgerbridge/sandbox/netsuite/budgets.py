"""Budget imports → the SuiteQL ``budgets`` / ``budgetsmachine`` tables.

A ``budgetimport`` record is one budget line: ``account`` plus optional ``subsidiary``, ``department``,
``class``, ``location``, ``category`` (default: the first budget category), ``accountingBook``
(default 1) and ``currency`` (default: the subsidiary's), and its amounts in either (or both) forms:

- ``year`` (a fiscal-year period) with ``periodAmount1`` .. ``periodAmount12`` — month N of that year;
- ``accountingPeriod`` (a month) with ``amount``; ``year`` is then derived from the month.

Imports that share the same key (category, year, book, currency, account and dimensions) make one
``budgets`` row, as NetSuite's budget import does: a later import overwrites the months it names and
leaves the others. The ``budgets`` row id is the lowest import id of its key; ``total`` is the sum of
its months.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.periods import Periods
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo
from ledgerbridge.sandbox.netsuite.txlogic import money

_KEY_FIELDS = (
    "category",
    "year",
    "accountingBook",
    "currency",
    "account",
    "subsidiary",
    "department",
    "class",
    "location",
)


def complete(repo: Repo, periods: Periods, body: dict[str, Any]) -> dict[str, Any]:
    """Defaults, checks and the computed ``total`` of a budget import body (in place)."""
    if "accountingPeriod" in body:
        month = periods.require_month(int(body["accountingPeriod"]))
        body["year"] = str(periods.year_of(month.id))
        if "amount" not in body:
            raise NsError.missing_fields(["Amount"])
    if "year" not in body:
        raise NsError.missing_fields(["Year"])
    year = periods.get(int(body["year"]))
    if not year.body.get("isYear"):
        raise NsError.user_error(f"{year.body.get('periodName')} is not a fiscal year.", error_path="year")
    amounts = [body.get(f"periodAmount{i}") for i in range(1, 13)]
    if "accountingPeriod" not in body and all(a is None for a in amounts):
        raise NsError.missing_fields(["Amount"])
    if "category" not in body:
        first = repo.conn.execute("SELECT MIN(id) FROM budgetcategory").fetchone()[0]
        if first is None:
            raise NsError.missing_fields(["Category"])
        body["category"] = str(first)
    body.setdefault("accountingBook", "1")
    if "subsidiary" not in body:
        body["subsidiary"] = repo.setting("root_subsidiary") or "1"
    if "currency" not in body:
        sub = repo.fetch("subsidiary", int(body["subsidiary"]))
        body["currency"] = (sub.body.get("currency") if sub else None) or repo.setting("base_currency") or "1"
    total = sum((money(a) for a in amounts if a is not None), Decimal(0))
    if "accountingPeriod" in body:
        total += money(body["amount"])
    body["total"] = total
    return body


def key_of(body: dict[str, Any]) -> tuple[str | None, ...]:
    return tuple(None if body.get(f) is None else str(body[f]) for f in _KEY_FIELDS)


def rebuild(repo: Repo, periods: Periods, keys: set[tuple[str | None, ...]]) -> None:
    """Recompute the ``budgets`` rows for the given keys from every import with that key."""
    imports: dict[tuple[str | None, ...], list[RecordRow]] = {k: [] for k in keys}
    for row in repo.rows("budgetimport"):
        key = key_of(row.body)
        if key in imports:
            imports[key].append(row)
    for key, rows in imports.items():
        _write(repo, periods, key, rows)


def _write(repo: Repo, periods: Periods, key: tuple[str | None, ...], rows: list[RecordRow]) -> None:
    fields = dict(zip(_KEY_FIELDS, key, strict=True))
    conn = repo.conn
    # Drop the old budgets row(s) of this key, wherever their id came from.
    clauses = " AND ".join(
        f'"{col}" IS ?'
        for col in (
            "category",
            "year",
            "accountingbook",
            "currency",
            "account",
            "subsidiary",
            "department",
            "class",
            "location",
        )
    )
    values = tuple(None if v is None else int(v) for v in key)
    old = [int(r[0]) for r in conn.execute(f"SELECT id FROM budgets WHERE {clauses}", values)]
    for budget_id in old:
        conn.execute("DELETE FROM budgetsmachine WHERE budget = ?", (budget_id,))
        conn.execute("DELETE FROM budgets WHERE id = ?", (budget_id,))
    if not rows:
        return
    year_id = int(str(fields["year"]))
    months = periods.months_of_year(year_id)
    by_period: dict[int, Decimal] = {}
    for row in sorted(rows, key=lambda r: r.id):
        b = row.body
        for index in range(12):
            value = b.get(f"periodAmount{index + 1}")
            if value is not None and index < len(months):
                by_period[months[index]] = money(value)
        if b.get("accountingPeriod") is not None:
            by_period[int(b["accountingPeriod"])] = money(b.get("amount"))
    budget_id = min(r.id for r in rows)
    modified = repo.local_sql(max(r.lastmodified for r in rows))

    def ref(name: str) -> int | None:
        value = fields[name]
        return None if value is None else int(value)

    repo.upsert_row(
        "budgets",
        {
            "id": budget_id,
            "account": ref("account"),
            "subsidiary": ref("subsidiary"),
            "department": ref("department"),
            "class": ref("class"),
            "location": ref("location"),
            "category": ref("category"),
            "accountingbook": ref("accountingBook"),
            "currency": ref("currency"),
            "year": year_id,
            "total": str(sum(by_period.values(), Decimal(0))),
            "lastmodifieddate": modified,
        },
    )
    repo.insert_many(
        "budgetsmachine",
        [{"budget": budget_id, "period": p, "amount": str(a)} for p, a in sorted(by_period.items())],
    )
