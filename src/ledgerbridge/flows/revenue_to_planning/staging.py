"""Month slices → hub rows: one row per (configuration, month), its payload the month's full content.

The payload is the fingerprint: staging an identical payload leaves the row alone, so a month whose plan
lines did not change is never pushed again; a period closing or reopening, or an order changing, changes the
payload and reopens just that month. A month this flow pushed before that has no data now is staged empty,
with the keys of one earlier row (``clear_with``) so the push can still name the month and clear it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.hub import RecordView, StagedRecord

from .compute import RevenueKey

REVENUE = "revenue"
SAAS = "saas"
SOURCE_TYPE = {REVENUE: "revenue.month", SAAS: "saas.month"}
TARGET_TYPE = {REVENUE: "revenue_slice", SAAS: "saas_slice"}
EXTERNAL_PREFIX = {REVENUE: "lb-rev", SAAS: "lb-saas"}


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _record(kind: str, month: str, payload: dict[str, Any], mapping_version: str | None) -> StagedRecord:
    return StagedRecord(
        source_system="netsuite",
        source_type=SOURCE_TYPE[kind],
        source_id=month,
        external_id=f"{EXTERNAL_PREFIX[kind]}-{month}",
        target_system="pigment",
        target_type=TARGET_TYPE[kind],
        payload=payload,
        mapping_version=mapping_version,
    )


def revenue_record(
    month: date, cells: Mapping[RevenueKey, list[Decimal]], mapping_version: str | None
) -> StagedRecord:
    rows = [[sub, account, str(v[0]), str(v[1])] for (sub, account), v in sorted(cells.items())]
    payload = {"kind": REVENUE, "month": month_key(month), "rows": rows, "mapping_version": mapping_version}
    return _record(REVENUE, month_key(month), payload, mapping_version)


def saas_record(
    month: date, cells: Mapping[str, tuple[Decimal, int]], mapping_version: str | None
) -> StagedRecord:
    rows = [[sub, str(mrr), count] for sub, (mrr, count) in sorted(cells.items())]
    payload = {"kind": SAAS, "month": month_key(month), "rows": rows, "mapping_version": mapping_version}
    return _record(SAAS, month_key(month), payload, mapping_version)


def _clear_with(kind: str, previous: list[Any]) -> list[Any]:
    return list(previous[0][:2]) if kind == REVENUE else [previous[0][0]]


def with_clearing(records: Iterable[StagedRecord], known: Iterable[RecordView]) -> list[StagedRecord]:
    """``records`` with ``clear_with`` set on empty slices whose month held rows before (so it is cleared)."""
    before = {(row.source_system, row.source_type, row.source_id): row for row in known}
    result: list[StagedRecord] = []
    for record in records:
        previous = before.get(record.key)
        old_rows = (previous.payload.get("rows") or []) if previous is not None else []
        kind = str(record.payload["kind"])
        if not record.payload["rows"] and old_rows:
            record = _record(
                kind,
                record.source_id,
                {**record.payload, "clear_with": _clear_with(kind, old_rows)},
                record.mapping_version,
            )
        result.append(record)
    return result


def vanished(known: Iterable[RecordView], staged: Iterable[StagedRecord]) -> list[StagedRecord]:
    """Empty slices for months pushed before (with rows) that the current data no longer covers."""
    current = {record.key for record in staged}
    rows: list[StagedRecord] = []
    for row in known:
        kind = row.payload.get("kind")
        if kind not in SOURCE_TYPE or (row.source_system, row.source_type, row.source_id) in current:
            continue
        previous = row.payload.get("rows") or []
        if not previous:
            continue  # already cleared
        clear_with = _clear_with(str(kind), previous)
        payload = {
            "kind": kind,
            "month": row.source_id,
            "rows": [],
            "clear_with": clear_with,
            "mapping_version": row.payload.get("mapping_version"),
        }
        rows.append(_record(str(kind), row.source_id, payload, row.mapping_version))
    return rows
