"""A thin Pigment API client for the tests (what a connector does, written out plainly) plus fixtures.

It speaks only HTTP to the emulator served by uvicorn on loopback; direct access to the emulator's state
is limited to loading a test workspace (``load_spec``) — the same thing ``POST /_sandbox/seed`` does.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from ledgerbridge.sandbox.pigment.settings import PigmentSettings


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class Pigment:
    """The emulator's base URL and one client per key type."""

    base_url: str
    settings: PigmentSettings
    imports: httpx.Client
    exports: httpx.Client
    metadata: httpx.Client
    control: httpx.Client

    # --- discovery (through the control surface: it spends none of the API's request budget) ---------

    def blocks(self) -> dict[str, str]:
        """Block name → id (the first application with that name wins)."""
        found: dict[str, str] = {}
        for app in self.model()["applications"]:
            for block in app["blocks"]:
                found.setdefault(block["name"], block["id"])
        return found

    def block_id(self, name: str) -> str:
        return self.blocks()[name]

    def configuration_id(self, name: str) -> str:
        configs = [c for app in self.model()["applications"] for c in app["importConfigurations"]]
        return next(config["id"] for config in configs if config["name"] == name)

    def view_id(self, name: str) -> str:
        views = [view for app in self.model()["applications"] for view in app["views"]]
        return next(view["id"] for view in views if view["name"] == name)

    def model(self) -> dict[str, Any]:
        response = self.control.get("/pigment/model")
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def item_ids(self, list_name: str) -> dict[str, str]:
        """Item name (or id, for transaction rows) → id, in the list of the first application."""
        application = self.model()["applications"][0]["name"]
        response = self.control.get(f"/pigment/lists/{list_name}/items", params={"application": application})
        response.raise_for_status()
        return {item["name"] or item["id"]: item["id"] for item in response.json()["items"]}

    # --- imports ---------------------------------------------------------------------------------

    def push(self, configuration: str, body: str | bytes, *, v1: bool = True) -> str:
        """Push a CSV into a configuration (by name); returns the import id."""
        path = "/api/v1/import/push/csv" if v1 else "/api/import/push/csv"
        response = self.imports.post(
            path,
            params={"configurationId": self.configuration_id(configuration)},
            content=body.encode("utf-8") if isinstance(body, str) else body,
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        import_id: str = response.json()["importId"]
        return import_id

    def status(self, import_id: str, *, detailed: bool = True) -> dict[str, Any]:
        response = self.imports.get(
            f"/api/v1/import/{import_id}/status", params={"includedDetailedReport": str(detailed).lower()}
        )
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document

    def wait(self, import_id: str, *, timeout: float = 10.0) -> dict[str, Any]:
        """Poll until the import leaves InProgress; returns the detailed report."""
        deadline = time.monotonic() + timeout
        while True:
            report = self.status(import_id)
            if report["importStatus"] != "InProgress":
                return report
            if time.monotonic() > deadline:
                raise AssertionError(f"import {import_id} still InProgress after {timeout} s")
            time.sleep(0.02)

    def load(self, configuration: str, body: str) -> dict[str, Any]:
        """Push and wait: the finished report."""
        return self.wait(self.push(configuration, body))

    # --- exports ---------------------------------------------------------------------------------

    def export(self, kind: str, block: str, body: Mapping[str, Any] | None = None, *, v1: bool = True) -> str:
        path = f"/api/{'v1/' if v1 else ''}export/{kind}/{self.block_id(block)}"
        response = self.exports.post(path, json=dict(body) if body is not None else None)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        return response.content.decode("utf-8")

    def export_rows(
        self, kind: str, block: str, body: Mapping[str, Any] | None = None
    ) -> list[dict[str, str]]:
        """Export with friendly headers and parse it the way real clients do (utf-8-sig, ';')."""
        request = {"friendlyHeaders": True, **(body or {})}
        text = self.export(kind, block, request)
        delimiter = "," if request.get("fieldDelimiter") == "Comma" else ";"
        return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))

    def cells(self, metric: str, **filters: str) -> dict[tuple[str, ...], str]:
        """A metric's cells via the control route: dimension labels (in order) → exact value text."""
        response = self.control.get(f"/pigment/metrics/{metric}/cells", params=filters)
        response.raise_for_status()
        document = json.loads(response.text, parse_float=Decimal)  # exact: never through float
        return {tuple(cell["dimensions"].values()): str(cell["value"]) for cell in document["cells"]}


def skipped(report: Mapping[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """Every skippedData entry of a report by (reason, column)."""
    return {
        (entry["reason"], entry["sourceColumnName"]): entry
        for block in report["detailedReport"]["impactedBlocks"]
        for entry in block["skippedData"]
    }


def summary(report: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """(inserted, updated, deleted, skipped) of a report."""
    counts = report["detailedReport"]["summary"]
    return counts["insertedCount"], counts["updatedCount"], counts["deletedCount"], counts["skippedCount"]
