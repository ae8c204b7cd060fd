"""The demo seed's import configuration and export view for each of the six flows of issue 5, exercised
with the CSV headers docs/sandbox-pigment.md documents for them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .support import Pigment, skipped, summary

GL = "Month;Entity Code;Account Code;Department Code;Amount\n"
ACCOUNT_HIERARCHY = "Code;Name;Type;Parent Code;Active\n"


def test_every_flow_has_its_configuration_with_the_documented_header(pigment: Pigment) -> None:
    configs = {c["name"]: c for c in pigment.model()["applications"][0]["importConfigurations"]}

    assert configs["hierarchy-to-planning · Account"]["header"] == [
        "Code",
        "Name",
        "Type",
        "Parent Code",
        "Active",
    ]
    assert configs["hierarchy-to-planning · Entity"]["header"] == [
        "Code",
        "Name",
        "Currency",
        "Parent Code",
        "Active",
    ]
    assert configs["hierarchy-to-planning · Department"]["header"] == [
        "Code",
        "Name",
        "Parent Code",
        "Active",
    ]
    assert configs["hierarchy-to-planning · Class"]["header"] == ["Code", "Name", "Parent Code", "Active"]
    assert configs["gl-actuals-to-planning · Actuals"]["header"] == GL.strip().split(";")
    assert configs["period-close · Forecast switchover"]["header"] == ["Version", "Switchover Month"]
    assert configs["ar-ap-to-planning · Open items"]["header"] == [
        "Document ID", "Type", "Entity Code", "Counterparty", "Document Date", "Due Date", "Aging Bucket",
        "Amount", "Currency",
    ]  # fmt: skip
    assert configs["revenue-to-planning · Revenue"]["header"] == [
        "Month", "Entity Code", "Account Code", "Recognized", "Deferred",
    ]  # fmt: skip
    assert configs["revenue-to-planning · SaaS metrics"]["header"] == [
        "Month",
        "Entity Code",
        "MRR",
        "Active Subscriptions",
    ]
    flows = [
        config
        for name, config in configs.items()
        if "-to-planning" in name or name.startswith("period-close")
    ]
    assert len(flows) == 9 and all(config["delimiter"] == ";" for config in flows)
    views = {view["name"]: view for view in pigment.model()["applications"][0]["views"]}
    assert views["budget-writeback · Budget export"]["block"] == "Budget"


def test_hierarchy_to_planning_adds_renames_and_flags_members(pigment: Pigment) -> None:
    body = ACCOUNT_HIERARCHY + (
        "4000;Subscription Revenue (SaaS);Income;REV;true\n"
        "4200;Usage Revenue;Income;REV;true\n"
        "6600;Professional Fees;Expense;OPEX;false\n"
    )
    report = pigment.load("hierarchy-to-planning · Account", body)

    assert summary(report) == (1, 2, 0, 0)
    rows = {row["Code"]: row for row in pigment.export_rows("list", "Account")}
    assert rows["4000"]["Account"] == "Subscription Revenue (SaaS)"
    assert rows["4200"]["Parent"] == "Total Revenue"
    assert rows["6600"]["Active"] == "false"


def test_gl_actuals_replace_by_period_never_double_counts(pigment: Pigment) -> None:
    october = (
        GL
        + "Oct 26;US01;6000;100;120000.00\nOct 26;UK01;6000;100;48000.00\nOct 26;US01;4000;200;-250000.00\n"
    )
    assert summary(pigment.load("gl-actuals-to-planning · Actuals", october)) == (3, 0, 0, 0)
    assert summary(pigment.load("gl-actuals-to-planning · Actuals", october)) == (0, 0, 0, 0)

    rows = pigment.export_rows("metric", "Actuals")
    assert [(row["Entity"], row["Account"], row["Actuals"]) for row in rows] == [
        ("Ledgerbridge Inc.", "Subscription Revenue", "-250000.00"),
        ("Ledgerbridge Inc.", "Salaries and Wages", "120000.00"),
        ("Ledgerbridge Ltd.", "Salaries and Wages", "48000.00"),
    ]

    unmapped = pigment.load(
        "gl-actuals-to-planning · Actuals", GL + "Oct 26;US01;9999;100;5.00\nOct 26;US01;6000;100;1\n"
    )
    assert skipped(unmapped)[("MissingModalitySkippedDataRow", "Account Code")]["samples"] == ["9999"]


def test_period_close_moves_the_switchover_and_exports_budget_vs_actual(pigment: Pigment) -> None:
    report = pigment.load(
        "period-close · Forecast switchover", "Version;Switchover Month\nForecast FY26;Nov 26\n"
    )
    assert summary(report) == (0, 1, 0, 0)
    versions = {row["Version"]: row for row in pigment.export_rows("list", "Version")}
    assert versions["Forecast FY26"]["Switchover Month"] == "Nov 26"

    pigment.load("gl-actuals-to-planning · Actuals", GL + "Oct 26;US01;6000;100;100000.00\n")
    view = pigment.exports.get(f"/api/v1/export/view/{pigment.view_id('Budget vs Actual · API export')}")
    rows = list(csv.DictReader(io.StringIO(view.text.removeprefix("\ufeff")), delimiter=";"))
    assert {row["Version"] for row in rows} == {"Budget FY26"}
    [october] = [
        row for row in rows
        if (row["Month"], row["Account"], row["Entity"], row["Department"])
        == ("Oct 26", "Salaries and Wages", "Ledgerbridge Inc.", "Engineering")
    ]  # fmt: skip
    budget = october["Budget"]
    assert october["Actuals"] == "100000.00"
    assert Decimal(october["Variance"]) == Decimal("100000.00") - Decimal(budget)


def test_ar_ap_open_items_snapshot_auto_creates_counterparties(pigment: Pigment) -> None:
    header = "Document ID;Type;Entity Code;Counterparty;Document Date;Due Date;Aging Bucket;Amount;Currency\n"
    first = header + (
        "INV-1001;AR;US01;Globex;2026-09-01;2026-10-01;31-60;1500.00;USD\n"
        "BILL-77;AP;UK01;Amazon Web Services;2026-11-01;2026-12-01;Current;-320.40;GBP\n"
    )
    report = pigment.load("ar-ap-to-planning · Open items", first)
    assert summary(report) == (2, 0, 0, 0)
    assert report["detailedReport"]["autoCreatedDimensionModalities"] == [
        {"blockId": pigment.block_id("Counterparty"), "count": 1}
    ]

    # INV-1001 was paid: the next snapshot no longer has it and it is deleted.
    second = pigment.load(
        "ar-ap-to-planning · Open items",
        header + "BILL-77;AP;UK01;Amazon Web Services;2026-11-01;2026-12-01;1-30;-320.40;GBP\n",
    )
    assert summary(second) == (0, 1, 1, 0)
    [item] = pigment.export_rows("list", "AR AP Open Items")
    assert (item["Document ID"], item["Aging Bucket"], item["Amount"]) == ("BILL-77", "1-30", "-320.40")


def test_revenue_and_saas_metrics_with_derived_arr(pigment: Pigment) -> None:
    revenue = "Month;Entity Code;Account Code;Recognized;Deferred\nOct 26;US01;4000;210000.00;90000.00\n"
    report = pigment.load("revenue-to-planning · Revenue", revenue)
    assert len(report["detailedReport"]["impactedBlocks"]) == 2
    assert pigment.cells("Deferred Revenue") == {
        ("Oct 26", "Ledgerbridge Inc.", "Subscription Revenue"): "90000.00"
    }

    pigment.load(
        "revenue-to-planning · SaaS metrics",
        "Month;Entity Code;MRR;Active Subscriptions\nOct 26;US01;70000.25;140\n",
    )
    rows = pigment.export_rows("table", "SaaS Metrics")
    assert rows == [
        {
            "Month": "Oct 26",
            "Entity": "Ledgerbridge Inc.",
            "MRR": "70000.25",
            "ARR": "840003.00",
            "Active Subscriptions": "140",
        }
    ]


def test_budget_writeback_export_view_and_pivoted_budget_upload(pigment: Pigment) -> None:
    months = ",".join(
        f"{m} 26"
        for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )
    upload = (
        f"Version,Entity Code,Account Code,Department Code,{months}\n"
        + "Budget FY27,US01,6400,300,"
        + ",".join(["1000.00"] * 12)
        + "\n"
    )
    assert summary(pigment.load("Budget upload (pivoted by month)", upload))[0] == 12

    view = pigment.exports.get(f"/api/v1/export/view/{pigment.view_id('budget-writeback · Budget export')}")
    rows = list(csv.DictReader(io.StringIO(view.text.removeprefix("\ufeff")), delimiter=";"))
    assert list(rows[0]) == ["Version", "Month", "Account", "Entity", "Department", "Budget"]
    fy27 = [row for row in rows if row["Version"] == "Budget FY27"]
    assert len(fy27) == 12 and {row["Budget"] for row in fy27} == {"1000.00"}
    assert any(row["Version"] == "Budget FY26" for row in rows)


def test_headcount_integration_and_budget_snapshot_copy(pigment: Pigment) -> None:
    for name in ("Warehouse · Headcount (integration)", "Budget baseline snapshot (metric data copy)"):
        response = pigment.imports.post(
            "/api/v1/import/trigger", params={"configurationId": pigment.configuration_id(name)}
        )
        assert response.status_code == 200
        assert pigment.wait(response.json()["importId"])["importStatus"] == "Completed"

    assert len(pigment.cells("Headcount")) == 15
    assert pigment.cells("Budget Baseline") == pigment.cells("Budget")
