"""List imports over HTTP: dimension-list upserts by a unique key (renames, parents later in the file),
transaction lists appending or upserting, clear-before-import (all and by scope), auto-created items."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from .support import Pigment, skipped, summary

ACCOUNTS = "Code;Name;Parent Code;Active\n"
ORDERS = "Order ID;Region;Amount;Ordered On\n"


@pytest.fixture
def seed() -> str:
    return "test"


def _items(pigment: Pigment, list_name: str) -> list[dict[str, Any]]:
    response = pigment.control.get(f"/pigment/lists/{list_name}/items")
    response.raise_for_status()
    items: list[dict[str, Any]] = json.loads(response.text, parse_float=Decimal)["items"]
    return items


def _accounts(pigment: Pigment) -> dict[str, dict[str, Any]]:
    return {
        item["properties"]["Code"]: {"name": item["name"], **item["properties"]}
        for item in _items(pigment, "Account")
    }


def test_dimension_list_upsert_by_code_renames_and_resolves_parents_later_in_the_file(
    pigment: Pigment,
) -> None:
    ids_before = pigment.item_ids("Account")
    body = ACCOUNTS + (
        "6310;Airfare;6300;true\n"  # the parent exists already
        "4000;Subscription Revenue;REV;true\n"  # a rename (same code), parent defined two lines below
        "6000;Salaries;OPEX;false\n"  # flagged inactive
        "REV;Total Revenue;;true\n"
        "OPEX;Total Operating Expenses;;true\n"
    )
    report = pigment.load("Accounts", body)

    assert report["detailedReport"]["blockType"] == "List"
    assert summary(report) == (3, 2, 0, 0)
    accounts = _accounts(pigment)
    assert accounts["4000"]["name"] == "Subscription Revenue"
    assert accounts["4000"]["Parent"] == "Total Revenue"
    assert accounts["6310"]["Parent"] == "Travel"
    assert accounts["6000"]["Active"] is False and accounts["6000"]["Parent"] == "Total Operating Expenses"
    # A rename keeps the item (and so every metric cell on it): the id is unchanged.
    assert pigment.item_ids("Account")["Subscription Revenue"] == ids_before["Revenue"]

    assert summary(pigment.load("Accounts", body)) == (0, 0, 0, 0)


def test_unknown_parent_goes_blank_under_the_default_policy_and_skips_under_skip(pigment: Pigment) -> None:
    report = pigment.load("Accounts", ACCOUNTS + "7000;Legal;NOPE;true\n")
    assert summary(report) == (1, 0, 0, 1)
    assert skipped(report)[("MissingModalityUseDefaultOrNullModality", "Parent Code")]["samples"] == ["NOPE"]
    assert _accounts(pigment)["7000"]["Parent"] is None

    strict = pigment.load("Accounts · strict", "Code;Name;Parent Code\n7100;Audit;NOPE\n7200;Tax;7000\n")
    assert summary(strict) == (1, 0, 0, 1)
    assert skipped(strict)[("MissingModalitySkippedDataRow", "Parent Code")]["samples"] == ["NOPE"]
    assert "7100" not in _accounts(pigment)


def test_a_rename_onto_another_items_name_is_refused(pigment: Pigment) -> None:
    report = pigment.load("Accounts", ACCOUNTS + "6300;Salaries;;true\n")

    assert skipped(report)[("ParsingError", "Name")]["samples"] == ["Salaries"]
    assert _accounts(pigment)["6300"]["name"] == "Travel"


def test_bad_values_are_parsing_errors(pigment: Pigment) -> None:
    report = pigment.load(
        "Orders · append", ORDERS + "A1;EMEA;12x;2026-01-05\nA2;EMEA;5;31/31/2026\nA3;AMER;7.5;2026-02-01\n"
    )

    reasons = skipped(report)
    assert reasons[("ParsingError", "Amount")]["samples"] == ["12x"]
    assert reasons[("ParsingError", "Ordered On")]["samples"] == ["31/31/2026"]
    assert summary(report) == (1, 0, 0, 2)


def test_transaction_list_without_unique_key_appends_every_load(pigment: Pigment) -> None:
    body = ORDERS + "A1;EMEA;100.00;2026-01-05\nA2;AMER;50.50;01/06/2026\n"
    assert summary(pigment.load("Orders · append", body)) == (2, 0, 0, 0)
    assert summary(pigment.load("Orders · append", body)) == (2, 0, 0, 0)

    orders = _items(pigment, "Orders")
    assert len(orders) == 4  # Pigment's documented duplicate trap: appending twice doubles the rows
    assert orders[1]["properties"] == {
        "Order ID": "A2",
        "Region": "AMER",
        "Amount": Decimal("50.50"),
        "Ordered On": "2026-01-06",
    }


def test_transaction_list_with_unique_key_and_clear_all_mirrors_the_file(pigment: Pigment) -> None:
    first = pigment.load(
        "Orders · upsert", ORDERS + "A1;EMEA;100;2026-01-05\nA2;AMER;50;2026-01-06\nA3;AMER;1;2026-01-07\n"
    )
    assert summary(first) == (3, 0, 0, 0)

    # The next snapshot: A1 unchanged, A2 amended, A3 gone (paid), A4 new.
    second = pigment.load(
        "Orders · upsert", ORDERS + "A1;EMEA;100;2026-01-05\nA2;AMER;55;2026-01-06\nA4;EMEA;9;2026-02-01\n"
    )
    assert summary(second) == (1, 1, 1, 0)
    assert sorted(item["properties"]["Order ID"] for item in _items(pigment, "Orders")) == ["A1", "A2", "A4"]

    assert summary(
        pigment.load(
            "Orders · upsert",
            ORDERS + "A1;EMEA;100;2026-01-05\nA2;AMER;55;2026-01-06\nA4;EMEA;9;2026-02-01\n",
        )
    ) == (0, 0, 0, 0)


def test_transaction_list_clear_by_scope_replaces_only_the_regions_in_the_file(pigment: Pigment) -> None:
    pigment.load(
        "Orders · append", ORDERS + "A1;EMEA;1;2026-01-01\nA2;EMEA;2;2026-01-01\nB1;AMER;3;2026-01-01\n"
    )

    report = pigment.load("Orders · by region", ORDERS + "A9;EMEA;9;2026-01-02\n")

    assert summary(report) == (1, 0, 2, 0)
    remaining = sorted(
        (i["properties"]["Order ID"], i["properties"]["Region"]) for i in _items(pigment, "Orders")
    )
    assert remaining == [("A9", "EMEA"), ("B1", "AMER")]


def test_auto_create_adds_referenced_items(pigment: Pigment) -> None:
    report = pigment.load("Orders · auto-create", ORDERS + "C1;APAC;5;2026-03-01\nC2;APAC;6;2026-03-02\n")

    assert summary(report) == (2, 0, 0, 0)
    assert report["detailedReport"]["autoCreatedDimensionModalities"] == [
        {"blockId": pigment.block_id("Region"), "count": 1}
    ]
    assert "APAC" in pigment.item_ids("Region")


def test_clearing_a_dimension_list_removes_the_items_cells_everywhere(pigment: Pigment) -> None:
    pigment.load(
        "Actuals · default", "Month;Account;Department;Amount\nJan 26;4000;R&D;5\nJan 26;4000;Sales;6\n"
    )
    pigment.load(
        "Budget · pivoted",
        "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\nBudget A,4000,R&D,4,,,,\n",
    )
    assert ("Budget A", "Jan 26", "Revenue", "R&D") in pigment.cells("Variance")

    report = pigment.load("Departments · replace", "Department\nUnassigned\nSales\n")

    assert summary(report) == (0, 0, 1, 0)
    assert "R&D" not in pigment.item_ids("Department")
    assert pigment.cells("Actuals") == {("Jan 26", "Revenue", "Sales"): "6"}
    assert pigment.cells("Budget") == {}
    # With no budget version holding data, Actuals have no version to be compared with.
    assert pigment.cells("Variance") == {}
