"""Metric imports over HTTP: flat and pivoted, each on-missing-item policy, upserts, clear-by-scope,
skipped rows with reasons, header mismatch, and the derived Variance recalculated after every import."""

from __future__ import annotations

import pytest

from .support import Pigment, skipped, summary

HEADER = "Month;Account;Department;Amount\n"


@pytest.fixture
def seed() -> str:
    return "test"


def test_flat_import_loads_exact_decimals_and_reports_counts(pigment: Pigment) -> None:
    report = pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;1234.56\nJan 26;6000;R&D;-0.10\n")

    assert report["importStatus"] == "Completed"
    assert report["errorsDetails"] is None
    assert report["completedAt"] is not None
    assert report["detailedReport"]["blockType"] == "Metric"
    assert summary(report) == (2, 0, 0, 0)
    [block] = report["detailedReport"]["impactedBlocks"]
    assert block["blockId"] == pigment.block_id("Actuals")
    assert block["skippedData"] == []
    assert pigment.cells("Actuals") == {
        ("Jan 26", "Revenue", "Sales"): "1234.56",
        ("Jan 26", "Salaries", "R&D"): "-0.10",
    }


def test_reimporting_the_same_file_changes_nothing(pigment: Pigment) -> None:
    body = HEADER + "Jan 26;4000;Sales;100.00\nFeb 26;6000;R&D;250.25\n"
    first = pigment.load("Actuals · skip", body)
    before = pigment.cells("Actuals")
    second = pigment.load("Actuals · skip", body)

    assert summary(first) == (2, 0, 0, 0)
    assert summary(second) == (0, 0, 0, 0)
    assert pigment.cells("Actuals") == before


def test_clear_by_scope_replaces_the_month_slice_without_double_counting(pigment: Pigment) -> None:
    pigment.load(
        "Actuals · skip", HEADER + "Jan 26;4000;Sales;100\nJan 26;6000;R&D;50\nFeb 26;4000;Sales;70\n"
    )

    # January again, restated: one cell changes, one disappears, one is new; February is untouched.
    report = pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;120\nJan 26;6300;Sales;5\n")

    assert summary(report) == (1, 1, 1, 0)
    assert pigment.cells("Actuals") == {
        ("Jan 26", "Revenue", "Sales"): "120",
        ("Jan 26", "Travel", "Sales"): "5",
        ("Feb 26", "Revenue", "Sales"): "70",
    }


def test_without_clear_an_import_upserts_and_keeps_other_cells(pigment: Pigment) -> None:
    pigment.load("Actuals · default", HEADER + "Jan 26;4000;Sales;100\nJan 26;6000;R&D;50\n")
    report = pigment.load("Actuals · default", HEADER + "Jan 26;4000;Sales;101\n")

    assert summary(report) == (0, 1, 0, 0)
    assert pigment.cells("Actuals")[("Jan 26", "Salaries", "R&D")] == "50"


def test_clear_all_replaces_the_whole_metric(pigment: Pigment) -> None:
    pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;100\nFeb 26;6000;R&D;50\n")
    report = pigment.load("Actuals · replace all", HEADER + "Mar 26;4000;Sales;9\n")

    assert summary(report) == (1, 0, 2, 0)
    assert pigment.cells("Actuals") == {("Mar 26", "Revenue", "Sales"): "9"}


def test_a_blank_value_clears_the_cell(pigment: Pigment) -> None:
    pigment.load("Actuals · default", HEADER + "Jan 26;4000;Sales;100\n")
    report = pigment.load("Actuals · default", HEADER + "Jan 26;4000;Sales;\n")

    assert summary(report) == (0, 0, 1, 0)
    assert pigment.cells("Actuals") == {}


def test_skip_policy_skips_rows_with_reasons_and_samples(pigment: Pigment) -> None:
    body = HEADER + (
        "Jan 26;4000;Sales;10\n"
        "Jan 26;9999;Sales;1\n"  # unknown account code
        "Jan 26;9998;Sales;2\n"
        "Jan 26;4000;Legal;3\n"  # unknown department
        "May 26;4000;Sales;4\n"  # unknown month
        "Jan 26;6000;Sales;12,5\n"  # not a number under a '.' separator
        "Jan 26;6000;Sales\n"  # a short row
    )
    report = pigment.load("Actuals · skip", body)

    assert report["importStatus"] == "Completed"  # partial success: Completed with skips
    assert summary(report) == (1, 0, 0, 6)
    reasons = skipped(report)
    assert reasons[("MissingModalitySkippedDataRow", "Account")]["count"] == 2
    assert reasons[("MissingModalitySkippedDataRow", "Account")]["samples"] == ["9999", "9998"]
    assert reasons[("MissingModalitySkippedDataRow", "Department")]["samples"] == ["Legal"]
    assert reasons[("MissingModalitySkippedDataRow", "Month")]["samples"] == ["May 26"]
    assert reasons[("ParsingError", "Amount")]["samples"] == ["12,5"]
    assert reasons[("ParsingError", None)]["samples"] == ["Jan 26;6000;Sales"]
    assert pigment.cells("Actuals") == {("Jan 26", "Revenue", "Sales"): "10"}


def test_default_policy_loads_unknown_items_into_the_default_and_reports_them(pigment: Pigment) -> None:
    report = pigment.load("Actuals · default", HEADER + "Jan 26;4000;Legal;7\nJan 26;9999;Sales;1\n")

    # The unknown department goes to the column's default item; the unknown account has no default.
    assert summary(report) == (1, 0, 0, 2)
    reasons = skipped(report)
    assert reasons[("MissingModalityUseDefaultOrNullModality", "Department")]["samples"] == ["Legal"]
    assert reasons[("MissingModalityUseDefaultOrNullModality", "Account")]["samples"] == ["9999"]
    assert pigment.cells("Actuals") == {("Jan 26", "Revenue", "Unassigned"): "7"}


def test_auto_create_policy_creates_items_and_reports_them(pigment: Pigment) -> None:
    report = pigment.load("Actuals · auto-create", HEADER + "Jan 26;7000;Legal;7\nJan 26;7000;Legal;8\n")

    assert summary(report) == (1, 0, 0, 0)
    created = {
        entry["blockId"]: entry["count"]
        for entry in report["detailedReport"]["autoCreatedDimensionModalities"]
    }
    assert created == {pigment.block_id("Account"): 1, pigment.block_id("Department"): 1}
    accounts = pigment.control.get("/pigment/lists/Account/items").json()["items"]
    assert {"name": "7000", "code": "7000"} in [
        {"name": item["name"], "code": item["properties"]["Code"]} for item in accounts
    ]
    assert pigment.cells("Actuals") == {("Jan 26", "7000", "Legal"): "8"}  # the later row wins


def test_comma_delimited_file_with_decimal_commas_sums_duplicates(pigment: Pigment) -> None:
    body = 'Month,Account,Department,Amount\nJan 26,4000,Sales,"10,25"\nJan 26,4000,Sales,"0,75"\n'
    report = pigment.load("Actuals · comma sum", body)

    assert summary(report) == (1, 0, 0, 0)
    assert pigment.cells("Actuals") == {("Jan 26", "Revenue", "Sales"): "11.00"}


def test_pivoted_import_reads_one_value_per_month_column(pigment: Pigment) -> None:
    body = (
        "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\n"
        "Budget A,4000,Sales,100.00,110.00,,120.50,999\n"
        "Budget A,6000,R&D,40,40,40,40,\n"
    )
    report = pigment.load("Budget · pivoted", body)

    assert report["importStatus"] == "Completed"
    # "May 26" is not a Month item: every value under it is skipped, named by its column.
    assert skipped(report)[("MissingModalitySkippedDataRow", "May 26")] == {
        "count": 1,
        "reason": "MissingModalitySkippedDataRow",
        "sourceColumnName": "May 26",
        "samples": ["999"],
    }
    assert summary(report)[0] == 7
    cells = pigment.cells("Budget", Version="Budget A")
    assert cells[("Budget A", "Jan 26", "Revenue", "Sales")] == "100.00"
    assert cells[("Budget A", "Apr 26", "Revenue", "Sales")] == "120.50"
    assert ("Budget A", "Mar 26", "Revenue", "Sales") not in cells
    assert len(cells) == 7

    # The scope is the version: reloading Budget A replaces it, Budget B would be untouched.
    again = pigment.load(
        "Budget · pivoted",
        "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\nBudget A,4000,Sales,1,1,1,1,\n",
    )
    assert summary(again) == (1, 3, 4, 0)  # Mar is new; Jan, Feb, Apr change; the R&D row is gone
    assert len(pigment.cells("Budget", Version="Budget A")) == 4


def test_header_mismatch_fails_the_import_and_loads_nothing(pigment: Pigment) -> None:
    report = pigment.load("Actuals · skip", "Month;Account;Dept;Amount;Extra\nJan 26;4000;Sales;1;x\n")

    assert report["importStatus"] == "Failed"
    assert report["detailedReport"] is None
    [error] = report["errorsDetails"]
    assert error["name"] == "HeaderMismatch"
    assert "missing columns: Department" in error["description"]
    assert "unexpected columns: Dept, Extra" in error["description"]
    assert pigment.cells("Actuals") == {}


def test_a_file_with_the_wrong_delimiter_fails_with_a_hint(pigment: Pigment) -> None:
    report = pigment.load("Actuals · skip", "Month,Account,Department,Amount\nJan 26,4000,Sales,1\n")

    assert report["importStatus"] == "Failed"
    assert "separated by comma (,)" in report["errorsDetails"][0]["description"]


def test_a_file_that_is_not_utf8_fails(pigment: Pigment) -> None:
    import_id = pigment.push(
        "Actuals · skip", HEADER.encode() + "Jan 26;4000;Sales;1\xe9\n".encode("latin-1")
    )
    report = pigment.wait(import_id)

    assert report["importStatus"] == "Failed"
    assert report["errorsDetails"][0]["name"] == "InvalidEncoding"


def test_variance_is_recalculated_after_each_import(pigment: Pigment) -> None:
    pigment.load(
        "Budget · pivoted",
        "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\n"
        "Budget A,4000,Sales,100.00,100.00,,,\nBudget B,4000,Sales,90.00,,,,\n",
    )
    assert pigment.cells("Variance") == {
        ("Budget A", "Jan 26", "Revenue", "Sales"): "-100.00",
        ("Budget A", "Feb 26", "Revenue", "Sales"): "-100.00",
        ("Budget B", "Jan 26", "Revenue", "Sales"): "-90.00",
    }

    pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;100.10\n")
    variance = pigment.cells("Variance")
    # Actuals have no Version: they are compared with every budget version that has data.
    assert variance[("Budget A", "Jan 26", "Revenue", "Sales")] == "0.10"
    assert variance[("Budget B", "Jan 26", "Revenue", "Sales")] == "10.10"
    assert variance[("Budget A", "Feb 26", "Revenue", "Sales")] == "-100.00"

    pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;80\n")
    assert pigment.cells("Variance")[("Budget A", "Jan 26", "Revenue", "Sales")] == "-20.00"


def test_derived_arr_follows_mrr(pigment: Pigment) -> None:
    pigment.load("MRR", "Month;MRR\nJan 26;1000.50\nFeb 26;1100\n")

    assert pigment.cells("ARR") == {("Jan 26",): "12006.00", ("Feb 26",): "13200"}


def test_incremental_recalculation_matches_a_full_one(pigment: Pigment) -> None:
    pivot = "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\n"
    pigment.load("Budget · pivoted", pivot + "Budget A,4000,Sales,10,20,30,40,\nBudget A,6000,R&D,1,2,3,4,\n")
    pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;11\nJan 26;6300;Sales;5\nFeb 26;6000;R&D;2\n")
    pigment.load("Actuals · skip", HEADER + "Jan 26;4000;Sales;12\n")  # Jan restated: 6300 disappears
    # A blank value, and an unknown department going to the default item:
    pigment.load("Actuals · default", HEADER + "Mar 26;4000;Sales;\nApr 26;6300;Legal;9\n")
    pigment.load("Budget · pivoted", pivot + "Budget B,4000,Sales,1,,,,\n")  # a new version: spans change
    pigment.load("Actuals · skip", HEADER + "Feb 26;4000;Sales;21\n")
    incremental = pigment.cells("Variance")

    # Setting no cell still recalculates every derived metric from scratch.
    assert pigment.control.put("/pigment/metrics/Actuals/cells", json={"cells": []}).status_code == 200
    assert pigment.cells("Variance") == incremental
    assert incremental[("Budget B", "Feb 26", "Revenue", "Sales")] == "21"
    assert ("Budget A", "Jan 26", "Travel", "Sales") not in incremental
