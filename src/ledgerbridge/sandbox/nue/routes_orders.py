"""Orders, change orders and what they create: ``/orders``, ``/change-orders``, ``/subscriptions``,
``/entitlements``, ``/assets`` (reference notes §1.2)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from . import changes, lifecycle, orders
from .context import NueEmulator, authenticate, emulator, json_body
from .errors import NueError
from .listing import list_response, one_response
from .settings import NueEmulatorSettings
from .store import Record

_ASSET_ROUTES = (("subscriptions", "Subscription"), ("entitlements", "Entitlement"), ("assets", "Asset"))


def build(settings: NueEmulatorSettings) -> APIRouter:
    router = APIRouter(prefix=settings.api_prefix, dependencies=[Depends(authenticate)])

    @router.post("/orders")
    async def create_order(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok({"order": orders.create_order(nue.store, await json_body(request))})

    @router.get("/orders")
    async def list_orders(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows("orders"))

    @router.get("/orders/{order_id}")
    async def get_order(order_id: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return one_response(nue, request, "orders", order_id, "Order")

    @router.post("/orders/{order_id}")
    async def activate_order(
        order_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        body = await json_body(request, required=False)
        return nue.ok(lifecycle.activate_order(nue.store, order_id, body))

    @router.post("/change-orders")
    async def create_change_order(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok({"order": changes.create_change_order(nue.store, await json_body(request))})

    @router.get("/change-orders")
    async def list_change_orders(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: _change_orders(nue))

    @router.get("/change-orders/{order_id}")
    async def get_change_order(
        order_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        _require_change_order(nue, order_id)
        return one_response(nue, request, "orders", order_id, "Change order")

    @router.post("/change-orders/{order_id}")
    async def activate_change_order(
        order_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        _require_change_order(nue, order_id)
        body = await json_body(request, required=False)
        return nue.ok(lifecycle.activate_order(nue.store, order_id, body))

    for table, kind in _ASSET_ROUTES:
        _asset_routes(router, table, kind)
    return router


def _change_orders(nue: NueEmulator) -> list[Record]:
    return [order for order in nue.store.rows("orders") if order["orderType"] != "NewOrder"]


def _require_change_order(nue: NueEmulator, order_id: str) -> None:
    order = nue.store.get("orders", order_id)
    if order is None or order["orderType"] == "NewOrder":
        raise NueError.not_found("Change order", order_id)


def _asset_routes(router: APIRouter, table: str, kind: str) -> None:
    async def list_assets(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows(table))

    async def get_asset(asset_id: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        # by id or by number (SUB-00000001): change orders name assets by number
        found = nue.store.get(table, asset_id) or nue.store.find(table, "assetNumber", asset_id)
        return one_response(nue, request, table, found["id"] if found else asset_id, kind)

    router.add_api_route(f"/{table}", list_assets, methods=["GET"], name=f"list_{table}")
    router.add_api_route(f"/{table}/{{asset_id}}", get_asset, methods=["GET"], name=f"get_{table}")
