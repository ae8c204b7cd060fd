"""Metadata endpoints (bare arrays), the ``/_sandbox`` control surface, and the ``sandbox up`` factory."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import httpx
import pytest

from ledgerbridge.sandbox._kit.emulator import EmulatorContext
from ledgerbridge.sandbox.pigment.app import sandbox_emulator
from ledgerbridge.sandbox.pigment.routes_control import openapi_document
from tests.support.servers import serve

from .support import Pigment, bearer
from .workspace import policy_workspace


def test_applications_blocks_views_and_configurations_are_bare_arrays(pigment: Pigment) -> None:
    apps = pigment.metadata.get("/api/v1/applications").json()
    assert apps == [{"id": apps[0]["id"], "name": "FP&A"}]

    blocks = pigment.metadata.get("/api/v1/blocks", params={"applicationId": apps[0]["id"]}).json()
    types = {block["name"]: block["type"] for block in blocks}
    assert types["Month"] == "DimensionList"
    assert types["AR AP Open Items"] == "TransactionList"
    assert types["Variance"] == "Metric"
    assert types["Budget vs Actual"] == "Table"
    assert all(set(block) == {"id", "name", "type"} for block in blocks)

    ids = {block["name"]: block["id"] for block in blocks}
    views = pigment.metadata.get("/api/v1/views", params={"blockId": ids["Variance"]}).json()
    assert views == [{"id": views[0]["id"], "name": "My variance", "type": "Personal"}]

    configs = pigment.metadata.get("/api/v1/importConfigurations", params={"blockId": ids["Actuals"]}).json()
    assert configs == [{"id": configs[0]["id"], "name": "gl-actuals-to-planning · Actuals"}]
    # Tables take no imports: an empty list, not a 404.
    assert (
        pigment.metadata.get(
            "/api/v1/importConfigurations", params={"blockId": ids["Budget vs Actual"]}
        ).json()
        == []
    )


def test_metadata_filters_that_match_nothing_give_empty_lists(pigment: Pigment) -> None:
    for path in ("/api/v1/blocks", "/api/v1/views", "/api/v1/importConfigurations"):
        assert pigment.metadata.get(path, params={"applicationId": str(uuid.uuid4())}).json() == []
        assert pigment.metadata.get(path, params={"applicationId": "not-a-uuid"}).json() == []
    assert pigment.metadata.get("/api/v1/views", params={"blockId": "not-a-uuid"}).json() == []


def test_openapi_document_is_served_from_the_package(pigment: Pigment) -> None:
    served = pigment.control.get("/openapi.json")

    assert served.status_code == 200
    assert served.json() == openapi_document()
    assert served.json()["info"] == {"title": "Pigment External API", "version": "v1-external"}


def test_approving_a_budget_version(pigment: Pigment) -> None:
    approved = pigment.control.post("/pigment/versions/Budget FY26/approve")
    assert approved.status_code == 200
    assert approved.json()["properties"]["Approved"] is True

    rows = pigment.export_rows("list", "Version")
    assert {row["Version"]: row["Approved"] for row in rows}["Budget FY26"] == "true"

    pigment.control.post("/pigment/versions/Budget FY26/approve", json={"approved": False})
    assert {row["Version"]: row["Approved"] for row in pigment.export_rows("list", "Version")}[
        "Budget FY26"
    ] == "false"
    assert pigment.control.post("/pigment/versions/Nope/approve").status_code == 404
    assert (
        pigment.control.post("/pigment/versions/Budget FY26/approve", json={"approved": "yes"}).status_code
        == 400
    )


def test_setting_input_cells_recalculates_and_reads_back_exactly(pigment: Pigment) -> None:
    cell = {
        "Month": "Mar 26",
        "Account": "Hosting",
        "Entity": "Ledgerbridge Inc.",
        "Department": "Engineering",
    }
    response = pigment.control.put(
        "/pigment/metrics/Actuals/cells", json={"cells": [{"dimensions": cell, "value": "41234.5678"}]}
    )
    assert response.status_code == 200

    variance = pigment.control.get(
        "/pigment/metrics/Variance/cells", params={**cell, "Version": "Budget FY26"}
    )
    [entry] = json.loads(variance.text, parse_float=Decimal)["cells"]
    budget = pigment.cells("Budget", **cell, Version="Budget FY26")
    assert entry["value"] == Decimal("41234.5678") - Decimal(next(iter(budget.values())))

    assert pigment.control.put("/pigment/metrics/Variance/cells", json={"cells": []}).status_code == 400
    assert (
        pigment.control.put(
            "/pigment/metrics/Actuals/cells", json={"cells": [{"dimensions": {}}]}
        ).status_code
        == 400
    )
    assert pigment.control.get("/pigment/metrics/Actuals/cells", params={"Planet": "Mars"}).status_code == 400
    assert pigment.control.get("/pigment/metrics/Nope/cells").status_code == 404


def test_patching_list_items(pigment: Pigment) -> None:
    patched = pigment.control.patch(
        "/pigment/lists/Version/items/Forecast FY26", json={"Switchover Month": "Nov 26", "Locked": True}
    )
    assert patched.status_code == 200
    assert patched.json()["properties"]["Switchover Month"] == "Nov 26"
    assert (
        pigment.control.patch("/pigment/lists/Version/items/Forecast FY26", json={"Colour": 1}).status_code
        == 400
    )


def test_seed_fixture_replaces_the_workspace_and_reset_restores_the_demo(pigment: Pigment) -> None:
    fixture = policy_workspace().model_dump(mode="json")
    loaded = pigment.control.post("/seed", json=fixture)
    assert loaded.status_code == 200
    assert loaded.json()["loaded"]["applications"] == 2
    assert "Orders" in pigment.blocks()

    bad = pigment.control.post(
        "/seed", json={"applications": [{"name": "X", "metrics": [{"name": "M", "dimensions": ["Nope"]}]}]}
    )
    assert bad.status_code == 400
    assert "Nope" in bad.json()["error"]
    assert "Orders" in pigment.blocks()  # a bad fixture leaves the workspace as it was

    assert pigment.control.post("/seed", params={"name": "empty"}).status_code == 200
    assert pigment.blocks() == {}
    assert pigment.control.post("/seed", params={"name": "galaxy"}).status_code == 400

    pigment.control.post("/reset")
    assert "Variance" in pigment.blocks()


def test_sandbox_emulator_factory_reports_its_keys() -> None:
    build = sandbox_emulator(
        EmulatorContext(seed="demo", tls=False, credentials={"import_key": "fixed-import"})
    )

    assert set(build.info) == {"import_key", "export_key", "metadata_key"}
    assert build.info["import_key"] == "fixed-import"
    assert build.vendor_host == "pigment.app"
    with serve(build.app) as url:
        apps = httpx.get(f"{url}/api/v1/applications", headers=bearer(build.info["metadata_key"]), timeout=30)
        assert apps.status_code == 200 and apps.json()[0]["name"] == "FP&A"
        refused = httpx.get(
            f"{url}/api/v1/applications", headers=bearer(build.info["import_key"]), timeout=30
        )
        assert refused.status_code == 401

    assert sandbox_emulator(EmulatorContext(seed="netsuite2-sample", tls=False)).info
    with pytest.raises(ValueError, match="unknown seed"):
        sandbox_emulator(EmulatorContext(seed="moon", tls=False))
    with pytest.raises(ValueError, match="credential"):
        sandbox_emulator(EmulatorContext(seed="demo", tls=False, credentials={"x": "y"}))
