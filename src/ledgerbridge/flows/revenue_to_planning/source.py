"""Reading NetSuite's ARM data: every revenue plan line with its plan, its order's subsidiary and the item's
income account, in one keyset-paged SuiteQL query (plans are few: thousands of lines at most)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.netsuite.client import NetSuiteClient

#: one row per plan line; the subsidiary is the order's (its mainline), the account the item's income account
PLAN_LINES_SQL = (
    "SELECT rpl.id AS id, rpl.plan AS plan, rpl.amount AS amount, rpl.isrecognized AS isrecognized, "
    "TO_CHAR(ap.startdate, 'YYYY-MM-DD') AS month, rp.amount AS plan_amount, "
    "TO_CHAR(rp.startdate, 'YYYY-MM-DD') AS plan_start, TO_CHAR(rp.enddate, 'YYYY-MM-DD') AS plan_end, "
    "rp.item AS item, tl.subsidiary AS subsidiary, a.acctnumber AS account_number, "
    "i.incomeaccount AS account_id "
    "FROM revenueplanline rpl "
    "JOIN revenueplan rp ON rp.id = rpl.plan "
    "JOIN accountingperiod ap ON ap.id = rpl.period "
    "JOIN transactionline tl ON tl.transaction = rp.createdfrom AND tl.mainline = 'T' "
    "LEFT JOIN item i ON i.id = rp.item "
    "LEFT JOIN account a ON a.id = i.incomeaccount"
)


@dataclass(frozen=True, slots=True)
class PlanLine:
    month: date
    amount: Decimal
    recognized: bool


@dataclass(slots=True)
class Plan:
    """One revenue plan (one subscription line of a sales order) and its monthly lines."""

    id: str
    subsidiary: str
    #: the NetSuite account number of the item's income account (its id when it has no number; "" if none)
    account: str
    amount: Decimal
    start: date
    end: date
    lines: list[PlanLine] = field(default_factory=list)


def _day(text: Any) -> date:
    return date.fromisoformat(str(text)[:10])


def plan_from_row(row: Mapping[str, Any]) -> Plan:
    return Plan(
        id=str(row["plan"]),
        subsidiary=str(row.get("subsidiary") or ""),
        account=str(row.get("account_number") or row.get("account_id") or ""),
        amount=Decimal(str(row.get("plan_amount") or "0")),
        start=_day(row["plan_start"]),
        end=_day(row["plan_end"]),
    )


def line_from_row(row: Mapping[str, Any]) -> PlanLine:
    return PlanLine(
        month=_day(row["month"]).replace(day=1),
        amount=Decimal(str(row.get("amount") or "0")),
        recognized=str(row.get("isrecognized")) == "T",
    )


async def read_plans(netsuite: NetSuiteClient, *, page_size: int = 1000) -> tuple[list[Plan], int]:
    """Every revenue plan with its lines, and the number of plan lines read."""
    plans: dict[str, Plan] = {}
    count = 0
    async for row in netsuite.suiteql_keyset(PLAN_LINES_SQL, key="rpl.id", page_size=page_size):
        count += 1
        plan = plans.get(str(row["plan"]))
        if plan is None:
            plan = plans[str(row["plan"])] = plan_from_row(row)
        plan.lines.append(line_from_row(row))
    return list(plans.values()), count
