"""The Pigment connector against the emulator over real HTTP (uvicorn on loopback)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from ledgerbridge.connectors.pigment import (
    ColumnMismatchError,
    DimensionFilter,
    ExportFilter,
    ImportFailedError,
    ImportLayout,
    MetricExport,
    PigmentClient,
    SkippedRowsError,
    decode_decimals,
)
from ledgerbridge.errors import Fatal, Retriable

from .conftest import World

ACTUALS = "gl-actuals-to-planning · Actuals"
BUDGET_UPLOAD = "Budget upload (pivoted by month)"


def actual_rows(amount: Decimal, month: str = "Mar 26") -> list[dict[str, object]]:
    return [
        {
            "Month": month,
            "Entity Code": "US01",
            "Account Code": "4000",
            "Department Code": "100",
            "Amount": amount,
        },
        {
            "Month": month,
            "Entity Code": "UK01",
            "Account Code": "6100",
            "Department Code": "200",
            "Amount": Decimal("-12.30"),
        },
    ]


def cells(world: World, metric: str, **dims: str) -> list[dict[str, object]]:
    response = httpx.get(f"{world.url}/_sandbox/pigment/metrics/{metric}/cells", params=dims)
    response.raise_for_status()
    body = response.json()
    return list(body["cells"] if isinstance(body, dict) else body)


async def test_discovery_finds_the_demo_configurations_with_their_layouts(pigment: World) -> None:
    async with PigmentClient(pigment.settings()) as client:
        apps = await client.list_applications()
        assert [app.name for app in apps] == ["FP&A"]
        configs = {c.name: c for c in await client.discover_import_configurations()}
        views = await client.list_views(apps[0].id)
        blocks = await client.list_blocks(apps[0].id)
        counts = client.requests_sent.as_dict()
    assert configs[ACTUALS].id == pigment.config_id(ACTUALS)
    assert configs[ACTUALS].columns == ("Month", "Entity Code", "Account Code", "Department Code", "Amount")
    assert configs[ACTUALS].delimiter == ";"
    assert configs[BUDGET_UPLOAD].delimiter == ","
    assert configs[ACTUALS].block_id == pigment.blocks["Actuals"]["id"]
    assert "Budget vs Actual · API export" in {v.name for v in views}
    assert {"Metric", "Table", "DimensionList"} <= {b.type for b in blocks}
    assert counts["metadata"] == counts["total"] > 0
    assert counts["import"] == counts["export"] == 0


async def test_push_round_trips_into_the_metric_and_repush_is_idempotent(pigment: World) -> None:
    config_id = pigment.config_id(ACTUALS)
    async with PigmentClient(pigment.settings()) as client:
        first = await client.wait_for_import(
            await client.push_csv(config_id, actual_rows(Decimal("1234.56")))
        )
        second = await client.wait_for_import(
            await client.push_csv(config_id, actual_rows(Decimal("1234.56")))
        )
        metric = pigment.blocks["Actuals"]["id"]
        march = pigment.item_id("Month", "Mar 26")
        options = MetricExport(
            filters=(DimensionFilter(dimension_id=pigment.blocks["Month"]["id"], modality_ids=(march,)),)
        )
        async with client.export_metric(metric, options) as rows:
            exported = [decode_decimals(row, [rows.header[-1]]) for row in await rows.all()]
            header = rows.header
        counts = client.requests_sent.as_dict()
    assert (first.inserted, first.skipped) == (2, 0)
    assert (second.inserted, second.updated, second.deleted, second.skipped) == (0, 0, 0, 0)
    values = sorted(row[header[-1]] for row in exported)  # type: ignore[type-var]
    assert values == [Decimal("-12.30"), Decimal("1234.56")]
    assert counts["import"] == 2 and counts["poll"] >= 2 and counts["export"] == 1


async def test_a_header_mismatch_is_refused_before_sending(pigment: World) -> None:
    rows = [
        {"Month": "Mar 26", "Entity": "US01", "Account Code": "4000", "Department Code": "100", "Amount": 1}
    ]
    async with PigmentClient(pigment.settings()) as client:
        with pytest.raises(ColumnMismatchError) as caught:
            await client.push_csv(pigment.config_id(ACTUALS), rows)
        assert client.requests_sent["import"] == 0
    assert caught.value.missing == ("Entity Code",)
    assert caught.value.extra == ("Entity",)


async def test_a_wrong_declared_layout_surfaces_as_the_failed_import(pigment: World) -> None:
    wrong = ImportLayout(
        columns=("Month", "Entity Code", "Account Code", "Department Code", "Amount"), delimiter=","
    )
    async with PigmentClient(pigment.settings()) as client:
        import_id = await client.push_csv(pigment.config_id(ACTUALS), actual_rows(Decimal(5)), layout=wrong)
        with pytest.raises(ImportFailedError) as caught:
            await client.wait_for_import(import_id)
    assert caught.value.vendor_code == "HeaderMismatch"


async def test_skipped_rows_raise_with_reasons_unless_allowed(pigment: World) -> None:
    rows = actual_rows(Decimal("10.00"))
    rows[1]["Account Code"] = "9999"
    config_id = pigment.config_id(ACTUALS)
    async with PigmentClient(pigment.settings()) as client:
        with pytest.raises(SkippedRowsError) as caught:
            await client.wait_for_import(await client.push_csv(config_id, rows))
        allowed = await client.wait_for_import(await client.push_csv(config_id, rows), allow_skipped=True)
    reasons = caught.value.reasons
    assert [(r.reason, r.source_column) for r in reasons] == [
        ("MissingModalitySkippedDataRow", "Account Code")
    ]
    assert "9999" in caught.value.samples
    assert allowed.skipped == 1


async def test_a_pivoted_configuration_loads_its_month_columns(pigment: World) -> None:
    config = pigment.configs[BUDGET_UPLOAD]
    months = config["header"][4:]
    row: dict[str, object] = {
        "Version": "Budget FY27",
        "Entity Code": "US01",
        "Account Code": "4000",
        "Department Code": "100",
    }
    row.update({month: Decimal(index) * Decimal("100.25") for index, month in enumerate(months, start=1)})
    async with PigmentClient(pigment.settings()) as client:
        report = await client.wait_for_import(await client.push_csv(config["id"], [row]))
    assert report.inserted == 12 and report.skipped == 0
    loaded = cells(pigment, "Budget", Version="Budget FY27")
    assert sorted(Decimal(str(c["value"])) for c in loaded) == [
        Decimal(i) * Decimal("100.25") for i in range(1, 13)
    ]


async def test_a_filtered_table_export_streams_and_parses(pigment: World) -> None:
    version = pigment.item_id("Version", "Budget FY26")
    flt = ExportFilter(
        type="Dimension",
        dimension=DimensionFilter(dimension_id=pigment.blocks["Version"]["id"], modality_ids=(version,)),
    )
    async with PigmentClient(pigment.settings()) as client:
        async with client.export_metric(
            pigment.blocks["Budget"]["id"], MetricExport(export_filter=flt, friendly_headers=True)
        ) as rows:
            seen = 0
            async for row in rows:
                seen += 1
                assert row["Version"] == "Budget FY26"
            assert "Version" in rows.header
    assert seen > 100


async def test_the_push_limit_429_maps_to_retriable_with_retry_after(pigment: World) -> None:
    # the emulator allows 3 pushes per configuration here; our gate allows more, so the server's 429 shows
    config_id = pigment.config_id(ACTUALS)
    async with PigmentClient(pigment.settings(pushes_per_configuration=10)) as client:
        for _ in range(3):
            await client.push_csv(config_id, actual_rows(Decimal(1)))
        with pytest.raises(Retriable) as caught:
            await client.push_csv(config_id, actual_rows(Decimal(1)))
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 3600


async def test_a_missing_or_wrong_key_is_fatal_and_names_the_key_type(pigment: World) -> None:
    export_key = pigment.emulator.key_of_type("Export").secret
    async with PigmentClient(pigment.settings(metadata_key=export_key)) as client:
        with pytest.raises(Fatal) as caught:
            await client.list_applications()
    assert "ModelingMetadata" in str(caught.value)
    assert export_key.get_secret_value() not in str(caught.value)
    async with PigmentClient(pigment.settings(import_key=None)) as client:
        with pytest.raises(Fatal, match="Import API key"):
            await client.push_csv(pigment.config_id(ACTUALS), actual_rows(Decimal(1)))
