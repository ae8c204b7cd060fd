"""A NetSuite + Nue sandbox over real HTTP, a workspace and hub for it, and the set-up steps of the tests:
Nue invoices and credit memos made through Nue's API and admin routes, their NetSuite twins made through the
NetSuite connector (what ``billing-to-erp`` would have written), and NetSuite payments applied to them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from ledgerbridge.config.loader import load_workspace
from ledgerbridge.config.templates import render_sandbox
from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.nue.client import NueClient
from ledgerbridge.connectors.nue.records import CreditMemo, Invoice
from ledgerbridge.engine.limits import LimiterRegistry
from ledgerbridge.flows.billing_ids import external_id
from ledgerbridge.flows.erp_payments_to_billing import FLOW_NAME
from ledgerbridge.hub import HubStore, RecordView
from ledgerbridge.interfaces.cli.run_cmds import all_params
from ledgerbridge.runtimes.local.connections import open_connections
from ledgerbridge.runtimes.local.runner import FlowRunner, RunResult, StaticContextFactory
from ledgerbridge.sandbox.world import RunningSandbox, start_sandbox

_names = itertools.count(1)
_SANDBOX_HUB = "url: sqlite:///.ledgerbridge/hub.db"


@dataclass
class World:
    """Everything one test touches; build it with :func:`open_world`."""

    sandbox: RunningSandbox
    hub: HubStore
    clients: Mapping[str, Any]
    params: dict[str, Any]
    nue_http: httpx.AsyncClient
    admin_http: httpx.AsyncClient
    #: one NetSuite item every mirrored invoice line uses
    ns_item: str = ""
    runs: list[RunResult] = field(default_factory=list)

    @property
    def ns(self) -> NetSuiteClient:
        client = self.clients["netsuite"]
        assert isinstance(client, NetSuiteClient)
        return client

    @property
    def nue(self) -> NueClient:
        client = self.clients["nue"]
        assert isinstance(client, NueClient)
        return client

    # --- running the flow -----------------------------------------------------------------------------
    def runner(self, clients: Mapping[str, Any] | None = None, **params: Any) -> FlowRunner:
        factory = StaticContextFactory(
            self.hub, clients or self.clients, params={FLOW_NAME: {**self.params, **params}}
        )
        return FlowRunner(self.hub, factory)

    async def run(
        self, clients: Mapping[str, Any] | None = None, *, dry_run: bool = False, **params: Any
    ) -> RunResult:
        result = await self.runner(clients, **params).run(FLOW_NAME, trigger="manual", dry_run=dry_run)
        assert result is not None
        self.runs.append(result)
        return result

    def rows(self, state: str | None = None) -> list[RecordView]:
        return self.hub.list(flow=FLOW_NAME, state=state, limit=10_000)

    # --- Nue side ---------------------------------------------------------------------------------------
    async def _nue(self, path: str, body: Any, *, admin: bool = False) -> Any:
        http = self.admin_http if admin else self.nue_http
        response = await http.post(path, json=body)
        assert response.status_code < 300, response.text
        answer = response.json()
        return answer.get("data", answer) if isinstance(answer, dict) else answer

    async def customer(self) -> tuple[str, str]:
        """A Nue customer and its NetSuite twin: (Nue id, NetSuite id)."""
        name = f"Payer {next(_names)}"
        (created,) = await self._nue("/customers", [{"name": name, "recordType": "Business"}])
        ns_id = await self.ns.upsert(
            "customer",
            external_id("cust", created["id"]),
            {"companyName": name, "subsidiary": {"id": "1"}},
        )
        return created["id"], ns_id

    async def invoice(
        self, customer: tuple[str, str], amount: str, *, mirror: bool = True
    ) -> tuple[str, str]:
        """An active Nue invoice of ``amount`` and (unless not ``mirror``) its NetSuite twin: (Nue id,
        NetSuite id or "")."""
        sku = f"LB-PAY-{next(_names)}"
        (product,) = await self._nue(
            "/products", [{"name": sku, "sku": sku, "productType": "Asset", "listPrice": amount}]
        )
        (entry,) = [e async for e in self.nue.price_book_entries(filters={"productId": product["id"]})]
        order = await self._nue(
            "/orders",
            {
                "customer": {"id": customer[0]},
                "orderProducts": [{"priceBookEntryId": entry.id, "quantity": 1}],
            },
        )
        order_id = order["id"] if "id" in order else order["order"]["id"]
        await self._nue(f"/orders/{order_id}/activate", {}, admin=True)
        billed = await self._nue(f"/orders/{order_id}/invoice", {"activate": True}, admin=True)
        invoice = billed["invoice"]
        assert Decimal(str(invoice["amount"])) == Decimal(amount)
        if not mirror:
            return invoice["id"], ""
        ns_id = await self.ns.upsert(
            "invoice",
            external_id("inv", invoice["id"]),
            {
                "entity": {"id": customer[1]},
                "item": {"items": [{"item": {"id": self.ns_item}, "amount": amount}]},
            },
        )
        return invoice["id"], ns_id

    async def credit_memo(
        self, customer: tuple[str, str], amount: str, applications: list[tuple[str, str]]
    ) -> tuple[str, str]:
        """An active Nue credit memo and its NetSuite twin applied to NetSuite invoices as given."""
        made = await self._nue(
            "/credit-memos", {"customerId": customer[0], "amount": amount, "activate": True}, admin=True
        )
        memo = made["creditMemo"]
        ns_id = await self.ns.upsert(
            "creditmemo",
            external_id("cm", memo["id"]),
            {
                "entity": {"id": customer[1]},
                "item": {"items": [{"item": {"id": self.ns_item}, "amount": amount}]},
                "apply": {"items": [_apply(doc, value) for doc, value in applications]},
            },
        )
        return memo["id"], ns_id

    async def payment(
        self, customer: tuple[str, str], amount: str, applications: list[tuple[str, str]]
    ) -> str:
        """A NetSuite customer payment applied to NetSuite invoices as given."""
        return await self.ns.create(
            "customerpayment",
            {
                "customer": {"id": customer[1]},
                "payment": amount,
                "apply": {"items": [_apply(doc, value) for doc, value in applications]},
            },
        )

    async def nue_invoice(self, invoice_id: str) -> Invoice:
        invoice = await self.nue.get_invoice(invoice_id)
        assert invoice is not None
        return invoice

    async def nue_memo(self, memo_id: str) -> CreditMemo:
        memo = await self.nue.get_credit_memo(memo_id)
        assert memo is not None
        return memo


def _apply(doc: str, amount: str) -> dict[str, Any]:
    return {"doc": {"id": doc}, "apply": True, "amount": amount}


@asynccontextmanager
async def open_world(workdir: Path, hub_url: str) -> AsyncIterator[World]:
    """Start the NetSuite and Nue emulators, write a workspace for them (its hub at ``hub_url``, so the CLI
    sees the same hub), open its hub and connections."""
    with start_sandbox(seed="demo", port_base=None, workdir=workdir, systems=["netsuite", "nue"]) as sandbox:
        config = workdir / "ledgerbridge.yaml"
        text = render_sandbox(sandbox.info)
        assert _SANDBOX_HUB in text
        config.write_text(text.replace(_SANDBOX_HUB, f"url: {json.dumps(hub_url)}"), encoding="utf-8")
        workspace = load_workspace(config)
        params = dict(all_params(workspace)[FLOW_NAME])
        hub = HubStore.open(workspace.hub.connect_url())
        nue_url = str(sandbox.info["nue"]["base_url"]).rstrip("/")
        headers = {"nue-api-key": str(sandbox.info["nue"]["api_key"])}
        try:
            async with (
                open_connections(workspace, registry=LimiterRegistry()) as clients,
                httpx.AsyncClient(base_url=nue_url, headers=headers, timeout=30) as nue_http,
                httpx.AsyncClient(base_url=f"{nue_url}/_sandbox/nue", timeout=30) as admin_http,
            ):
                world = World(sandbox, hub, clients, params, nue_http, admin_http)
                item = [r async for r in world.ns.suiteql("SELECT id FROM item WHERE isinactive = 'F'")]
                world.ns_item = str(item[0]["id"])
                yield world
        finally:
            hub.close()
