"""ARM-lite: revenue plans for sales-order lines that carry a service term.

A sales-order item line with start and end dates (``revRecStartDate``/``revRecEndDate``, or the Nue
custom columns ``custcol_nue_start_date``/``custcol_nue_end_date``) gets one revenue plan
(``revenueplan``) whose lines (``revenueplanline``) spread the line amount straight-line **by days**
over the calendar months of the term. Each month's share is rounded to cents; the rounding remainder
goes to the last month, so the lines always sum to the line amount exactly.

Recognition rule: a plan line is recognised (``isrecognized = 'T'``) once its accounting period is
closed; reopening the period un-recognises it. Recognised revenue for a period is therefore
``SUM(amount) WHERE isrecognized = 'T'`` and deferred revenue is the rest. (ARM-lite does not post
revenue-recognition journal entries; the GL shows billing, the plans show recognition.)

Plans are rebuilt whenever their sales order is written and removed when it is deleted; a plan keeps
its id across rebuilds (keyed by sales order and line).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.money import quantize
from ledgerbridge.sandbox.netsuite.periods import Periods, month_bounds
from ledgerbridge.sandbox.netsuite.repo import RecordRow, Repo
from ledgerbridge.sandbox.netsuite.txlogic import money

SOURCE_TYPES = ("salesorder",)


def term_of(line: dict[str, Any]) -> tuple[date, date] | None:
    for start_key, end_key in (
        ("revRecStartDate", "revRecEndDate"),
        ("custcol_nue_start_date", "custcol_nue_end_date"),
    ):
        start, end = line.get(start_key), line.get(end_key)
        if start and end:
            first, last = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
            if last >= first:
                return first, last
    return None


def schedule(amount: Decimal, start: date, end: date) -> list[tuple[date, Decimal]]:
    """Straight-line by days: ``[(month start, amount)]``; the last month takes the rounding remainder."""
    slices = month_bounds(start, end)
    total_days = (end - start).days + 1
    out: list[tuple[date, Decimal]] = []
    allocated = Decimal(0)
    for index, (first, last) in enumerate(slices):
        if index == len(slices) - 1:
            share = amount - allocated
        else:
            share = quantize(amount * Decimal((last - first).days + 1) / Decimal(total_days))
        allocated += share
        out.append((first, share))
    return out


class RevenuePlans:
    """Writes ``revenueplan``/``revenueplanline`` rows (callers hold the store lock)."""

    def __init__(self, repo: Repo, periods: Periods) -> None:
        self.repo = repo
        self.periods = periods

    def rebuild(self, order: RecordRow) -> None:
        conn = self.repo.conn
        existing = {
            int(line): int(plan_id)
            for plan_id, line in conn.execute(
                "SELECT id, createdfromline FROM revenueplan WHERE createdfrom = ?", (order.id,)
            )
        }
        self.remove(order.id)
        if order.rtype not in SOURCE_TYPES:
            return
        body = order.body
        modified = self.repo.local_sql(order.lastmodified)
        for line in body.get("item") or []:
            term = term_of(line)
            amount = money(line.get("amount"))
            if term is None or amount == 0:
                continue
            line_no = int(line["line"])
            plan_id = existing.get(line_no) or self.repo.next_seq("id:revenueplan")
            start, end = term
            self.repo.upsert_row(
                "revenueplan",
                {
                    "id": plan_id,
                    "recordnumber": f"RP{plan_id}",
                    "createdfrom": order.id,
                    "createdfromline": line_no,
                    "revenueelement": order.id * 100_000 + line_no,
                    "item": int(line["item"]),
                    "entity": int(body["entity"]) if body.get("entity") else None,
                    "amount": str(amount),
                    "currency": int(body["currency"]) if body.get("currency") else None,
                    "startdate": f"{start.isoformat()} 00:00:00",
                    "enddate": f"{end.isoformat()} 00:00:00",
                    "recognitionmethod": "STRAIGHT_LINE_BY_DAYS",
                    "status": "IN_PROGRESS",
                    "lastmodifieddate": modified,
                },
            )
            rows = []
            for month_start, share in schedule(amount, start, end):
                period_id = self.periods.period_for(month_start)
                rows.append(
                    {
                        "id": self.repo.next_seq("id:revenueplanline"),
                        "plan": plan_id,
                        "period": period_id,
                        "amount": str(share),
                        "isrecognized": "T" if self.periods.is_closed(period_id) else "F",
                    }
                )
            self.repo.insert_many("revenueplanline", rows)

    def remove(self, order_id: int) -> None:
        conn = self.repo.conn
        conn.execute(
            "DELETE FROM revenueplanline WHERE plan IN (SELECT id FROM revenueplan WHERE createdfrom = ?)",
            (order_id,),
        )
        conn.execute("DELETE FROM revenueplan WHERE createdfrom = ?", (order_id,))

    def recognise(self, period_ids: list[int], recognised: bool) -> None:
        flag = "T" if recognised else "F"
        self.repo.conn.executemany(
            "UPDATE revenueplanline SET isrecognized = ? WHERE period = ?", [(flag, p) for p in period_ids]
        )
