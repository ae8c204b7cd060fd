"""What the gl-actuals tests share: a trial balance computed straight from SuiteQL, mapped through the
workspace's own mapping rows, and Pigment's Actuals read back by item codes.

The test computes the expected figures itself (its own GROUP BY query and its own sign rule) rather than
calling the flow's code, so a bug in the flow cannot hide in the oracle.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from tests.e2e.planning.support import PlanningWorld

FLOW = "gl-actuals-to-planning"
CONFIGURATION = "gl-actuals-to-planning · Actuals"
#: NetSuite account types FP&A reads credit-positive (income, liabilities, equity, deferred revenue)
CREDIT_NORMAL = {
    "Income", "OthIncome", "AcctPay", "CredCard", "OthCurrLiab", "LongTermLiab", "Equity",
    "RetainedEarnings", "DeferRevenue",
}  # fmt: skip
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
Key = tuple[str, str, str, str]  # (month, account code, entity code, department code)

TB_SQL = (
    "SELECT t.postingperiod AS period, a.acctnumber AS acct, a.id AS acctid, a.accttype AS atype, "
    "tl.subsidiary AS sub, "
    "tl.department AS dept, SUM(tal.amount) AS amount "
    "FROM transactionaccountingline tal "
    "JOIN transaction t ON t.id = tal.transaction "
    "JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline "
    "JOIN account a ON a.id = tal.account "
    "WHERE tal.accountingbook = 1 AND tal.posting = 'T' AND t.posting = 'T' "
    "GROUP BY t.postingperiod, a.acctnumber, a.id, a.accttype, tl.subsidiary, tl.department"
)


def month_of(start: str) -> str:
    day = date.fromisoformat(start)
    return f"{_MONTHS[day.month - 1]} {day.year % 100:02d}"


def period_months(w: PlanningWorld) -> dict[str, str]:
    rows = w.ns_rows(
        "SELECT id, TO_CHAR(startdate, 'YYYY-MM-DD') AS s FROM accountingperiod "
        "WHERE isquarter = 'F' AND isyear = 'F'"
    )
    return {str(r["id"]): month_of(str(r["s"])) for r in rows}


def _table(w: PlanningWorld, name: str | None, key: str, value: str) -> dict[str, str] | None:
    if name is None:
        return None
    return {str(r[key]): str(r[value]) for r in w.mapping_rows(name)}


def trial_balance(
    w: PlanningWorld,
    *,
    accounts: str = "planning-accounts",
    entities: str | None = "planning-entities",
    departments: str | None = "planning-departments",
    unassigned: str = "000",
) -> dict[Key, Decimal]:
    """The expected Actuals cells (zeros dropped): SuiteQL GROUP BY, mapped, natural sign, summed."""
    months = period_months(w)
    acct_map = _table(w, accounts, "netsuite_account", "pigment_account")
    assert acct_map is not None
    sub_map = _table(w, entities, "netsuite_subsidiary", "pigment_entity")
    dept_map = _table(w, departments, "netsuite_department", "pigment_department")
    expected: dict[Key, Decimal] = defaultdict(Decimal)
    for row in w.ns_rows(TB_SQL):
        if row.get("amount") in (None, "") or str(row["period"]) not in months:
            continue
        # the flow keys accounts by number, else by internal id (the NetSuite2 sample has no numbers)
        account = acct_map.get(str(row.get("acct") or row["acctid"]))
        if account in (None, "-"):
            continue
        sub = str(row.get("sub", ""))
        entity = sub_map[sub] if sub_map is not None else sub
        dept_id = str(row.get("dept") or "")
        department = (dept_map[dept_id] if dept_map is not None else dept_id) if dept_id else unassigned
        net = Decimal(str(row["amount"]))
        amount = -net if row.get("atype") in CREDIT_NORMAL else net
        expected[(months[str(row["period"])], str(account), entity, department)] += amount
    return {key: value for key, value in expected.items() if value != 0}


def codes(w: PlanningWorld, list_name: str) -> dict[str, str]:
    """Item name → Code of one Pigment list."""
    found: dict[str, str] = {}
    for item in w.items(list_name):
        props = item.get("properties") or item
        code = props.get("Code") if isinstance(props, dict) else None
        found[str(item["name"])] = str(code if code is not None else item["name"])
    return found


def actuals(w: PlanningWorld, metric: str = "Actuals") -> dict[Key, Decimal]:
    """Pigment's Actuals cells by (month, account code, entity code, department code), zeros dropped."""
    account, entity, department = codes(w, "Account"), codes(w, "Entity"), codes(w, "Department")
    found: dict[Key, Decimal] = {}
    for cell in w.cells(metric):
        dims: dict[str, Any] = cell["dimensions"]
        value = Decimal(str(cell["value"]))
        if value == 0:
            continue
        key = (
            str(dims["Month"]),
            account[str(dims["Account"])],
            entity[str(dims["Entity"])],
            department[str(dims["Department"])],
        )
        found[key] = value
    return found


def diff(expected: dict[Key, Decimal], got: dict[Key, Decimal]) -> dict[Key, tuple[Decimal | None, ...]]:
    """Cells that differ, for a readable assertion message."""
    keys = set(expected) | set(got)
    return {k: (expected.get(k), got.get(k)) for k in sorted(keys) if expected.get(k) != got.get(k)}


def configuration_id(w: PlanningWorld, name: str = CONFIGURATION) -> str:
    """The id of an import configuration, from the Pigment emulator's model."""
    model = w.pigment("GET", "/_sandbox/pigment/model")
    for application in model["applications"]:
        for configuration in application.get("importConfigurations") or []:
            if configuration["name"] == name:
                return str(configuration["id"])
    raise AssertionError(f"no import configuration {name!r} in the Pigment model")
