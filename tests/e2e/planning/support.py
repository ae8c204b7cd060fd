"""A sandbox world for the planning flows' end-to-end tests: NetSuite, Pigment, Slack and the SMTP mailbox
on loopback, the sandbox workspace pointed at them, the real CLI, and read-backs in each system's own state
(SuiteQL through the NetSuite connector; Pigment cells, lists and imports through its control routes)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence
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
from ledgerbridge.sandbox._kit.jsonbody import loads
from ledgerbridge.sandbox.world import start_sandbox

D = Decimal
SYSTEMS = ("netsuite", "pigment", "slack", "mailbox")


@dataclass
class PlanningWorld:
    """One sandbox, its workspace file, and helpers to run flows and read every system's state."""

    root: Path
    config: Path
    urls: dict[str, str]
    info: dict[str, Any]

    # ---- workspace and CLI ----------------------------------------------------------------------------

    def hub(self) -> HubStore:
        return HubStore.open(f"sqlite:///{self.root / '.ledgerbridge' / 'hub.db'}")

    def workspace_data(self) -> Any:
        return YAML(typ="rt").load(self.config.read_text(encoding="utf-8"))

    def save_workspace(self, data: Any) -> None:
        with self.config.open("w", encoding="utf-8") as handle:
            YAML(typ="rt").dump(data, handle)

    def set_params(self, flow: str, **params: Any) -> None:
        """Merge ``params`` into one flow's params (None removes a key)."""
        data = self.workspace_data()
        for entry in data["flows"]:
            if entry["name"] == flow:
                merged = dict(entry.get("params") or {})
                for key, value in params.items():
                    if value is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = value
                entry["params"] = merged
        self.save_workspace(data)

    def set_mapping_rows(self, name: str, rows: Sequence[Mapping[str, str]]) -> None:
        """Replace the rows of mapping ``name`` (it must exist in the workspace)."""
        data = self.workspace_data()
        data["mappings"][name]["rows"] = [dict(row) for row in rows]
        self.save_workspace(data)

    def mapping_rows(self, name: str) -> list[dict[str, str]]:
        return [dict(row) for row in self.workspace_data()["mappings"][name]["rows"]]

    def cli(self, *args: str) -> tuple[int, Any]:
        result = CliRunner().invoke(app, ["--config", str(self.config), *args, "--json"])
        try:
            return result.exit_code, json.loads(result.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"not JSON (exit {result.exit_code}): {result.output}") from None

    def run(self, flow: str, *extra: str) -> dict[str, Any]:
        """``ledgerbridge run <flow> --json``; the summary with the CLI's exit code as ``exit_code_cli``."""
        code, summary = self.cli("run", flow, *extra)
        assert isinstance(summary, dict), summary
        summary["exit_code_cli"] = code
        return summary

    # ---- NetSuite -------------------------------------------------------------------------------------

    def netsuite(self, calls: Any) -> Any:
        """Run ``await calls(client)`` with a NetSuite client from the workspace."""

        async def go() -> Any:
            workspace = load_workspace(self.config)
            async with open_connections(workspace, registry=LimiterRegistry(), names={"netsuite": True}) as c:
                client: NetSuiteClient = c["netsuite"]
                return await calls(client)

        return asyncio.run(go())

    def ns_rows(self, sql: str) -> list[dict[str, Any]]:
        async def query(client: NetSuiteClient) -> list[dict[str, Any]]:
            return [row async for row in client.suiteql(sql)]

        return list(self.netsuite(query))

    def ns_create(self, record_type: str, body: Mapping[str, Any]) -> str:
        async def create(client: NetSuiteClient) -> str:
            return await client.create(record_type, body)

        return str(self.netsuite(create))

    def ns_control(self, method: str, path: str, body: Any = None) -> Any:
        """The NetSuite emulator's ``/_sandbox`` routes (e.g. closing a period)."""
        return self._control("netsuite", method, path, body)

    # ---- Pigment --------------------------------------------------------------------------------------

    def pigment(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        """The Pigment emulator's control routes (``/_sandbox/pigment/...``), exact decimals."""
        return self._control("pigment", method, path, body, params)

    def cells(self, metric: str, **filters: str) -> list[dict[str, Any]]:
        """A metric's cells: ``[{"dimensions": {...}, "value": Decimal}]``."""
        found = self.pigment("GET", f"/_sandbox/pigment/metrics/{metric}/cells", **filters)
        return list(found["cells"] if isinstance(found, dict) else found)

    def items(self, list_name: str) -> list[dict[str, Any]]:
        found = self.pigment("GET", f"/_sandbox/pigment/lists/{list_name}/items")
        return list(found["items"] if isinstance(found, dict) else found)

    def imports(self) -> list[dict[str, Any]]:
        found = self.pigment("GET", "/_sandbox/pigment/imports")
        return list(found["imports"] if isinstance(found, dict) else found)

    # ---- Slack and email ------------------------------------------------------------------------------

    def slack_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        found = self._control(
            "slack", "GET", "/_sandbox/slack/messages", None, {"channel": channel} if channel else {}
        )
        return list(found["messages"] if isinstance(found, dict) else found)

    def emails(self) -> list[dict[str, Any]]:
        return list(self._control("mailbox", "GET", "/_sandbox/mail")["messages"])

    # ---- plumbing -------------------------------------------------------------------------------------

    def _control(
        self, system: str, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Any:
        with httpx.Client(base_url=self.urls[system], timeout=60) as http:
            content = None if body is None else json.dumps(body, default=str)
            answer = http.request(
                method,
                path,
                content=content,
                params=dict(params or {}),
                headers={"content-type": "application/json"} if content else {},
            )
        assert answer.status_code < 400, (method, path, answer.status_code, answer.text)
        return loads(answer.content) if answer.content else None


@contextmanager
def planning_world(
    tmp_path: Path, *, seed: str = "demo", systems: Sequence[str] = SYSTEMS
) -> Iterator[PlanningWorld]:
    """Start the emulators (``seed`` for all of them: demo, netsuite2-sample or empty) and write the sandbox
    workspace (with its planning mapping tables) to ``tmp_path/ledgerbridge.yaml``."""
    with start_sandbox(seed=seed, port_base=None, workdir=tmp_path, systems=list(systems)) as sandbox:
        config = tmp_path / "ledgerbridge.yaml"
        config.write_text(render_sandbox(sandbox.info), encoding="utf-8")
        yield PlanningWorld(tmp_path, config, dict(sandbox.urls), dict(sandbox.info))
