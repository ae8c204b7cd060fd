"""Accounting periods: fiscal years → quarters → months (calendar fiscal year), open/close.

Periods are created on demand: posting to a date with no period creates its year, quarter and month
(open). A closed month refuses postings (``You cannot post to a closed period ...``). Closing is not
forced into date order (NetSuite's period-close checklist is out of scope); closing a quarter or year
closes its months too.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledgerbridge.money import Period
from ledgerbridge.sandbox.netsuite import codec
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Periods:
    """Period lookups and lifecycle over the repo (callers hold the store lock)."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._by_month: dict[tuple[int, int], int] = {}

    def clear_cache(self) -> None:
        self._by_month.clear()

    # --- lookups ------------------------------------------------------------------------------------
    def period_for(self, day: date) -> int:
        key = (day.year, day.month)
        cached = self._by_month.get(key)
        if cached is not None:
            return cached
        row = self.repo.conn.execute(
            "SELECT id FROM accountingperiod WHERE isquarter = 'F' AND isyear = 'F' AND isadjust = 'F' "
            "AND startdate <= ? AND enddate >= ? ORDER BY id LIMIT 1",
            (codec.sql_date(day), codec.sql_date(day)),
        ).fetchone()
        period_id = int(row[0]) if row else self._create_month(day.year, day.month)
        self._by_month[key] = period_id
        return period_id

    def get(self, period_id: int) -> RecordRow:
        row = self.repo.fetch("accountingperiod", period_id)
        if row is None:
            raise NsError.invalid_reference("postingPeriod", str(period_id), error_path="postingPeriod")
        return row

    def require_month(self, period_id: int) -> RecordRow:
        row = self.get(period_id)
        if row.body.get("isQuarter") or row.body.get("isYear"):
            raise NsError.user_error(
                f"{row.body.get('periodName')} is a summary period; post to a month.",
                error_path="postingPeriod",
            )
        return row

    def is_closed(self, period_id: int) -> bool:
        row = self.repo.fetch("accountingperiod", period_id)
        return bool(row and row.body.get("closed"))

    def check_open(self, period_id: int) -> None:
        row = self.get(period_id)
        if row.body.get("closed"):
            raise NsError.closed_period(str(row.body.get("periodName")))

    def months(self) -> list[RecordRow]:
        return [
            r
            for r in self.repo.rows("accountingperiod")
            if not r.body.get("isQuarter") and not r.body.get("isYear")
        ]

    def year_of(self, period_id: int) -> int:
        """The fiscal-year period containing a month (or the period itself when it is a year)."""
        row = self.get(period_id)
        while not row.body.get("isYear"):
            parent = row.body.get("parent")
            if parent is None:
                raise NsError.user_error(f"{row.body.get('periodName')} has no fiscal year.")
            row = self.get(int(parent))
        return row.id

    def months_of_year(self, year_id: int) -> list[int]:
        """The year's months in date order."""
        out: list[tuple[str, int]] = []
        for row in self.repo.rows("accountingperiod"):
            if row.body.get("isQuarter") or row.body.get("isYear"):
                continue
            try:
                if self.year_of(row.id) == year_id:
                    out.append((str(row.body["startDate"]), row.id))
            except NsError:
                continue
        return [pid for _, pid in sorted(out)]

    # --- lifecycle ----------------------------------------------------------------------------------
    def ensure_years(self, first: int, last: int) -> None:
        for year in range(first, last + 1):
            for month in range(1, 13):
                self.period_for(date(year, month, 1))

    def set_closed(self, period_id: int, closed: bool) -> list[int]:
        """Close/reopen a period (and its children); returns the month ids whose state changed."""
        row = self.get(period_id)
        changed: list[int] = []
        for target in [row, *self._descendants(row.id)]:
            if bool(target.body.get("closed")) == closed:
                continue
            self._write(target, closed=closed)
            if not target.body.get("isQuarter") and not target.body.get("isYear"):
                changed.append(target.id)
        return changed

    def _descendants(self, period_id: int) -> list[RecordRow]:
        out = []
        for child in self.repo.rows("accountingperiod"):
            if child.body.get("parent") == str(period_id):
                out.append(child)
                out.extend(self._descendants(child.id))
        return out

    def _write(self, row: RecordRow, *, closed: bool) -> None:
        now = self.repo.now_stamp()
        for flag in ("closed", "allLocked", "arLocked", "apLocked"):
            row.body[flag] = closed
        row.lastmodified = now
        self.repo.save(row)
        self.project(row, closed_on=self.repo.today() if closed else None)

    def _create_month(self, year: int, month: int) -> int:
        year_id = self._ensure_summary(year, None)
        quarter = (month - 1) // 3 + 1
        quarter_id = self._ensure_summary(year, quarter, parent=year_id)
        period = Period(year, month)
        return self._create(
            f"{_MONTHS[month - 1]} {year}", period.start, period.end, parent=quarter_id, kind="month"
        )

    def _ensure_summary(self, year: int, quarter: int | None, parent: int | None = None) -> int:
        if quarter is None:
            name, start, end, kind = f"FY {year}", date(year, 1, 1), date(year, 12, 31), "year"
        else:
            first = Period(year, (quarter - 1) * 3 + 1)
            name, start, end, kind = f"Q{quarter} {year}", first.start, (first + 2).end, "quarter"
        flag = "isyear" if kind == "year" else "isquarter"
        row = self.repo.conn.execute(
            f"SELECT id FROM accountingperiod WHERE {flag} = 'T' AND startdate = ? AND enddate = ?",
            (codec.sql_date(start), codec.sql_date(end)),
        ).fetchone()
        if row:
            return int(row[0])
        return self._create(name, start, end, parent=parent, kind=kind)

    def _create(self, name: str, start: date, end: date, *, parent: int | None, kind: str) -> int:
        period_id = self.repo.next_seq("id:accountingperiod")
        now = self.repo.now_stamp()
        body: dict[str, Any] = {
            "periodName": name,
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "isQuarter": kind == "quarter",
            "isYear": kind == "year",
            "isAdjust": False,
            "isPosting": kind == "month",
            "closed": False,
            "allLocked": False,
            "arLocked": False,
            "apLocked": False,
        }
        if parent is not None:
            body["parent"] = str(parent)
        row = RecordRow("accountingperiod", "accountingperiod", period_id, None, name, body, False, now, now)
        self.repo.insert(row)
        self.project(row, closed_on=None)
        return period_id

    def project(self, row: RecordRow, *, closed_on: date | None) -> None:
        b = row.body

        def flag(name: str) -> str:
            return "T" if b.get(name) else "F"

        self.repo.upsert_row(
            "accountingperiod",
            {
                "id": row.id,
                "periodname": b.get("periodName"),
                "startdate": codec.sql_date(date.fromisoformat(b["startDate"])),
                "enddate": codec.sql_date(date.fromisoformat(b["endDate"])),
                "isquarter": flag("isQuarter"),
                "isyear": flag("isYear"),
                "isadjust": flag("isAdjust"),
                "isposting": flag("isPosting"),
                "isinactive": "F",
                "closed": flag("closed"),
                "closedondate": codec.sql_date(closed_on) if closed_on else None,
                "alllocked": flag("allLocked"),
                "aplocked": flag("apLocked"),
                "arlocked": flag("arLocked"),
                "allownonglchanges": "F",
                "parent": int(b["parent"]) if b.get("parent") else None,
                "lastmodifieddate": self.repo.local_sql(row.lastmodified),
            },
        )


def month_bounds(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar-month slices of [start, end] (inclusive), used by revenue plans."""
    out = []
    cursor = start
    while cursor <= end:
        month_end = Period.of(cursor).end
        slice_end = min(month_end, end)
        out.append((cursor, slice_end))
        cursor = slice_end + timedelta(days=1)
    return out
