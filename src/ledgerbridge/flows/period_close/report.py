"""The close report: budget vs actual of one closed month, as Pigment exports it.

Figures are Pigment's own: the export of the ``Budget vs Actual`` table with the Entity dimension left out
of ``fields`` (so Pigment sums over it), kept to the closed month and the budget version. Totals are the
exact Decimal sums of the exported cells; the top lines are the largest variances by absolute amount.
The percentage is variance ÷ budget, rounded half-up to one decimal; with no budget there is none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerbridge.connectors.pigment.csvread import parse_decimal
from ledgerbridge.errors import RecordRejected

ZERO = Decimal("0")
#: column names of the export (the table's dimensions and metrics, friendly headers)
MONTH, VERSION, ACCOUNT, DEPARTMENT = "Month", "Version", "Account", "Department"
ACTUALS, BUDGET, VARIANCE = "Actuals", "Budget", "Variance"


def percent(variance: Decimal, budget: Decimal) -> Decimal | None:
    if budget == ZERO:
        return None
    return (variance * 100 / budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class VarianceLine:
    account: str
    department: str
    actual: Decimal
    budget: Decimal
    variance: Decimal

    @property
    def percent(self) -> Decimal | None:
        return percent(self.variance, self.budget)

    def payload(self) -> dict[str, Any]:
        pct = self.percent
        return {
            "account": self.account,
            "department": self.department,
            "actual": str(self.actual),
            "budget": str(self.budget),
            "variance": str(self.variance),
            "variance_pct": None if pct is None else str(pct),
        }


@dataclass(frozen=True, slots=True)
class CloseReport:
    """Everything the summary says, and what the hub row keeps for the console."""

    period: str
    period_id: str
    period_name: str
    month: str
    revision: int
    budget_version: str
    forecast_version: str
    switchover_month: str | None
    actual: Decimal
    budget: Decimal
    variance: Decimal
    lines: tuple[VarianceLine, ...]
    #: how many account x department lines the export had for the month
    line_count: int
    #: why the actuals may be incomplete (empty when they loaded cleanly)
    incomplete: tuple[str, ...] = ()
    closed_on: str | None = None

    @property
    def variance_pct(self) -> Decimal | None:
        return percent(self.variance, self.budget)

    def payload(self) -> dict[str, Any]:
        pct = self.variance_pct
        return {
            "kind": "close_report",
            "period": self.period,
            "period_id": self.period_id,
            "period_name": self.period_name,
            "month": self.month,
            "revision": self.revision,
            "budget_version": self.budget_version,
            "forecast_version": self.forecast_version,
            "switchover_month": self.switchover_month,
            "closed_on": self.closed_on,
            "totals": {
                "actual": str(self.actual),
                "budget": str(self.budget),
                "variance": str(self.variance),
                "variance_pct": None if pct is None else str(pct),
            },
            "top_variances": [line.payload() for line in self.lines],
            "line_count": self.line_count,
            "incomplete": list(self.incomplete),
        }


def _amount(row: Mapping[str, str], column: str) -> Decimal:
    if column not in row:
        raise RecordRejected(
            f"the Budget vs Actual export has no column {column!r} (columns: {', '.join(row)})",
            hint="set params.export_table to a table with Actuals, Budget and Variance over Month, Version, "
            "Account and Department",
        )
    return parse_decimal(row[column]) or ZERO


def aggregate(rows: Iterable[Mapping[str, str]], *, month: str, version: str) -> list[VarianceLine]:
    """The export's lines of ``month`` x ``version``, one per account x department (summed if repeated)."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        if row.get(MONTH) != month or row.get(VERSION, version) != version:
            continue
        values = [_amount(row, ACTUALS), _amount(row, BUDGET), _amount(row, VARIANCE)]
        key = (row.get(ACCOUNT, ""), row.get(DEPARTMENT, ""))
        total = sums.setdefault(key, [ZERO, ZERO, ZERO])
        for index, value in enumerate(values):
            total[index] += value
    return [VarianceLine(account, department, *values) for (account, department), values in sums.items()]


def largest(lines: Iterable[VarianceLine], top: int) -> tuple[VarianceLine, ...]:
    """The ``top`` largest variances by absolute amount; ties by account then department (stable output)."""
    return tuple(sorted(lines, key=lambda line: (-abs(line.variance), line.account, line.department))[:top])


def totals(lines: Iterable[VarianceLine]) -> tuple[Decimal, Decimal, Decimal]:
    actual = budget = variance = ZERO
    for line in lines:
        actual += line.actual
        budget += line.budget
        variance += line.variance
    return actual, budget, variance
