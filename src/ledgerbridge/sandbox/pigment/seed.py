"""Seeds: ``empty`` (no application) and ``demo`` (the FP&A application of a three-entity SaaS company).

The demo is built around "today" (``PigmentSettings.seed_today``): its Month list runs from January two
years back to December next year, the budget is for this fiscal year (= calendar year), and the forecast's
switchover month is last month. docs/sandbox-pigment.md lists every block, view and import configuration
with its expected CSV header.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledgerbridge.money import quantize

from .spec import (
    ApplicationSpec,
    ColumnSpec,
    ImportConfigSpec,
    ListSpec,
    MetricSpec,
    PivotSpec,
    PropertySpec,
    TableSpec,
    ViewSpec,
    WorkspaceSpec,
)

APPLICATION = "FP&A"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DIMENSIONS = ("Month", "Account", "Entity", "Department")


def month_label(year: int, month: int) -> str:
    """Pigment's month item name: ``Jan 26`` (``strftime("%b %y")`` in English, notes §1.5)."""
    return f"{_MONTHS[month - 1]} {year % 100:02d}"


def seed_spec(name: str, *, today: date | None = None) -> WorkspaceSpec:
    if name == "empty":
        return WorkspaceSpec()
    if name == "demo":
        return WorkspaceSpec(applications=(demo_application(today or datetime.now(UTC).date()),))
    raise ValueError(f"unknown Pigment seed {name!r}; choose empty or demo")


@dataclass(frozen=True, slots=True)
class DemoCalendar:
    """The years and month names the demo is built on."""

    today: date

    @property
    def year(self) -> int:
        return self.today.year

    @property
    def fy(self) -> str:
        return f"FY{self.year % 100:02d}"

    def months(self) -> Iterator[tuple[int, int]]:
        for year in range(self.year - 2, self.year + 2):
            for month in range(1, 13):
                yield year, month

    def fiscal_months(self, year: int | None = None) -> list[str]:
        return [month_label(year or self.year, month) for month in range(1, 13)]

    @property
    def switchover(self) -> str:
        """Last month: the last month of actuals in the forecast."""
        year, month = (self.year, self.today.month - 1) if self.today.month > 1 else (self.year - 1, 12)
        return month_label(year, month)

    @property
    def budget(self) -> str:
        return f"Budget {self.fy}"

    @property
    def next_budget(self) -> str:
        return f"Budget FY{(self.year + 1) % 100:02d}"

    @property
    def forecast(self) -> str:
        return f"Forecast {self.fy}"


# (code, name, type, parent code, monthly base amount or None for a roll-up, departments)
ACCOUNTS: tuple[tuple[str, str, str, str | None, int | None, tuple[str, ...]], ...] = (
    ("REV", "Total Revenue", "Rollup", None, None, ()),
    ("4000", "Subscription Revenue", "Income", "REV", 250_000, ("200",)),
    ("4100", "Professional Services Revenue", "Income", "REV", 30_000, ("500",)),
    ("COGS", "Total Cost of Revenue", "Rollup", None, None, ()),
    ("5000", "Hosting", "COGS", "COGS", 40_000, ("100",)),
    ("5100", "Customer Support", "COGS", "COGS", 25_000, ("500",)),
    ("OPEX", "Total Operating Expenses", "Rollup", None, None, ()),
    ("6000", "Salaries and Wages", "Expense", "OPEX", 120_000, ("100", "200", "300", "400", "500")),
    ("6100", "Payroll Taxes and Benefits", "Expense", "OPEX", 30_000, ("100", "200", "300", "400", "500")),
    ("6200", "Software and Subscriptions", "Expense", "OPEX", 15_000, ("100", "400")),
    ("6300", "Travel and Entertainment", "Expense", "OPEX", 8_000, ("200", "300")),
    ("6400", "Marketing Programs", "Expense", "OPEX", 45_000, ("300",)),
    ("6500", "Rent and Facilities", "Expense", "OPEX", 20_000, ("400",)),
    ("6600", "Professional Fees", "Expense", "OPEX", 12_000, ("400",)),
)
# (code, name, currency, parent code, share of the group's activity)
ENTITIES: tuple[tuple[str, str, str, str | None, Decimal], ...] = (
    ("GROUP", "Ledgerbridge Group", "USD", None, Decimal(0)),
    ("US01", "Ledgerbridge Inc.", "USD", "GROUP", Decimal("1.00")),
    ("UK01", "Ledgerbridge Ltd.", "GBP", "GROUP", Decimal("0.40")),
    ("DE01", "Ledgerbridge GmbH", "EUR", "GROUP", Decimal("0.25")),
)
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("000", "Unassigned"),
    ("100", "Engineering"),
    ("200", "Sales"),
    ("300", "Marketing"),
    ("400", "General and Administrative"),
    ("500", "Customer Success"),
)
CLASSES: tuple[tuple[str, str], ...] = (("10", "Subscription"), ("20", "Services"), ("30", "Corporate"))
AGING_BUCKETS = ("Current", "1-30", "31-60", "61-90", "90+")


def _code_name(code: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "Code": code, **extra}


def _lists(calendar: DemoCalendar) -> tuple[ListSpec, ...]:
    month_items = tuple(
        {
            "name": month_label(year, month),
            "Code": f"{year}-{month:02d}",
            "Start Date": date(year, month, 1).isoformat(),
            "Fiscal Year": f"FY{year % 100:02d}",
            "Quarter": f"Q{(month - 1) // 3 + 1} FY{year % 100:02d}",
        }
        for year, month in calendar.months()
    )
    hierarchy = (PropertySpec(name="Code"), PropertySpec(name="Active", type="Boolean"))
    return (
        ListSpec(
            name="Month",
            properties=(
                PropertySpec(name="Code"),
                PropertySpec(name="Start Date", type="Date"),
                PropertySpec(name="Fiscal Year"),
                PropertySpec(name="Quarter"),
            ),
            items=month_items,
        ),
        ListSpec(
            name="Version",
            properties=(
                PropertySpec(name="Code"),
                PropertySpec(name="Type"),
                PropertySpec(name="Switchover Month", type="Dimension", list="Month"),
                PropertySpec(name="Start Month", type="Dimension", list="Month"),
                PropertySpec(name="End Month", type="Dimension", list="Month"),
                PropertySpec(name="Approved", type="Boolean"),
                PropertySpec(name="Locked", type="Boolean"),
            ),
            items=_versions(calendar),
        ),
        ListSpec(
            name="Account",
            properties=(
                *hierarchy,
                PropertySpec(name="Type"),
                PropertySpec(name="Parent", type="Dimension", list="Account"),
            ),
            items=tuple(
                _code_name(
                    code,
                    name,
                    Type=kind,
                    Active=True,
                    **({"Parent": _account_name(parent)} if parent else {}),
                )
                for code, name, kind, parent, _, _ in ACCOUNTS
            ),
        ),
        ListSpec(
            name="Entity",
            properties=(
                *hierarchy,
                PropertySpec(name="Currency"),
                PropertySpec(name="Parent", type="Dimension", list="Entity"),
            ),
            items=tuple(
                _code_name(
                    code,
                    name,
                    Currency=currency,
                    Active=True,
                    **({"Parent": _entity_name(parent)} if parent else {}),
                )
                for code, name, currency, parent, _ in ENTITIES
            ),
        ),
        ListSpec(
            name="Department",
            properties=(*hierarchy, PropertySpec(name="Parent", type="Dimension", list="Department")),
            items=tuple(_code_name(code, name, Active=True) for code, name in DEPARTMENTS),
        ),
        ListSpec(
            name="Class",
            properties=(*hierarchy, PropertySpec(name="Parent", type="Dimension", list="Class")),
            items=tuple(_code_name(code, name, Active=True) for code, name in CLASSES),
        ),
        ListSpec(
            name="Aging Bucket",
            properties=(PropertySpec(name="Order", type="Number"),),
            items=tuple({"name": bucket, "Order": index} for index, bucket in enumerate(AGING_BUCKETS)),
        ),
        ListSpec(
            name="Counterparty",
            properties=(PropertySpec(name="Kind"),),
            items=(
                {"name": "Northwind Traders", "Kind": "Customer"},
                {"name": "Amazon Web Services", "Kind": "Vendor"},
            ),
        ),
        ListSpec(
            name="AR AP Open Items",
            kind="TransactionList",
            properties=(
                PropertySpec(name="Document ID"),
                PropertySpec(name="Type"),
                PropertySpec(name="Entity", type="Dimension", list="Entity"),
                PropertySpec(name="Counterparty", type="Dimension", list="Counterparty"),
                PropertySpec(name="Document Date", type="Date"),
                PropertySpec(name="Due Date", type="Date"),
                PropertySpec(name="Aging Bucket", type="Dimension", list="Aging Bucket"),
                PropertySpec(name="Amount", type="Number"),
                PropertySpec(name="Currency"),
            ),
        ),
    )


def _account_name(code: str) -> str:
    return next(name for account_code, name, *_ in ACCOUNTS if account_code == code)


def _entity_name(code: str) -> str:
    return next(name for entity_code, name, *_ in ENTITIES if entity_code == code)


def _versions(calendar: DemoCalendar) -> tuple[dict[str, Any], ...]:
    year = calendar.year
    span = {"Start Month": month_label(year, 1), "End Month": month_label(year, 12)}
    next_span = {"Start Month": month_label(year + 1, 1), "End Month": month_label(year + 1, 12)}
    return (
        {"name": "Actuals", "Code": "ACT", "Type": "Actual", "Approved": True, "Locked": True},
        {
            "name": calendar.budget,
            "Code": f"BUD{year % 100:02d}",
            "Type": "Budget",
            "Approved": False,
            "Locked": False,
            **span,
        },
        {
            "name": calendar.next_budget,
            "Code": f"BUD{(year + 1) % 100:02d}",
            "Type": "Budget",
            "Approved": False,
            "Locked": False,
            **next_span,
        },
        {
            "name": calendar.forecast,
            "Code": f"FC{year % 100:02d}",
            "Type": "Forecast",
            "Approved": False,
            "Locked": False,
            "Switchover Month": calendar.switchover,
            **span,
        },
    )


def _plan_cells(calendar: DemoCalendar) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """Deterministic budget cells for this fiscal year, and forecast cells after the switchover month."""
    rng = random.Random(calendar.year)
    budget: list[dict[str, Any]] = []
    forecast: list[dict[str, Any]] = []
    departments = dict(DEPARTMENTS)
    fiscal = calendar.fiscal_months()
    # Months up to the switchover are actuals; a January "today" has its switchover in last year.
    switchover_index = fiscal.index(calendar.switchover) if calendar.switchover in fiscal else -1
    for _, name, _, _, base, account_departments in ACCOUNTS:
        if base is None:
            continue
        for _, entity_name, _, _, share in ENTITIES:
            if not share:
                continue
            for department in account_departments:
                for index, month in enumerate(fiscal):
                    growth = Decimal(1) + Decimal(index) / Decimal(100)
                    noise = Decimal(rng.randint(900, 1100)) / Decimal(1000)
                    amount = quantize(Decimal(base) * share * growth * noise)
                    cell = {
                        "Month": month,
                        "Account": name,
                        "Entity": entity_name,
                        "Department": departments[department],
                    }
                    budget.append({**cell, "Version": calendar.budget, "value": amount})
                    if index > switchover_index:
                        forecast.append(
                            {
                                **cell,
                                "Version": calendar.forecast,
                                "value": quantize(amount * Decimal("1.03")),
                            }
                        )
    return tuple(budget), tuple(forecast)


def _dimension(header: str, target: str, match: str = "Code", default: str | None = None) -> ColumnSpec:
    return ColumnSpec(header=header, kind="dimension", target=target, match=match, default=default)


def _value(header: str, metric: str) -> ColumnSpec:
    return ColumnSpec(header=header, kind="value", target=metric)


def _prop(header: str, target: str, match: str = "Name") -> ColumnSpec:
    return ColumnSpec(header=header, kind="property", target=target, match=match)


def _hierarchy_config(list_name: str, extra: tuple[ColumnSpec, ...] = ()) -> ImportConfigSpec:
    return ImportConfigSpec(
        name=f"hierarchy-to-planning · {list_name}",
        description=f"NetSuite {list_name.lower()} members with their parents; upserted by Code.",
        block=list_name,
        columns=(
            _prop("Code", "Code"),
            ColumnSpec(header="Name", kind="item"),
            *extra,
            _prop("Parent Code", "Parent", match="Code"),
            _prop("Active", "Active"),
        ),
        unique_key="Code",
        # An unknown parent code leaves the parent blank (and is reported), the member still loads.
        on_missing_item="default",
    )


def _headcount_csv(calendar: DemoCalendar) -> str:
    month = calendar.switchover
    lines = ["Month;Entity Code;Department Code;Headcount"]
    for entity, factor in (("US01", 10), ("UK01", 4), ("DE01", 3)):
        for department, _ in DEPARTMENTS[1:]:
            lines.append(f"{month};{entity};{department};{factor + int(department) // 100}")
    return "\n".join(lines) + "\n"


def _configurations(calendar: DemoCalendar) -> tuple[ImportConfigSpec, ...]:
    headcount_columns = (
        _dimension("Month", "Month", match="Name"),
        _dimension("Entity Code", "Entity"),
        _dimension("Department Code", "Department"),
        _value("Headcount", "Headcount"),
    )
    return (
        _hierarchy_config("Account", (_prop("Type", "Type"),)),
        _hierarchy_config("Entity", (_prop("Currency", "Currency"),)),
        _hierarchy_config("Department"),
        _hierarchy_config("Class"),
        ImportConfigSpec(
            name="gl-actuals-to-planning · Actuals",
            description="Posted GL per month x entity x account x department; each push replaces its months.",
            block="Actuals",
            columns=(
                _dimension("Month", "Month", match="Name"),
                _dimension("Entity Code", "Entity"),
                _dimension("Account Code", "Account"),
                _dimension("Department Code", "Department"),
                _value("Amount", "Actuals"),
            ),
            clear="scope",
            scope=("Month",),
        ),
        ImportConfigSpec(
            name="period-close · Forecast switchover",
            description="Moves a forecast version's switchover month (the last month of actuals).",
            block="Version",
            columns=(
                ColumnSpec(header="Version", kind="item"),
                _prop("Switchover Month", "Switchover Month"),
            ),
            unique_key="Name",
        ),
        ImportConfigSpec(
            name="ar-ap-to-planning · Open items",
            description="Open invoices and bills with due dates and aging buckets; the file is the full set.",
            block="AR AP Open Items",
            columns=(
                _prop("Document ID", "Document ID"),
                _prop("Type", "Type"),
                _prop("Entity Code", "Entity", match="Code"),
                _prop("Counterparty", "Counterparty"),
                _prop("Document Date", "Document Date"),
                _prop("Due Date", "Due Date"),
                _prop("Aging Bucket", "Aging Bucket"),
                _prop("Amount", "Amount"),
                _prop("Currency", "Currency"),
            ),
            unique_key="Document ID",
            clear="all",
            on_missing_item="auto_create",
        ),
        ImportConfigSpec(
            name="revenue-to-planning · Revenue",
            description="Recognized and deferred revenue per month x entity x account; replaces its months.",
            block="Recognized Revenue",
            columns=(
                _dimension("Month", "Month", match="Name"),
                _dimension("Entity Code", "Entity"),
                _dimension("Account Code", "Account"),
                _value("Recognized", "Recognized Revenue"),
                _value("Deferred", "Deferred Revenue"),
            ),
            clear="scope",
            scope=("Month",),
        ),
        ImportConfigSpec(
            name="revenue-to-planning · SaaS metrics",
            description="MRR and active subscriptions per month x entity (ARR is derived: MRR x 12).",
            block="MRR",
            columns=(
                _dimension("Month", "Month", match="Name"),
                _dimension("Entity Code", "Entity"),
                _value("MRR", "MRR"),
                _value("Active Subscriptions", "Active Subscriptions"),
            ),
            clear="scope",
            scope=("Month",),
        ),
        ImportConfigSpec(
            name="Budget upload (pivoted by month)",
            description="A planner's budget file: one column per month; each push replaces its versions.",
            block="Budget",
            layout="pivoted",
            delimiter=",",
            columns=(
                _dimension("Version", "Version", match="Name"),
                _dimension("Entity Code", "Entity"),
                _dimension("Account Code", "Account"),
                _dimension("Department Code", "Department"),
            ),
            pivot=PivotSpec(dimension="Month", metric="Budget", columns=tuple(calendar.fiscal_months())),
            clear="scope",
            scope=("Version",),
        ),
        ImportConfigSpec(
            name="Warehouse · Headcount (integration)",
            description="A warehouse query result imported by POST /api/v1/import/trigger.",
            block="Headcount",
            source="integration",
            columns=headcount_columns,
            source_data=_headcount_csv(calendar),
        ),
        ImportConfigSpec(
            name="Looker · Headcount look",
            description="A Looker Look imported by POST /api/v1/import/push/looker.",
            block="Headcount",
            source="looker",
            columns=headcount_columns,
            source_data=_headcount_csv(calendar),
        ),
        ImportConfigSpec(
            name="Budget baseline snapshot (metric data copy)",
            description="Copies Budget into Budget Baseline (POST /api/v1/import/trigger).",
            block="Budget Baseline",
            source="metric_copy",
            copy_from="Budget",
        ),
    )


def demo_application(today: date) -> ApplicationSpec:
    calendar = DemoCalendar(today)
    budget, forecast = _plan_cells(calendar)
    planned = ("Version", *_DIMENSIONS)
    return ApplicationSpec(
        name=APPLICATION,
        scenarios=("Default Scenario",),
        lists=_lists(calendar),
        metrics=(
            MetricSpec(name="Actuals", dimensions=_DIMENSIONS),
            MetricSpec(name="Budget", dimensions=planned, cells=budget),
            MetricSpec(name="Forecast", dimensions=planned, cells=forecast),
            MetricSpec(name="Budget Baseline", dimensions=planned),
            MetricSpec(name="Variance", dimensions=planned, formula="Actuals - Budget"),
            MetricSpec(name="Recognized Revenue", dimensions=("Month", "Entity", "Account")),
            MetricSpec(name="Deferred Revenue", dimensions=("Month", "Entity", "Account")),
            MetricSpec(name="MRR", dimensions=("Month", "Entity")),
            MetricSpec(name="Active Subscriptions", dimensions=("Month", "Entity")),
            MetricSpec(name="ARR", dimensions=("Month", "Entity"), formula="MRR * 12"),
            MetricSpec(name="Headcount", dimensions=("Month", "Entity", "Department")),
        ),
        tables=(
            TableSpec(name="Budget vs Actual", metrics=("Actuals", "Budget", "Variance")),
            TableSpec(name="Revenue", metrics=("Recognized Revenue", "Deferred Revenue")),
            TableSpec(name="SaaS Metrics", metrics=("MRR", "ARR", "Active Subscriptions")),
        ),
        views=(
            ViewSpec(
                name="Budget vs Actual · API export",
                block="Budget vs Actual",
                filters={"Version": (calendar.budget,)},
            ),
            ViewSpec(name="budget-writeback · Budget export", block="Budget"),
            ViewSpec(name="Accounts · all", block="Account"),
            ViewSpec(name="AR AP open items", block="AR AP Open Items"),
            ViewSpec(name="SaaS Metrics · API export", block="SaaS Metrics"),
            ViewSpec(name="My variance", block="Variance", type="Personal"),
        ),
        import_configurations=_configurations(calendar),
    )
