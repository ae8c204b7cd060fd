"""Invoices and credit memos: reads, activation, cancellation, payments and credit applications.

Action paths follow the public guides (``/billing/invoices:activate``, ``:pay``;
``/billing/credit-memos:apply``, ``:unapply``); their punctuation is a setting (``action_separator``).
``:cancel`` on both and ``/billing/credit-memos:activate`` are assumptions (tray.ai documents cancelling
drafts, without paths).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from . import billing, credit_memos, payments
from .context import NueEmulator, authenticate, emulator, json_body
from .listing import INVOICE_INCLUDES, invoice_renderer, list_response, one_response
from .settings import NueEmulatorSettings


def build(settings: NueEmulatorSettings) -> APIRouter:
    router = APIRouter(prefix=settings.api_prefix, dependencies=[Depends(authenticate)])

    def invoices_action(verb: str) -> str:
        return "/billing" + settings.action("/invoices", verb)

    def memos_action(verb: str) -> str:
        return "/billing" + settings.action("/credit-memos", verb)

    @router.get("/invoices")
    async def list_invoices(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(
            nue,
            request,
            lambda: nue.store.rows("invoices"),
            includes=INVOICE_INCLUDES,
            render=invoice_renderer(nue),
        )

    @router.get("/invoices/{invoice_id}")
    async def get_invoice(
        invoice_id: str, request: Request, nue: NueEmulator = Depends(emulator)
    ) -> Response:
        return one_response(
            nue,
            request,
            "invoices",
            invoice_id,
            "Invoice",
            includes=INVOICE_INCLUDES,
            render=invoice_renderer(nue),
        )

    @router.get("/billing/invoices/{invoice_id}/credit-memos")
    async def memos_of_invoice(invoice_id: str, nue: NueEmulator = Depends(emulator)) -> Response:
        # documented as a bare {"creditMemos": [...]} (reference notes §1.2), not in the usual envelope
        with nue.store.lock:
            nue.store.require("invoices", invoice_id, "Invoice")
            applied = {
                a["creditMemoId"]
                for a in nue.store.rows("creditApplications")
                if a["invoiceId"] == invoice_id
            }
            memos = [
                m
                for m in nue.store.rows("creditMemos")
                if m["sourceInvoiceId"] == invoice_id or m["id"] in applied
            ]
            body = nue.store.snapshot({"creditMemos": memos})
        return ExactJSONResponse(body)

    @router.post(invoices_action("activate"))
    async def activate_invoices(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        invoices, warnings = billing.activate_invoices(nue.store, await json_body(request))
        return nue.ok({"invoices": invoices}, warnings=warnings)

    @router.post(invoices_action("cancel"))
    async def cancel_invoices(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        invoices, warnings = billing.cancel_invoices(nue.store, await json_body(request))
        return nue.ok({"invoices": invoices}, warnings=warnings)

    @router.post(invoices_action("pay"))
    async def pay_invoices(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(payments.pay_invoices(nue.store, await json_body(request)))

    @router.get("/credit-memos")
    async def list_memos(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows("creditMemos"))

    @router.post("/credit-memos")
    async def create_memo(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(credit_memos.create_credit_memo(nue.store, await json_body(request)))

    @router.get("/credit-memos/{memo_id}")
    async def get_memo(memo_id: str, request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return one_response(nue, request, "creditMemos", memo_id, "Credit memo")

    @router.post(memos_action("apply"))
    async def apply_memos(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(payments.apply_credit_memos(nue.store, await json_body(request)))

    @router.post(memos_action("unapply"))
    async def unapply_memos(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return nue.ok(payments.unapply_credit_memos(nue.store, await json_body(request)))

    @router.post(memos_action("activate"))
    async def activate_memos(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        memos, warnings = credit_memos.activate_credit_memos(nue.store, await json_body(request))
        return nue.ok({"creditMemos": memos}, warnings=warnings)

    @router.post(memos_action("cancel"))
    async def cancel_memos(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        memos, warnings = credit_memos.cancel_credit_memos(nue.store, await json_body(request))
        return nue.ok({"creditMemos": memos}, warnings=warnings)

    return router
