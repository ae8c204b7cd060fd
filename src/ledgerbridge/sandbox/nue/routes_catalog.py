"""``/products`` and ``/price-book-entries`` (paths assumed: the catalog is managed through Nue's metadata and
import APIs, whose paths are not public)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from . import catalog
from .context import NueEmulator, authenticate, emulator, json_body
from .listing import list_response, one_response
from .settings import NueEmulatorSettings


def build(settings: NueEmulatorSettings) -> APIRouter:
    router = APIRouter(prefix=settings.api_prefix, dependencies=[Depends(authenticate)])

    @router.post("/products")
    async def create_products(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(catalog.create_products(nue.store, await json_body(request)))

    @router.get("/products")
    async def list_products(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows("products"))

    @router.get("/products/{product_id}")
    async def get_product(
        product_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        return one_response(nue, request, "products", product_id, "Product")

    @router.post("/price-book-entries")
    async def create_entries(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(catalog.create_price_book_entries(nue.store, await json_body(request)))

    @router.get("/price-book-entries")
    async def list_entries(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows("priceBookEntries"))

    @router.get("/price-book-entries/{entry_id}")
    async def get_entry(entry_id: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return one_response(nue, request, "priceBookEntries", entry_id, "Price book entry")

    return router
