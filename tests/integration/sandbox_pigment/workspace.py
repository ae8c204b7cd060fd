"""A small test workspace covering every import policy, in the fixture format of ``POST /_sandbox/seed``."""

from __future__ import annotations

from typing import Any

from ledgerbridge.sandbox.pigment.spec import (
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

MONTHS = ("Jan 26", "Feb 26", "Mar 26", "Apr 26")


def _dim(header: str, target: str, match: str = "Name", default: str | None = None) -> ColumnSpec:
    return ColumnSpec(header=header, kind="dimension", target=target, match=match, default=default)


def _val(header: str, metric: str) -> ColumnSpec:
    return ColumnSpec(header=header, kind="value", target=metric)


def _prop(header: str, target: str, match: str = "Name", default: str | None = None) -> ColumnSpec:
    return ColumnSpec(header=header, kind="property", target=target, match=match, default=default)


ACTUALS_COLUMNS = (
    _dim("Month", "Month"),
    _dim("Account", "Account", match="Code"),
    _dim("Department", "Department", default="Unassigned"),
    _val("Amount", "Actuals"),
)


def _actuals(name: str, **options: Any) -> ImportConfigSpec:
    return ImportConfigSpec(name=name, block="Actuals", columns=ACTUALS_COLUMNS, **options)


def policy_workspace() -> WorkspaceSpec:
    lists = (
        ListSpec(
            name="Month",
            properties=(PropertySpec(name="Code"), PropertySpec(name="Start Date", type="Date")),
            items=tuple(
                {"name": name, "Code": f"2026-0{index + 1}", "Start Date": f"2026-0{index + 1}-01"}
                for index, name in enumerate(MONTHS)
            ),
        ),
        ListSpec(
            name="Version",
            properties=(PropertySpec(name="Approved", type="Boolean"),),
            items=({"name": "Budget A", "Approved": False}, {"name": "Budget B", "Approved": False}),
        ),
        ListSpec(
            name="Account",
            properties=(
                PropertySpec(name="Code"),
                PropertySpec(name="Active", type="Boolean"),
                PropertySpec(name="Parent", type="Dimension", list="Account"),
            ),
            items=(
                {"name": "Revenue", "Code": "4000", "Active": True},
                {"name": "Salaries", "Code": "6000", "Active": True},
                {"name": "Travel", "Code": "6300", "Active": True},
            ),
        ),
        ListSpec(name="Department", items=({"name": "Unassigned"}, {"name": "Sales"}, {"name": "R&D"})),
        ListSpec(name="Region", items=({"name": "EMEA"}, {"name": "AMER"})),
        ListSpec(
            name="Orders",
            kind="TransactionList",
            properties=(
                PropertySpec(name="Order ID"),
                PropertySpec(name="Region", type="Dimension", list="Region"),
                PropertySpec(name="Amount", type="Number"),
                PropertySpec(name="Ordered On", type="Date"),
            ),
        ),
        ListSpec(name="Team", properties=(PropertySpec(name="Lead"),)),
    )
    metrics = (
        MetricSpec(name="Actuals", dimensions=("Month", "Account", "Department")),
        MetricSpec(name="Budget", dimensions=("Version", "Month", "Account", "Department")),
        MetricSpec(name="Budget Copy", dimensions=("Version", "Month", "Account", "Department")),
        MetricSpec(
            name="Variance",
            dimensions=("Version", "Month", "Account", "Department"),
            formula="Actuals - Budget",
        ),
        MetricSpec(name="MRR", dimensions=("Month",)),
        MetricSpec(name="ARR", dimensions=("Month",), formula="MRR * 12"),
        MetricSpec(name="Headcount", dimensions=("Month", "Department")),
    )
    orders_columns = (
        _prop("Order ID", "Order ID"),
        _prop("Region", "Region"),
        _prop("Amount", "Amount"),
        _prop("Ordered On", "Ordered On"),
    )
    configurations = (
        _actuals("Actuals · skip", clear="scope", scope=("Month",)),
        _actuals("Actuals · default", on_missing_item="default"),
        _actuals("Actuals · auto-create", on_missing_item="auto_create"),
        _actuals("Actuals · replace all", clear="all"),
        _actuals("Actuals · comma sum", delimiter=",", decimal_separator=",", duplicates="sum"),
        ImportConfigSpec(
            name="Budget · pivoted",
            block="Budget",
            layout="pivoted",
            delimiter=",",
            columns=(
                _dim("Version", "Version"),
                _dim("Account", "Account", match="Code"),
                _dim("Department", "Department"),
            ),
            pivot=PivotSpec(dimension="Month", metric="Budget", columns=(*MONTHS, "May 26")),
            clear="scope",
            scope=("Version",),
        ),
        ImportConfigSpec(
            name="MRR",
            block="MRR",
            columns=(_dim("Month", "Month"), _val("MRR", "MRR")),
        ),
        ImportConfigSpec(
            name="Accounts",
            block="Account",
            columns=(
                _prop("Code", "Code"),
                ColumnSpec(header="Name", kind="item"),
                _prop("Parent Code", "Parent", match="Code"),
                _prop("Active", "Active"),
            ),
            unique_key="Code",
            on_missing_item="default",
        ),
        ImportConfigSpec(
            name="Accounts · strict",
            block="Account",
            columns=(
                _prop("Code", "Code"),
                ColumnSpec(header="Name", kind="item"),
                _prop("Parent Code", "Parent", match="Code"),
            ),
            unique_key="Code",
        ),
        ImportConfigSpec(
            name="Departments · replace",
            block="Department",
            columns=(ColumnSpec(header="Department", kind="item"),),
            clear="all",
        ),
        ImportConfigSpec(name="Orders · append", block="Orders", columns=orders_columns),
        ImportConfigSpec(
            name="Orders · upsert", block="Orders", columns=orders_columns, unique_key="Order ID", clear="all"
        ),
        ImportConfigSpec(
            name="Orders · by region",
            block="Orders",
            columns=orders_columns,
            clear="scope",
            scope=("Region",),
        ),
        ImportConfigSpec(
            name="Orders · auto-create", block="Orders", columns=orders_columns, on_missing_item="auto_create"
        ),
        ImportConfigSpec(
            name="Headcount feed",
            block="Headcount",
            source="integration",
            columns=(
                _dim("Month", "Month"),
                _dim("Department", "Department"),
                _val("Headcount", "Headcount"),
            ),
            source_data="Month;Department;Headcount\nJan 26;Sales;12\nJan 26;R&D;30\n",
        ),
        ImportConfigSpec(
            name="Headcount look",
            block="Headcount",
            source="looker",
            columns=(
                _dim("Month", "Month"),
                _dim("Department", "Department"),
                _val("Headcount", "Headcount"),
            ),
            source_data="Month;Department;Headcount\nFeb 26;Sales;13\n",
        ),
        ImportConfigSpec(name="Copy budget", block="Budget Copy", source="metric_copy", copy_from="Budget"),
        ImportConfigSpec(
            name="Copy regions into teams", block="Team", source="list_copy", copy_from="Region"
        ),
    )
    return WorkspaceSpec(
        applications=(
            ApplicationSpec(
                name="Test Model",
                scenarios=("Default Scenario", "Downside"),
                lists=lists,
                metrics=metrics,
                tables=(TableSpec(name="BvA", metrics=("Actuals", "Budget", "Variance")),),
                views=(
                    ViewSpec(name="BvA · Budget A", block="BvA", filters={"Version": ("Budget A",)}),
                    ViewSpec(name="Accounts view", block="Account"),
                    ViewSpec(name="Orders view", block="Orders"),
                    ViewSpec(name="Actuals view", block="Actuals", filters={"Month": ("Jan 26",)}),
                    ViewSpec(name="A board widget", block=None),
                ),
                import_configurations=configurations,
            ),
            ApplicationSpec(name="Other Team", lists=(ListSpec(name="Month", items=({"name": "Jan 26"},)),)),
        )
    )
