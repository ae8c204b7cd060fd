"""A sandbox world for billing-to-erp end-to-end tests: Nue + NetSuite emulators on loopback, a workspace
pointed at them, the real CLI, and read-backs through the NetSuite connector."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML
from typer.testing import CliRunner

from ledgerbridge.config.loader import load_workspace
from ledgerbridge.config.templates import render_sandbox
from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.engine.limits import LimiterRegistry
from ledgerbridge.hub import HubStore
from ledgerbridge.interfaces.cli.main import app
from ledgerbridge.runtimes.local.connections import open_connections
from ledgerbridge.sandbox._kit.jsonbody import dumps, loads
from ledgerbridge.sandbox.world import start_sandbox

FLOW = "billing-to-erp"
D = Decimal


@dataclass
class World:
    """One sandbox, its workspace file and helpers to drive Nue and read NetSuite."""

    root: Path
    config: Path
    urls: dict[str, str]
    nue_key: str
    #: the hub database (None: the workspace default, SQLite in .ledgerbridge/)
    hub_url: str | None = None

    def hub(self) -> HubStore:
        """The workspace's hub, opened directly (to read states and links)."""
        return HubStore.open(self.hub_url or f"sqlite:///{self.root / '.ledgerbridge' / 'hub.db'}")

    # ---- workspace ------------------------------------------------------------------------------------

    def configure(
        self, *, params: Mapping[str, Any] | None = None, mappings: Mapping[str, Any] | None = None
    ) -> None:
        """Set the flow's params and the workspace's mappings (replacing earlier ones)."""
        yaml = YAML(typ="rt")
        data = yaml.load(self.config.read_text(encoding="utf-8"))
        for flow in data["flows"]:
            if flow["name"] == FLOW:
                flow["params"] = dict(params or {})
        data["mappings"] = {name: dict(value) for name, value in (mappings or {}).items()}
        if self.hub_url is not None:
            data["hub"]["url"] = self.hub_url
        with self.config.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)

    def cli(self, *args: str) -> tuple[int, Any]:
        result = CliRunner().invoke(app, ["--config", str(self.config), *args, "--json"])
        try:
            return result.exit_code, json.loads(result.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"not JSON (exit {result.exit_code}): {result.output}") from None

    def run(self, *extra: str) -> dict[str, Any]:
        code, summary = self.cli("run", FLOW, *extra)
        assert isinstance(summary, dict)
        summary["exit_code_cli"] = code
        return summary

    # ---- Nue ----------------------------------------------------------------------------------------

    def nue(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"nue-api-key": self.nue_key, "Content-Type": "application/json"}
        with httpx.Client(base_url=self.urls["nue"], headers=headers, timeout=30) as http:
            response = http.request(method, path, content=dumps(body) if body is not None else None)
        assert response.status_code < 300, (response.status_code, response.text)
        answer = loads(response.content)
        if isinstance(answer, dict) and "status" in answer and not path.startswith("/_sandbox"):
            assert answer["status"] == "success", answer
            return answer["data"]
        return answer

    def products(self, *specs: tuple[str, str, str, Decimal]) -> dict[str, str]:
        """Create products ``(name, sku, type, list price)``; returns sku → price book entry id."""
        created = self.nue(
            "POST",
            "/products",
            [{"name": n, "sku": s, "productType": t, "listPrice": p} for n, s, t, p in specs],
        )
        entries = self.nue("GET", "/price-book-entries?limit=500")
        by_product = {entry["productId"]: entry["id"] for entry in entries}
        return {product["sku"]: by_product[product["id"]] for product in created}

    def customer(self, name: str, **fields: Any) -> str:
        created = self.nue("POST", "/customers", [{"name": name, "recordType": "Business", **fields}])
        return str(created[0]["id"])

    def order(self, customer: str, *lines: Mapping[str, Any]) -> dict[str, Any]:
        """Create and activate an order; returns the activated order."""
        return dict(self.activate(customer, *lines)["order"])

    def activate(self, customer: str, *lines: Mapping[str, Any]) -> dict[str, Any]:
        """Create and activate an order; returns Nue's activation answer (order, assets, invoices)."""
        draft = self.nue("POST", "/orders", {"customer": {"id": customer}, "orderProducts": list(lines)})
        return dict(self.nue("POST", f"/orders/{draft['order']['id']}", {"options": {}}))

    def change(self, *changes: Mapping[str, Any]) -> dict[str, Any]:
        """Create and activate a change order; returns the activated change order."""
        draft = self.nue("POST", "/change-orders", {"assetChanges": list(changes)})
        return dict(self.nue("POST", f"/change-orders/{draft['order']['id']}", {})["order"])

    def invoice(self, order_id: str, **body: Any) -> dict[str, Any]:
        answer = self.nue("POST", f"/_sandbox/nue/orders/{order_id}/invoice", {"activate": True, **body})
        return dict(answer.get("invoice") or answer["creditMemo"])

    # ---- NetSuite -------------------------------------------------------------------------------------

    def netsuite(self, calls: Any) -> Any:
        """Run ``await calls(client)`` with a NetSuite client from the workspace."""

        async def go() -> Any:
            workspace = load_workspace(self.config)
            async with open_connections(workspace, registry=LimiterRegistry(), names={"netsuite": True}) as c:
                client: NetSuiteClient = c["netsuite"]
                return await calls(client)

        return asyncio.run(go())

    def ns_get(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        async def get(client: NetSuiteClient) -> Any:
            return await client.get(record_type, f"eid:{external_id}")

        found = self.netsuite(get)
        return dict(found) if found is not None else None

    def ns_get_type(self, record_type: str, internal_id: str) -> dict[str, Any]:
        async def get(client: NetSuiteClient) -> Any:
            return await client.get(record_type, internal_id)

        found = self.netsuite(get)
        assert found is not None, (record_type, internal_id)
        return dict(found)

    def ns_rows(self, sql: str) -> list[dict[str, Any]]:
        async def query(client: NetSuiteClient) -> list[dict[str, Any]]:
            return [row async for row in client.suiteql(sql)]

        return list(self.netsuite(query))

    def ns_create(self, record_type: str, body: Mapping[str, Any]) -> str:
        async def create(client: NetSuiteClient) -> str:
            return await client.create(record_type, body)

        return str(self.netsuite(create))

    def mirrored(self) -> dict[str, int]:
        """How many NetSuite records carry each ledgerbridge external id (a duplicate shows as 2)."""
        counts: dict[str, int] = {}
        for table in ("customer", "item", "transaction"):
            for row in self.ns_rows(f"SELECT externalid FROM {table} WHERE externalid LIKE 'lb-nue-%'"):
                key = str(row["externalid"])
                counts[key] = counts.get(key, 0) + 1
        return counts


@contextmanager
def world(tmp_path: Path, hub_url: str | None = None) -> Iterator[World]:
    systems = ["netsuite", "nue"]
    with start_sandbox(seed="empty", port_base=None, workdir=tmp_path, systems=systems) as sandbox:
        config = tmp_path / "ledgerbridge.yaml"
        config.write_text(render_sandbox(sandbox.info), encoding="utf-8")
        yield World(tmp_path, config, dict(sandbox.urls), str(sandbox.info["nue"]["api_key"]), hub_url)
