"""Recognized / deferred revenue and SaaS metrics per month, from revenue plans (pure; unit-tested).

Definitions (docs/flows/revenue-to-planning.md says the same to FP&A):

- **Recognized(M)** = the plan lines of month M that NetSuite has recognized (their period is closed).
- **Deferred(M)** = the deferred revenue *balance* at the end of M on the recognition schedule: for every
  plan that has started by M (its first line is in M or before), the lines of later months, plus M's own
  lines while M's period is still open (not yet recognized). Closing M therefore moves M's lines from
  Deferred(M) to Recognized(M), leaves their sum unchanged, and changes no other month. (Later months assume
  recognition on schedule: an open past month's lines are not carried into every later balance.)
- A subscription is **active in M** when its term covers M's last day (start ≤ month end ≤ end), so a
  12-month term counts in exactly 12 months however it is aligned to the calendar.
- **MRR(M)** = Σ over active plans of plan amount ÷ term months, each plan's share rounded to the cent
  (half up); term months = the month ends the term covers. ARR is Pigment's formula (MRR * 12).
- **Active Subscriptions(M)** = the number of active plans (one plan per subscription line of an order).

Amounts are keyed by NetSuite facts (subsidiary id, income account number); the writer maps them to
Pigment codes at push time, so a mapping fixed after an ``action_needed`` is honoured by ``hub retry``.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .source import Plan

CENT = Decimal("0.01")
ZERO = Decimal("0")


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    """First days of every month from ``first`` to ``last`` inclusive."""
    months: list[date] = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def covered_months(plans: Iterable[Plan]) -> list[date]:
    """The months the plans' lines span (the months this flow owns in Pigment)."""
    all_months = [line.month for plan in plans for line in plan.lines]
    return month_range(min(all_months), max(all_months)) if all_months else []


def term_months(plan: Plan) -> int:
    """How many month ends the plan's term covers."""
    count = 0
    for month in month_range(plan.start, plan.end):
        if plan.start <= month_end(month) <= plan.end:
            count += 1
    return count


def monthly_value(plan: Plan) -> Decimal:
    """The plan's MRR contribution: amount ÷ term months, to the cent (half up)."""
    months = term_months(plan)
    return (plan.amount / months).quantize(CENT, rounding=ROUND_HALF_UP) if months else ZERO


def is_active(plan: Plan, month: date) -> bool:
    return plan.start <= month_end(month) <= plan.end


RevenueKey = tuple[str, str]  # (subsidiary id, account number)


def revenue_by_month(
    plans: Iterable[Plan], months: Iterable[date]
) -> dict[date, dict[RevenueKey, list[Decimal]]]:
    """month → (subsidiary, account) → [recognized, deferred]; only non-zero pairs."""
    chosen = list(months)
    result: dict[date, dict[RevenueKey, list[Decimal]]] = {month: {} for month in chosen}
    for plan in plans:
        if not plan.lines:
            continue
        first = min(line.month for line in plan.lines)
        key = (plan.subsidiary, plan.account)
        for month in chosen:
            if month < first:
                continue
            recognized = sum((ln.amount for ln in plan.lines if ln.month == month and ln.recognized), ZERO)
            deferred = sum(
                (
                    ln.amount
                    for ln in plan.lines
                    if ln.month > month or (ln.month == month and not ln.recognized)
                ),
                ZERO,
            )
            if recognized == ZERO and deferred == ZERO:
                continue
            cell = result[month].setdefault(key, [ZERO, ZERO])
            cell[0] += recognized
            cell[1] += deferred
    return result


def saas_by_month(
    plans: Iterable[Plan], months: Iterable[date]
) -> dict[date, dict[str, tuple[Decimal, int]]]:
    """month → subsidiary → (MRR, active subscriptions); only subsidiaries with an active plan."""
    chosen = list(months)
    totals: dict[date, dict[str, list[Decimal]]] = {
        month: defaultdict(lambda: [ZERO, ZERO]) for month in chosen
    }
    for plan in plans:
        value = monthly_value(plan)
        for month in chosen:
            if is_active(plan, month):
                cell = totals[month][plan.subsidiary]
                cell[0] += value
                cell[1] += 1
    return {
        month: {sub: (cell[0], int(cell[1])) for sub, cell in sorted(by_sub.items())}
        for month, by_sub in totals.items()
    }
