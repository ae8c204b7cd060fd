"""Nue-only sandbox helpers under ``/_sandbox/nue`` (no auth, not counted, not part of Nue's API).

They do in one call what a person would do in Nue's UI, for tests and the demo:

========================================  ==============================================================
POST /orders/{id}/activate                activate a draft order (body as ``POST /orders/{id}``)
POST /orders/{id}/cancel                  cancel an order
POST /orders/{id}/invoice                 bill the order: ``{invoiceDate?, catchUp?, activate?}``
POST /invoices                            bill several orders of one customer on one invoice:
                                          ``{customerId, orderIds, invoiceDate?, catchUp?, activate?}``
POST /change-orders                       create a change order and activate it (``activate: false``
                                          keeps the draft): body as ``POST /change-orders``
POST /subscriptions/{assetNumber}/renew   renew: ``{renewalTerm, startDate?, products?, activate?}``
POST /credit-memos                        a manual credit memo: ``{customerId, amount | items, activate?}``
GET|POST /clock                           read, freeze (``{"now": "<ISO>"}``), release (``{"now": null}``)
GET /webhook-deliveries                   what the webhook dispatcher sent, newest last
========================================  ==============================================================
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from . import billing, changes, coerce, credit_memos, lifecycle
from .clock import iso_timestamp, parse_timestamp
from .context import NueEmulator, emulator, json_body
from .errors import NueError

PREFIX = "/_sandbox/nue"


def _reply(nue: NueEmulator, data: Any) -> Response:
    return ExactJSONResponse(nue.store.snapshot(data))


def build() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["sandbox control"])

    @router.post("/orders/{order_id}/activate")
    async def activate(order_id: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return _reply(
            nue, lifecycle.activate_order(nue.store, order_id, await json_body(request, required=False))
        )

    @router.post("/orders/{order_id}/cancel")
    async def cancel(order_id: str, nue: NueEmulator = Depends(emulator)) -> Response:
        return _reply(nue, {"order": lifecycle.cancel_order(nue.store, order_id)})

    @router.post("/orders/{order_id}/invoice")
    async def invoice_order(
        order_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        body = coerce.obj(await json_body(request, required=False), "body")
        order = nue.store.require("orders", order_id, "Order")
        return _reply(nue, _invoice(nue, body, order["customerId"], [order_id]))

    @router.post("/invoices")
    async def invoice_orders(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        body = coerce.obj(await json_body(request), "body")
        customer_id = coerce.required_text(body, "customerId", "body")
        order_ids = [str(key) for key in coerce.items(body.get("orderIds"), "orderIds")]
        return _reply(nue, _invoice(nue, body, customer_id, order_ids))

    @router.post("/change-orders")
    async def change(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        body = coerce.obj(await json_body(request), "body")
        return _reply(nue, _change_and_activate(nue, body))

    @router.post("/subscriptions/{asset_number}/renew")
    async def renew(asset_number: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        body = coerce.obj(await json_body(request), "body")
        renewal: dict[str, Any] = {"changeType": "Renew", "assetNumber": asset_number}
        for key in ("renewalTerm", "startDate"):
            if key in body:
                renewal[key] = body[key]
        spec = {
            "assetChanges": [renewal],
            "products": body.get("products") or [],
            "activate": body.get("activate", True),
        }
        if "options" in body:
            spec["options"] = body["options"]
        return _reply(nue, _change_and_activate(nue, spec))

    @router.post("/credit-memos")
    async def credit_memo(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return _reply(
            nue, {"creditMemo": credit_memos.create_credit_memo(nue.store, await json_body(request))}
        )

    @router.get("/clock")
    async def read_clock(nue: NueEmulator = Depends(emulator)) -> Response:
        return _reply(nue, _clock(nue))

    @router.post("/clock")
    async def set_clock(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        body = coerce.obj(await json_body(request), "body")
        raw = body.get("now")
        if raw is not None and not isinstance(raw, str):
            raise NueError.invalid("now must be an ISO timestamp or null.", field="now")
        try:
            nue.store.clock.freeze(parse_timestamp(raw) if raw else None)
        except ValueError as exc:
            raise NueError.invalid(f"now: {exc}", field="now") from None
        return _reply(nue, _clock(nue))

    @router.get("/webhook-deliveries")
    async def deliveries(nue: NueEmulator = Depends(emulator)) -> Response:
        return _reply(nue, {"deliveries": nue.webhooks.deliveries()})

    return router


def _invoice(nue: NueEmulator, body: Any, customer_id: str, order_ids: list[str]) -> dict[str, Any]:
    document = billing.invoice_orders(
        nue.store,
        customer_id,
        order_ids,
        invoice_date=coerce.day(body, "invoiceDate", "body", required=False),
        catch_up=coerce.flag(body, "catchUp", "body"),
        activate=coerce.flag(body, "activate", "body"),
    )
    key = "creditMemo" if "creditMemoItems" in document else "invoice"
    return {key: document}


def _change_and_activate(nue: NueEmulator, body: Any) -> dict[str, Any]:
    activate = coerce.flag(body, "activate", "body", default=True)
    with nue.store.lock:
        order = changes.create_change_order(nue.store, {k: v for k, v in body.items() if k != "activate"})
        if not activate:
            return {"order": order, "assets": [], "invoices": []}
        return lifecycle.activate_order(nue.store, order["id"], {"options": body.get("options") or {}})


def _clock(nue: NueEmulator) -> dict[str, Any]:
    clock = nue.store.clock
    frozen = clock.frozen
    return {
        "now": iso_timestamp(clock.now()),
        "frozen": iso_timestamp(frozen) if frozen else None,
        "today": clock.today().isoformat(),
    }
