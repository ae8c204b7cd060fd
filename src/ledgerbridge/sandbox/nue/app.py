"""The Nue emulator as a FastAPI app: ``create_app(settings) -> FastAPI``.

It serves Nue's REST API (reference notes §1) under the configured version prefix — ``nue-api-key`` auth, the
``{status, data}`` envelope, paging and filters — behind the sandbox kit's governance and fault middleware;
plus the kit's control surface under ``/_sandbox`` and Nue-only helpers under ``/_sandbox/nue`` (no auth;
loopback only). The tenant lives on ``app.state.nue`` (:class:`~.context.NueEmulator`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import SecretStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from .._kit.admin import admin_router
from .._kit.emulator import EmulatorBuild, EmulatorContext
from .._kit.middleware import ADMIN_PREFIX, SandboxKit, SandboxMiddleware
from . import routes_admin, routes_billing, routes_catalog, routes_customers, routes_events, routes_orders
from .context import NueEmulator
from .envelope import error_response, render_rejection
from .errors import NueError
from .events import WebhookDispatcher
from .seed import load_fixture, load_seed
from .settings import NueEmulatorSettings
from .store import NueStore

logger = logging.getLogger(__name__)

#: the vendor's hosts, for the sandbox TLS certificate (``api.nue.io`` serves every environment)
NUE_HOSTS = ("api.nue.io", "api.sandbox.nue.io")


def create_app(settings: NueEmulatorSettings | None = None, *, store: NueStore | None = None) -> FastAPI:
    """Build the emulator. Without ``store`` a new tenant is created and ``settings.seed`` loaded into it."""
    settings = settings or NueEmulatorSettings()
    if store is None:
        store = NueStore(settings)
        load_seed(store, settings.seed)
    kit = SandboxKit(settings.faults)
    nue = NueEmulator(settings=settings, store=store, kit=kit, webhooks=WebhookDispatcher(store, settings))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await nue.webhooks.start()
        try:
            yield
        finally:
            await nue.webhooks.stop()

    app = FastAPI(
        title="Nue emulator (ledgerbridge sandbox)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.nue = nue
    _install_error_handlers(app, settings)
    app.include_router(_control_router(nue))
    app.include_router(routes_admin.build())
    vendor = [
        routes_customers.build(settings),
        routes_catalog.build(settings),
        routes_orders.build(settings),
        routes_billing.build(settings),
        routes_events.build(settings),
    ]
    for router in vendor:
        app.include_router(router)
    app.add_middleware(
        SandboxMiddleware,
        kit=kit,
        render_rejection=lambda rejection: render_rejection(settings, rejection),
        route_key=_route_key([route for router in vendor for route in router.routes]),
    )
    return app


def get_emulator(app: FastAPI) -> NueEmulator:
    """The tenant behind an app made by :func:`create_app` (tests, ``sandbox up``)."""
    found = app.state.nue
    if not isinstance(found, NueEmulator):
        raise TypeError("this app was not made by ledgerbridge.sandbox.nue.app.create_app")
    return found


#: ``sandbox up --seed`` values mapped to this emulator's seeds (the NetSuite sample has no Nue side)
_WORLD_SEEDS = {"empty": "empty", "demo": "demo", "netsuite2-sample": "empty"}


def sandbox_emulator(context: EmulatorContext) -> EmulatorBuild:
    """The factory ``sandbox up`` calls: a fresh random API key (unless given), the world seed loaded."""
    if context.seed not in _WORLD_SEEDS:
        raise ValueError(f"unknown seed {context.seed!r}; choose one of {', '.join(_WORLD_SEEDS)}")
    unknown = set(context.credentials) - {"api_key"}
    if unknown:
        raise ValueError(f"unknown Nue credential field(s): {', '.join(sorted(unknown))}")
    overrides: dict[str, Any] = {}
    if "api_key" in context.credentials:
        overrides["api_key"] = SecretStr(context.credentials["api_key"])
    settings = NueEmulatorSettings(seed=_WORLD_SEEDS[context.seed], **overrides)
    app = create_app(settings)
    return EmulatorBuild(
        app=app,
        info={"api_key": settings.api_key.get_secret_value(), "tenant": settings.tenant_name},
        tls_hosts=NUE_HOSTS,
        vendor_host="api.nue.io",
        handle=get_emulator(app),
    )


# --- wiring ---------------------------------------------------------------------------------------------


def _route_key(routes: list[BaseRoute]) -> Callable[[Scope], str]:
    """Count requests per route template (``GET /invoices/{invoice_id}``), matched before the app runs."""

    def route_key(scope: Scope) -> str:
        method = scope.get("method", "")
        for route in routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return f"{method} {getattr(route, 'path', '?')}"
        return f"{method} (no route)"

    return route_key


def _install_error_handlers(app: FastAPI, settings: NueEmulatorSettings) -> None:
    async def on_nue_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, NueError)
        return error_response(settings, exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            error = NueError(404, "NOT_FOUND", f"No resource at {request.url.path}.")
        elif exc.status_code == 405:
            error = NueError(
                405, "METHOD_NOT_ALLOWED", f"{request.method} is not supported on {request.url.path}."
            )
        else:
            error = NueError(exc.status_code, "ERROR", str(exc.detail))
        return error_response(settings, error)

    async def on_validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first: Mapping[str, Any] = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(settings, NueError.invalid(f"Invalid request ({where}): {first.get('msg')}."))

    async def on_unexpected(_: Request, exc: Exception) -> Response:
        logger.error("unexpected error in the Nue emulator", exc_info=exc)
        return error_response(settings, NueError(500, "INTERNAL_ERROR", "An unexpected error occurred."))

    app.add_exception_handler(NueError, on_nue_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


def _control_router(nue: NueEmulator) -> APIRouter:
    """``/_sandbox`` (the kit's routes) bound to this tenant."""

    def reset() -> None:
        load_seed(nue.store, nue.settings.seed)
        nue.webhooks.clear()

    def seed(name: str) -> None:
        load_seed(nue.store, name)
        nue.webhooks.clear()

    def extra_stats() -> Mapping[str, Any]:
        return {"records": nue.store.counts()}

    return admin_router(
        nue.kit,
        reset=reset,
        load_fixture=lambda data: load_fixture(nue.store, data),
        load_seed=seed,
        extra_stats=extra_stats,
    )


__all__ = ["ADMIN_PREFIX", "NUE_HOSTS", "create_app", "get_emulator", "sandbox_emulator"]
