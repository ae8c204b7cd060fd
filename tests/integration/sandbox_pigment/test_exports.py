"""CSV exports over HTTP: lists, metrics, tables and views with every request option and filter."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest

from .support import Pigment

ACTUALS = (
    "Month;Account;Department;Amount\n"
    "Jan 26;4000;Sales;1234.56\nJan 26;6000;R&D;0.10\nFeb 26;4000;Sales;1000\n"
)
BUDGET = (
    "Version,Account,Department,Jan 26,Feb 26,Mar 26,Apr 26,May 26\n"
    "Budget A,4000,Sales,1200.00,900.00,,,\n"
    "Budget B,4000,Sales,1100.00,,,,\n"
)
ORDERS = "Order ID;Region;Amount;Ordered On\nA1;EMEA;100.5;2026-01-05\nB1;AMER;7;2026-02-10\n"


@pytest.fixture
def seed() -> str:
    return "test"


@pytest.fixture
def loaded(pigment: Pigment) -> Pigment:
    pigment.load("Actuals · skip", ACTUALS)
    pigment.load("Budget · pivoted", BUDGET)
    pigment.load("Orders · append", ORDERS)
    return pigment


def _rows(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def _post(pigment: Pigment, path: str, body: Any = None, **kwargs: Any) -> Any:
    return pigment.exports.post(path, json=body, **kwargs)


# --- lists ----------------------------------------------------------------------------------------------


def test_list_export_defaults_technical_headers_sorted_properties_and_a_bom(loaded: Pigment) -> None:
    text = loaded.export("list", "Account")
    model = {block["name"]: block for block in loaded.model()["applications"][0]["blocks"]}
    account = model["Account"]
    technical = {prop["name"]: prop["technicalName"] for prop in account["properties"]}

    assert text.startswith("\ufeff")
    rows = _rows(text)
    assert rows[0] == [account["technicalName"], *sorted(technical.values())]
    assert [row[0] for row in rows[1:]] == ["Revenue", "Salaries", "Travel"]


def test_list_export_picks_orders_and_filters(loaded: Pigment) -> None:
    regions = loaded.item_ids("Region")
    model = {block["name"]: block for block in loaded.model()["applications"][0]["blocks"]}
    props = {prop["name"]: prop["technicalName"] for prop in model["Orders"]["properties"]}
    body = {
        "propertyTechnicalNames": [props["Amount"], props["Order ID"], props["Region"]],
        "propertyFilters": [{"propertyTechnicalName": props["Region"], "modalityIds": [regions["EMEA"]]}],
        "friendlyHeaders": True,
        "encoding": "Utf8WithoutBom",
    }
    text = loaded.export("list", "Orders", body)

    assert not text.startswith("\ufeff")
    assert _rows(text)[0] == ["Orders", "Amount", "Order ID", "Region"]
    [row] = _rows(text)[1:]
    assert row[1:] == ["100.5", "A1", "EMEA"]
    uuid.UUID(row[0])  # a transaction row is named by its id

    accounts = loaded.item_ids("Account")
    filtered = loaded.export_rows("list", "Account", {"listFilter": [accounts["Travel"]]})
    assert [row["Account"] for row in filtered] == ["Travel"]


def test_list_export_date_formats(loaded: Pigment) -> None:
    def dates(body: dict[str, Any], *, v1: bool) -> list[str]:
        text = loaded.export("list", "Orders", {"friendlyHeaders": True, **body}, v1=v1)
        return [
            row["Ordered On"]
            for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
        ]

    assert dates({}, v1=True) == ["2026-01-05", "2026-02-10"]
    assert dates({}, v1=False) == ["01/05/2026", "02/10/2026"]
    assert dates({"dateFormat": "Iso8601"}, v1=False) == ["2026-01-05", "2026-02-10"]


def test_list_export_errors(loaded: Pigment) -> None:
    orders = loaded.block_id("Orders")
    assert (
        _post(loaded, f"/api/v1/export/list/{orders}", {"propertyTechnicalNames": ["nope"]}).status_code
        == 400
    )
    assert _post(loaded, f"/api/v1/export/list/{orders}", {"unknownField": 1}).status_code == 400
    assert _post(loaded, f"/api/v1/export/list/{orders}", {"fieldDelimiter": "Tab"}).status_code == 400
    bad_json = loaded.exports.post(
        f"/api/v1/export/list/{orders}", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert _post(loaded, f"/api/v1/export/list/{uuid.uuid4()}").status_code == 404
    assert _post(loaded, f"/api/v1/export/list/{loaded.block_id('Actuals')}").status_code == 404  # not a list
    assert _post(loaded, "/api/v1/export/list/not-a-uuid").status_code == 400


# --- metrics --------------------------------------------------------------------------------------------


def test_metric_export_is_exact_and_ordered_by_list_order(loaded: Pigment) -> None:
    rows = loaded.export_rows("metric", "Actuals")

    assert rows == [
        {"Month": "Jan 26", "Account": "Revenue", "Department": "Sales", "Actuals": "1234.56"},
        {"Month": "Jan 26", "Account": "Salaries", "Department": "R&D", "Actuals": "0.10"},
        {"Month": "Feb 26", "Account": "Revenue", "Department": "Sales", "Actuals": "1000"},
    ]
    for body in (None, {}):
        header = _rows(loaded.export("metric", "Actuals", body))[0]
        assert header[-1].startswith("actuals_")  # technical names unless friendlyHeaders


def test_metric_export_filters(loaded: Pigment) -> None:
    months = loaded.item_ids("Month")
    month = loaded.block_id("Month")
    actuals = loaded.block_id("Actuals")
    jan = {"dimensionId": month, "modalityIds": [months["Jan 26"]]}

    by_filters = loaded.export_rows("metric", "Actuals", {"filters": [jan]})
    assert [row["Actuals"] for row in by_filters] == ["1234.56", "0.10"]

    over_100 = {
        "type": "Value",
        "value": {"metricId": actuals, "condition": {"type": "GreaterThan", "value": 100}},
    }
    combined = {"filters": [jan], "exportFilter": over_100}  # ANDed
    assert [row["Actuals"] for row in loaded.export_rows("metric", "Actuals", combined)] == ["1234.56"]

    either = {
        "type": "Or",
        "or": [
            {
                "type": "Value",
                "value": {"metricId": actuals, "condition": {"type": "LessThan", "value": "1"}},
            },
            {"type": "Dimension", "dimension": {"dimensionId": month, "modalityIds": [months["Feb 26"]]}},
        ],
    }
    assert [row["Actuals"] for row in loaded.export_rows("metric", "Actuals", {"exportFilter": either})] == [
        "0.10",
        "1000",
    ]

    nested = {
        "type": "And",
        "and": [
            either,
            {"type": "Value", "value": {"metricId": actuals, "condition": {"type": "IsNotBlank"}}},
        ],
    }
    assert len(loaded.export_rows("metric", "Actuals", {"exportFilter": nested})) == 2

    # A filter on a dimension the metric does not have filters nothing.
    versions = loaded.item_ids("Version")
    other = {"filters": [{"dimensionId": loaded.block_id("Version"), "modalityIds": [versions["Budget A"]]}]}
    assert len(loaded.export_rows("metric", "Actuals", other)) == 3


@pytest.mark.parametrize(
    "export_filter",
    [
        {"type": "And"},
        {"type": "Dimension"},
        {"type": "Value", "value": {"metricId": str(uuid.uuid4()), "condition": {"type": "IsNotBlank"}}},
        {"type": "Value", "value": {"metricId": "ACTUALS", "condition": {"type": "Equal"}}},
        {"type": "Value", "value": {"metricId": "ACTUALS", "condition": {"type": "Equal", "value": True}}},
        {"type": "Value", "value": {"metricId": "ACTUALS", "condition": {"type": "Equal", "value": "ten"}}},
    ],
)
def test_bad_export_filters_are_400(loaded: Pigment, export_filter: dict[str, Any]) -> None:
    text = (
        str(export_filter)
        .replace("'", '"')
        .replace("True", "true")
        .replace("ACTUALS", loaded.block_id("Actuals"))
    )
    response = loaded.exports.post(
        f"/api/v1/export/metric/{loaded.block_id('Actuals')}",
        content=f'{{"exportFilter": {text}}}'.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text


def test_scenarios_add_a_scenario_column(loaded: Pigment) -> None:
    scenarios = {s["name"]: s["id"] for s in loaded.model()["applications"][0]["scenarios"]}
    rows = loaded.export_rows(
        "metric", "Actuals", {"scenarios": [scenarios["Default Scenario"], scenarios["Downside"]]}
    )

    assert list(rows[0]) == ["Month", "Account", "Department", "Scenario", "Actuals"]
    assert [(row["Scenario"], row["Actuals"]) for row in rows[:2]] == [
        ("Default Scenario", "1234.56"),
        ("Downside", "1234.56"),
    ]
    unknown = _post(
        loaded, f"/api/v1/export/metric/{loaded.block_id('Actuals')}", {"scenarios": [str(uuid.uuid4())]}
    )
    assert unknown.status_code == 400


def test_comma_delimiter_and_decimal_comma_are_quoted(loaded: Pigment) -> None:
    text = loaded.export("metric", "Actuals", {"fieldDelimiter": "Comma", "decimalSeparator": "Comma"})

    assert 'Jan 26,Revenue,Sales,"1234,56"' in text.splitlines()


def test_derived_metric_export(loaded: Pigment) -> None:
    rows = loaded.export_rows("metric", "Variance")

    assert {
        (row["Version"], row["Month"], row["Variance"]) for row in rows if row["Account"] == "Revenue"
    } == {
        ("Budget A", "Jan 26", "34.56"),
        ("Budget A", "Feb 26", "100.00"),
        ("Budget B", "Jan 26", "134.56"),
        ("Budget B", "Feb 26", "1000"),  # actuals against a version with no February budget
    }


# --- tables ---------------------------------------------------------------------------------------------


def test_table_export_aligns_metrics_on_their_dimensions(loaded: Pigment) -> None:
    rows = loaded.export_rows("table", "BvA")

    assert list(rows[0]) == ["Month", "Account", "Department", "Version", "Actuals", "Budget", "Variance"]
    jan_a = next(
        r for r in rows if (r["Month"], r["Version"], r["Account"]) == ("Jan 26", "Budget A", "Revenue")
    )
    assert (jan_a["Actuals"], jan_a["Budget"], jan_a["Variance"]) == ("1234.56", "1200.00", "34.56")
    # Actuals with no budget still show against the versions that have data.
    rnd = [r for r in rows if r["Department"] == "R&D"]
    assert {(r["Version"], r["Actuals"], r["Budget"], r["Variance"]) for r in rnd} == {
        ("Budget A", "0.10", "", "0.10"),
        ("Budget B", "0.10", "", "0.10"),
    }


def test_table_export_fields_pick_columns_and_sum_over_the_rest(loaded: Pigment) -> None:
    blocks = loaded.blocks()
    versions = loaded.item_ids("Version")
    body = {
        "fields": [
            {"type": "DimensionField", "sourceId": blocks["Version"], "displayName": "Plan"},
            {"type": "ScenarioField"},
            {"type": "ValueField", "sourceId": blocks["Budget"]},
            {"type": "ValueField", "sourceId": blocks["Variance"], "displayName": "Var"},
        ],
        "metrics": [blocks["Budget"], blocks["Variance"]],
        "filters": [{"dimensionId": blocks["Version"], "modalityIds": [versions["Budget A"]]}],
    }
    rows = loaded.export_rows("table", "BvA", body)

    assert rows == [
        {"Plan": "Budget A", "Scenario": "Default Scenario", "Budget": "2100.00", "Var": "134.66"}
    ]


def test_table_export_errors(loaded: Pigment) -> None:
    blocks = loaded.blocks()
    path = f"/api/v1/export/table/{blocks['BvA']}"
    assert _post(loaded, path, {"metrics": [blocks["MRR"]]}).status_code == 400
    assert (
        _post(loaded, path, {"fields": [{"type": "ValueField", "sourceId": blocks["MRR"]}]}).status_code
        == 400
    )
    assert _post(loaded, path, {"fields": [{"type": "DimensionField"}]}).status_code == 400
    assert _post(loaded, f"/api/export/table/{blocks['Actuals']}").status_code == 404


# --- views ----------------------------------------------------------------------------------------------


def test_view_export_uses_the_views_filters_and_friendly_headers(loaded: Pigment) -> None:
    view = loaded.view_id("BvA · Budget A")
    response = loaded.exports.get(f"/api/v1/export/view/{view}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff")), delimiter=";"))

    assert {row["Version"] for row in rows} == {"Budget A"}
    assert list(rows[0])[-3:] == ["Actuals", "Budget", "Variance"]

    comma = loaded.exports.get(f"/api/v1/export/view/{view}", params={"fieldDelimiter": "Comma"})
    assert comma.text.removeprefix("\ufeff").startswith("Month,Account,Department,Version")


def test_view_export_date_format_on_legacy_and_v1(loaded: Pigment) -> None:
    view = loaded.view_id("Orders view")
    legacy = loaded.exports.get(f"/api/export/view/{view}")
    iso = loaded.exports.get(f"/api/export/view/{view}", params={"dateFormat": "Iso8601"})
    v1 = loaded.exports.get(f"/api/v1/export/view/{view}")

    assert "01/05/2026" in legacy.text
    assert "2026-01-05" in iso.text and "2026-01-05" in v1.text
    assert loaded.exports.get(f"/api/export/view/{view}", params={"dateFormat": "Julian"}).status_code == 400


def test_view_export_errors(loaded: Pigment) -> None:
    assert loaded.exports.get(f"/api/v1/export/view/{uuid.uuid4()}").status_code == 404
    blockless = loaded.exports.get(f"/api/v1/export/view/{loaded.view_id('A board widget')}")
    assert blockless.status_code == 422
    assert blockless.text == "The view underlying type is not list, metric or table"


@pytest.mark.parametrize("settings_overrides", [{"view_export_max_cells": 10}])
def test_a_view_too_big_is_413(loaded: Pigment) -> None:
    response = loaded.exports.get(f"/api/v1/export/view/{loaded.view_id('BvA · Budget A')}")

    assert response.status_code == 413
    assert response.text == "View is too big to be exported. Use block export API instead."
    # The block export has no such limit: the advice in the message works.
    assert len(loaded.export_rows("table", "BvA")) > 2
