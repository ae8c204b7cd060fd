"""``/customers``: create (array), list, get, update; the customer-scoped invoice and credit memo lists."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from . import catalog
from .context import NueEmulator, authenticate, emulator, json_body
from .listing import INVOICE_INCLUDES, invoice_renderer, list_response, one_response
from .settings import NueEmulatorSettings


def build(settings: NueEmulatorSettings) -> APIRouter:
    router = APIRouter(prefix=settings.api_prefix, dependencies=[Depends(authenticate)])

    @router.post("/customers")
    async def create(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(catalog.create_customers(nue.store, await json_body(request)))

    @router.get("/customers")
    async def list_customers(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows("customers"))

    @router.get("/customers/{customer_id}")
    async def get_customer(
        customer_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        return one_response(nue, request, "customers", customer_id, "Customer")

    @router.patch("/customers/{customer_id}")
    async def update(customer_id: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(catalog.update_customer(nue.store, customer_id, await json_body(request)))

    @router.get("/customers/{customer_id}/invoices")
    async def customer_invoices(
        customer_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        nue.store.require("customers", customer_id, "Customer")
        return list_response(
            nue,
            request,
            lambda: nue.store.rows("invoices"),
            includes=INVOICE_INCLUDES,
            customer_id=customer_id,
            render=invoice_renderer(nue),
        )

    @router.get("/customers/{customer_id}/invoices/{invoice_id}")
    async def customer_invoice(
        customer_id: str, invoice_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        return one_response(
            nue,
            request,
            "invoices",
            invoice_id,
            "Invoice",
            includes=INVOICE_INCLUDES,
            customer_id=customer_id,
            render=invoice_renderer(nue),
        )

    @router.get("/customers/{customer_id}/credit-memos")
    async def customer_memos(
        customer_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        nue.store.require("customers", customer_id, "Customer")
        return list_response(nue, request, lambda: nue.store.rows("creditMemos"), customer_id=customer_id)

    return router
