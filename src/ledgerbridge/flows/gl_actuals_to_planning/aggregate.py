"""One period's NetSuite balances → the rows of its Pigment file, and the gaps that keep lines out.

Pure: unit-tested without HTTP. The order of work matters:

1. each balance takes its natural sign from *its own* NetSuite account type (before anything is merged);
2. the NetSuite values map through the workspace tables; an account mapped to ``-`` is left out on purpose
   (balance-sheet accounts in a P&L model), and a value without a mapping row keeps the whole balance out
   and is recorded under the balance's NetSuite account, so one hub row per (period, account) names every
   missing mapping of that account's lines;
3. balances that land on the same Pigment cell are summed (many NetSuite accounts may map to one Pigment
   account, departments may roll up), and cells that net to zero are not written: the push clears the
   month first, so a zero and an absent cell read the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ledgerbridge.flows.planning.dimensions import (
    ACCOUNTS,
    CLASSES,
    DEPARTMENTS,
    SUBSIDIARIES,
    MissingMappings,
    PlanningDimensions,
)

from .signs import natural_amount
from .source import Balance

#: the default layout of ``gl-actuals-to-planning · Actuals`` (docs/sandbox-pigment.md)
COLUMNS: tuple[str, ...] = ("Month", "Entity Code", "Account Code", "Department Code", "Amount")

Cell = tuple[str, str, str]  # (entity, account, department)


@dataclass(slots=True)
class MissingAccount:
    """The lines of one NetSuite account left out of a period for want of mapping rows."""

    account_key: str
    account_id: str
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    lines: int = 0
    amount: Decimal = Decimal(0)

    def error(self) -> MissingMappings:
        return MissingMappings(self.missing)


@dataclass(slots=True)
class PeriodRows:
    """What one period becomes: Pigment cells, and what could not be mapped."""

    month: str
    cells: dict[Cell, Decimal] = field(default_factory=dict)
    missing: dict[str, MissingAccount] = field(default_factory=dict)
    #: balances left out on purpose (mapped to ``-``)
    excluded: int = 0
    balances: int = 0

    def rows(self) -> list[dict[str, object]]:
        """The file's rows, in a stable order (the same GL always gives the same file)."""
        return [
            {
                "Month": self.month,
                "Entity Code": entity,
                "Account Code": account,
                "Department Code": department,
                "Amount": amount,
            }
            for (entity, account, department), amount in sorted(self.cells.items())
            if amount != 0
        ]


def map_balance(
    balance: Balance, dims: PlanningDimensions, missing: list[tuple[str, str, str]]
) -> tuple[Cell, Decimal] | None:
    """The Pigment cell and natural amount of one balance; None when excluded or unmapped (then the gaps
    are in ``missing``)."""
    if dims.is_excluded(ACCOUNTS, balance.account_key):
        return None
    account = dims.lookup(ACCOUNTS, balance.account_key, missing)
    entity = dims.lookup(SUBSIDIARIES, balance.subsidiary, missing)
    department = dims.lookup(DEPARTMENTS, balance.department, missing)
    # classes are not a dimension of Actuals, but a class mapped to "-" (or missing) still decides
    # whether the line is planned at all
    planned_class = dims.lookup(CLASSES, balance.class_, missing) if balance.class_ else ""
    if missing or account is None or entity is None or department is None or planned_class is None:
        return None
    return (entity, account, department), natural_amount(balance.account_type, balance.amount)


def map_period(month: str, balances: Iterable[Balance], dims: PlanningDimensions) -> PeriodRows:
    """Map and sum every balance of one period."""
    result = PeriodRows(month=month)
    for balance in balances:
        result.balances += 1
        gaps: list[tuple[str, str, str]] = []
        mapped = map_balance(balance, dims, gaps)
        if gaps:
            entry = result.missing.setdefault(
                balance.account_key, MissingAccount(balance.account_key, balance.account_id)
            )
            entry.missing.extend(gap for gap in gaps if gap not in entry.missing)
            entry.lines += 1
            entry.amount += balance.amount
            continue
        if mapped is None:
            result.excluded += 1
            continue
        cell, amount = mapped
        result.cells[cell] = result.cells.get(cell, Decimal(0)) + amount
    for entry in result.missing.values():
        entry.missing.sort()
    return result
