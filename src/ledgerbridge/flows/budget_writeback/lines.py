"""Budget cells → NetSuite budget lines → hub rows (pure; unit-tested).

One NetSuite budget line per (version, Pigment account, entity, department, calendar year) with the twelve
months of that year (``periodAmount1..12``, months without a cell are 0), so each write replaces the whole
year of that line. Its identity and external id come from the Pigment codes
(``lb-budget-<version code>-<account>-<entity>-<department>-<year>``): deterministic, and unique per
NetSuite line because the reverse mapping sends each Pigment code to one NetSuite value.

The payload holds Pigment facts only; the writer turns codes into NetSuite ids at write time, so a mapping
row fixed after an ``action_needed`` is used by ``ledgerbridge hub retry``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.hub import RecordView, StagedRecord

LINE_TYPE = "budget.line"
VERSION_TYPE = "budget.version"
ZERO = Decimal(0)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class BudgetCell:
    version: str
    version_code: str
    month: date
    account: str
    entity: str
    department: str
    amount: Decimal


def slug(text: str) -> str:
    """A NetSuite-safe external id part (letters, digits, ``_`` and ``-`` only)."""
    return _UNSAFE.sub("_", text.strip()) or "none"


def line_id(version_code: str, account: str, entity: str, department: str, year: int) -> str:
    return "-".join(("lb-budget", *(slug(p) for p in (version_code, account, entity, department)), str(year)))


def group_lines(cells: Iterable[BudgetCell]) -> dict[tuple[str, str, str, str, str, int], list[Decimal]]:
    """(version, version code, account, entity, department, year) → 12 monthly amounts (summed)."""
    lines: dict[tuple[str, str, str, str, str, int], list[Decimal]] = {}
    for cell in cells:
        key = (cell.version, cell.version_code, cell.account, cell.entity, cell.department, cell.month.year)
        amounts = lines.setdefault(key, [ZERO] * 12)
        amounts[cell.month.month - 1] += cell.amount
    return lines


def line_records(cells: Iterable[BudgetCell], mapping_version: str | None) -> list[StagedRecord]:
    records: list[StagedRecord] = []
    for (version, code, account, entity, department, year), amounts in sorted(group_lines(cells).items()):
        external_id = line_id(code, account, entity, department, year)
        payload: dict[str, Any] = {
            "kind": "line",
            "version": version,
            "version_code": code,
            "account": account,
            "entity": entity,
            "department": department,
            "year": year,
            "amounts": [str(a) for a in amounts],
            "mapping_version": mapping_version,
        }
        records.append(_line(external_id, payload, mapping_version))
    return records


def _line(external_id: str, payload: dict[str, Any], mapping_version: str | None) -> StagedRecord:
    return StagedRecord(
        source_system="pigment",
        source_type=LINE_TYPE,
        source_id=external_id,
        external_id=external_id,
        target_system="netsuite",
        target_type="budgetimport",
        payload=payload,
        mapping_version=mapping_version,
    )


def removed_lines(
    known: Iterable[RecordView], version: str, current: Iterable[StagedRecord]
) -> list[StagedRecord]:
    """Lines written for ``version`` before that its export no longer has: re-sent with twelve zeros, so
    NetSuite's budget for them becomes 0 (budget lines are kept, not deleted: see docs)."""
    present = {record.source_id for record in current}
    rows: list[StagedRecord] = []
    for row in known:
        if row.source_type != LINE_TYPE or row.payload.get("version") != version or row.source_id in present:
            continue
        if row.payload.get("removed"):
            continue
        payload = {**row.payload, "amounts": ["0"] * 12, "removed": True}
        rows.append(_line(row.source_id, payload, row.mapping_version))
    return rows


def fingerprint(records: Iterable[StagedRecord]) -> str:
    """A digest of every line payload of a version (changes when any cell does)."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r.source_id):
        digest.update(json.dumps(record.payload, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def version_record(version: str, code: str, lines: list[StagedRecord], approver: str | None) -> StagedRecord:
    """The version's own hub row: the parent of its lines (links) and the home of the approval audit."""
    return StagedRecord(
        source_system="pigment",
        source_type=VERSION_TYPE,
        source_id=version,
        external_id=f"lb-budget-{slug(code)}",
        target_system="netsuite",
        target_type="budget_version",
        payload={
            "kind": "version",
            "version": version,
            "version_code": code,
            "approved": True,
            "approver": approver,
            "lines": len(lines),
            "fingerprint": fingerprint(lines),
        },
    )
