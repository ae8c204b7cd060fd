"""The Pigment emulator as a FastAPI app: ``create_app(settings) -> FastAPI``.

It serves every path of Pigment's OpenAPI document (``openapi/``, served at ``/_sandbox/openapi.json``):
the legacy ``/api/import|export/...`` paths and their ``/api/v1`` twins, ``/api/v1/applications``,
``/blocks``, ``/views`` and ``/importConfigurations`` — behind the sandbox kit's fault middleware and
Pigment's own limits (:mod:`.context`). The sandbox control surface is under ``/_sandbox`` (the kit's
routes plus :mod:`.routes_control`). The emulated workspace lives on ``app.state.pigment``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import SecretStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from .._kit.admin import admin_router
from .._kit.emulator import EmulatorBuild, EmulatorContext
from .._kit.middleware import Rejection, SandboxKit, SandboxMiddleware
from .._kit.stats import route_key_for
from . import routes_control, routes_exports, routes_imports, routes_metadata
from .auth import KeyRing
from .context import PigmentEmulator
from .errors import PigmentError, error_response
from .jobs import ImportJobs
from .limits import SlidingWindow
from .settings import ApiKeySpec, KeyType, PigmentSettings, SeedName
from .store import PigmentStore

logger = logging.getLogger(__name__)

#: the vendor host clients address (``https://pigment.app/api``)
VENDOR_HOST = "pigment.app"


def create_app(settings: PigmentSettings | None = None) -> FastAPI:
    """Build the emulator with ``settings.seed`` loaded (``empty`` unless told otherwise)."""
    settings = settings or PigmentSettings()
    store = PigmentStore(today=settings.seed_today)
    store.load_seed(settings.seed)
    kit = SandboxKit(settings.faults)
    pigment = PigmentEmulator(
        settings=settings,
        store=store,
        kit=kit,
        keys=KeyRing(settings),
        requests=SlidingWindow(settings.requests_per_window, settings.window_seconds),
        pushes=SlidingWindow(settings.pushes_per_configuration_per_hour, settings.push_window_seconds),
        jobs=ImportJobs(
            store, delay_seconds=settings.import_delay_seconds, max_samples=settings.max_skip_samples
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await pigment.jobs.aclose()

    app = FastAPI(
        title="Pigment emulator (ledgerbridge sandbox)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the contract is Pigment's own document, served at /_sandbox/openapi.json
        lifespan=lifespan,
    )
    app.state.pigment = pigment
    _install_error_handlers(app)
    app.include_router(_kit_router(pigment))
    app.include_router(routes_control.router)
    vendor_routers = [routes_imports.router, routes_exports.router, routes_metadata.router]
    for router in vendor_routers:
        app.include_router(router)
    app.add_middleware(
        SandboxMiddleware,
        kit=kit,
        render_rejection=render_rejection,
        route_key=route_key_for(vendor_routers),
        is_write=_is_import_write,
    )
    return app


def get_emulator(app: FastAPI) -> PigmentEmulator:
    """The emulated workspace behind an app made by :func:`create_app` (tests, ``sandbox up``)."""
    found = app.state.pigment
    if not isinstance(found, PigmentEmulator):
        raise TypeError("this app was not made by ledgerbridge.sandbox.pigment.app.create_app")
    return found


#: the ``--seed`` values of ``sandbox up`` mapped to this emulator's seeds (the NetSuite sample has no
#: planning side: Pigment gets the demo application)
_WORLD_SEEDS: dict[str, SeedName] = {"empty": "empty", "demo": "demo", "netsuite2-sample": "demo"}
#: credential fields ``sandbox up`` may fix, and the key type each is
_KEY_FIELDS: dict[str, KeyType] = {
    "import_key": "Import",
    "export_key": "Export",
    "metadata_key": "ModelingMetadata",
}


def sandbox_emulator(context: EmulatorContext) -> EmulatorBuild:
    """The factory ``sandbox up`` calls: random keys (unless given), the world seed loaded.

    ``info`` holds ``import_key``, ``export_key`` and ``metadata_key`` for ``.ledgerbridge/sandbox.json``
    (base URLs end at the host: clients append ``/api/...``).
    """
    if context.seed not in _WORLD_SEEDS:
        raise ValueError(f"unknown seed {context.seed!r}; choose one of {', '.join(_WORLD_SEEDS)}")
    unknown = set(context.credentials) - set(_KEY_FIELDS)
    if unknown:
        raise ValueError(f"unknown Pigment credential field(s): {', '.join(sorted(unknown))}")
    keys = tuple(
        ApiKeySpec(name=f"ledgerbridge {field.split('_')[0]}", type=key_type, **_given(context, field))
        for field, key_type in _KEY_FIELDS.items()
    )
    settings = PigmentSettings(keys=keys, seed=_WORLD_SEEDS[context.seed])
    app = create_app(settings)
    info = {
        field: settings.key_of_type(key_type).secret.get_secret_value()
        for field, key_type in _KEY_FIELDS.items()
    }
    return EmulatorBuild(
        app=app, info=info, tls_hosts=(VENDOR_HOST,), vendor_host=VENDOR_HOST, handle=get_emulator(app)
    )


def _given(context: EmulatorContext, field: str) -> dict[str, Any]:
    secret = context.credentials.get(field)
    return {"secret": SecretStr(secret)} if secret else {}


# --- wiring -------------------------------------------------------------------------------------------


def render_rejection(rejection: Rejection) -> Response:
    """The kit middleware's refusals (fault knobs) the way the emulator answers errors."""
    headers = {"Retry-After": str(rejection.retry_after)} if rejection.retry_after is not None else None
    if rejection.status == 429:
        message = "Too Many Requests: the sandbox is throttling this request. Retry later."
    else:
        message = "An unexpected error occurred (sandbox-injected fault)."
    return error_response(PigmentError(rejection.status, message, headers=headers))


def _is_import_write(scope: Scope) -> bool:
    # Pushes and triggers commit an import; exports are POSTs that change nothing.
    path = str(scope.get("path", ""))
    return scope.get("method") == "POST" and ("/import/push/" in path or path.endswith("/import/trigger"))


def _install_error_handlers(app: FastAPI) -> None:
    async def on_pigment_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, PigmentError)
        return error_response(exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(PigmentError(404, f"Not Found: {request.url.path}"))
        return error_response(PigmentError(exc.status_code, str(exc.detail), headers=exc.headers))

    async def on_validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(PigmentError.bad_request(f"{where}: {first.get('msg')}"))

    async def on_unexpected(_: Request, exc: Exception) -> Response:
        logger.error("unexpected error in the Pigment emulator", exc_info=exc)
        return error_response(PigmentError(500, "An unexpected error occurred."))

    app.add_exception_handler(PigmentError, on_pigment_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


def _kit_router(pigment: PigmentEmulator) -> APIRouter:
    """``/_sandbox`` (the kit's routes) bound to this workspace."""

    def reset() -> None:
        pigment.jobs.reset()
        pigment.jobs.delay_seconds = pigment.settings.import_delay_seconds
        pigment.reset_limits()
        pigment.store.load_seed(pigment.settings.seed)

    def load_seed(name: str) -> None:
        pigment.jobs.reset()
        pigment.store.load_seed(name)

    def extra_stats() -> dict[str, Any]:
        records = pigment.jobs.records()
        return {
            "model": pigment.store.counts(),
            "imports": {
                status: sum(1 for record in records if record.status == status)
                for status in ("InProgress", "Completed", "Failed")
            },
        }

    return admin_router(
        pigment.kit,
        reset=reset,
        load_fixture=lambda document: pigment.store.load_fixture(document),
        load_seed=load_seed,
        extra_stats=extra_stats,
    )


__all__ = ["create_app", "get_emulator", "render_rejection", "sandbox_emulator"]
