"""The NetSuite emulator as a FastAPI app: ``create_app(settings) -> FastAPI``.

It serves what a real NetSuite account serves under ``/services/rest`` (record, query, async, system, auth)
and ``/rest/tokeninfo``, in NetSuite's shapes and error bodies, behind the sandbox kit's governance and
fault middleware; plus the sandbox control surface under ``/_sandbox`` (no auth; loopback only).
The emulated account lives on ``app.state.netsuite`` (:class:`~.context.NetSuiteEmulator`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, get_args

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from .._kit.admin import admin_router
from .._kit.emulator import EmulatorBuild, EmulatorContext
from .._kit.jsonbody import ExactJSONResponse
from .._kit.middleware import SandboxKit, SandboxMiddleware
from .._kit.stats import route_key_for
from . import routes_async, routes_metadata, routes_query, routes_record, routes_system
from .auth import Authenticator
from .context import NetSuiteEmulator, emulator
from .errors import NsError
from .governance import render_rejection
from .jobs import JobManager
from .params import json_object
from .render import REST_ROOT, error_response
from .routes_record import RECORD_ROOT
from .settings import EmulatorSettings, SeedName
from .store import NetSuiteStore

logger = logging.getLogger(__name__)

_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def create_app(settings: EmulatorSettings | None = None, *, store: NetSuiteStore | None = None) -> FastAPI:
    """Build the emulator. Without ``store`` a new in-memory account is created and ``settings.seed``
    loaded into it; a given ``store`` is used as it is (its state is the caller's business)."""
    settings = settings or EmulatorSettings()
    if store is None:
        store = NetSuiteStore(
            account_id=settings.account_id,
            timezone=settings.timezone,
            date_format=settings.date_format,
            max_page=settings.max_page_size,
            max_results=settings.max_results,
        )
        store.load_seed(settings.seed)
    kit = SandboxKit(settings.start_faults())
    ns = NetSuiteEmulator(
        settings=settings,
        store=store,
        kit=kit,
        auth=Authenticator(settings),
        jobs=JobManager(
            delay_seconds=settings.async_job_delay_seconds, retention=settings.async_job_retention
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await ns.jobs.aclose()

    app = FastAPI(
        title="NetSuite emulator (ledgerbridge sandbox)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.netsuite = ns
    _install_error_handlers(app)
    app.include_router(_control_router(ns))
    app.include_router(_netsuite_control_router())
    # The catalog first: "metadata-catalog" would otherwise be taken for a record type.
    vendor_routers = [
        routes_metadata.router,
        routes_record.router,
        routes_query.router,
        routes_async.router,
        routes_system.router,
        routes_system.options_router,
    ]
    for router in vendor_routers:
        app.include_router(router)
    app.add_middleware(
        SandboxMiddleware,
        kit=kit,
        render_rejection=lambda rejection: render_rejection(rejection, settings, kit.faults.settings),
        route_key=route_key_for(vendor_routers),
        is_write=_is_record_write,
    )
    return app


#: the ``--seed`` values of ``sandbox up`` mapped to this emulator's seeds
_WORLD_SEEDS: dict[str, SeedName] = {"empty": "empty", "demo": "demo", "netsuite2-sample": "netsuite2-sample"}
_SECRET_FIELDS = ("consumer_secret", "token_secret", "private_key_pem")
_PLAIN_FIELDS = ("account_id", "consumer_key", "token_id", "client_id", "certificate_id", "public_key_pem")


def sandbox_emulator(context: EmulatorContext) -> EmulatorBuild:
    """The factory ``sandbox up`` calls: fresh random credentials (unless given), the world seed loaded."""
    if context.seed not in _WORLD_SEEDS:
        raise ValueError(f"unknown seed {context.seed!r}; choose one of {', '.join(_WORLD_SEEDS)}")
    unknown = set(context.credentials) - set(_SECRET_FIELDS) - set(_PLAIN_FIELDS)
    if unknown:
        raise ValueError(f"unknown NetSuite credential field(s): {', '.join(sorted(unknown))}")
    overrides: dict[str, Any] = {
        name: SecretStr(value) if name in _SECRET_FIELDS else value
        for name, value in context.credentials.items()
    }
    settings = EmulatorSettings.generate(seed=_WORLD_SEEDS[context.seed], **overrides)
    app = create_app(settings)
    private_key = settings.private_key_pem.get_secret_value() if settings.private_key_pem else None
    info = {
        "account_id": settings.account_id,
        # SuiteQL datetimes are account-local wall time: clients must read them in this zone
        "timezone": settings.timezone,
        "consumer_key": settings.consumer_key,
        "consumer_secret": settings.consumer_secret.get_secret_value(),
        "token_id": settings.token_id,
        "token_secret": settings.token_secret.get_secret_value(),
        "client_id": settings.client_id,
        "certificate_id": settings.certificate_id,
        "private_key_pem": private_key,
    }
    return EmulatorBuild(
        app=app,
        info=info,
        tls_hosts=("*.suitetalk.api.netsuite.com", "*.restlets.api.netsuite.com"),
        vendor_host=settings.suitetalk_host,
        handle=get_emulator(app),
    )


def get_emulator(app: FastAPI) -> NetSuiteEmulator:
    """The emulated account behind an app made by :func:`create_app` (tests, ``sandbox up``)."""
    found = app.state.netsuite
    if not isinstance(found, NetSuiteEmulator):
        raise TypeError("this app was not made by ledgerbridge.sandbox.netsuite.app.create_app")
    return found


# --- wiring -------------------------------------------------------------------------------------------


def _is_record_write(scope: Scope) -> bool:
    # Record writes (and batch submissions) commit; SuiteQL and token POSTs do not.
    return scope.get("method") in _WRITE_METHODS and str(scope.get("path", "")).startswith(RECORD_ROOT)


def _install_error_handlers(app: FastAPI) -> None:
    async def on_ns_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, NsError)
        headers: Mapping[str, str] | None = getattr(exc, "headers", None)
        return error_response(exc, headers=headers)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path
        if exc.status_code == 404:
            error = NsError(404, "NOT_FOUND", f"The URL path {path} does not name a REST resource.")
        elif exc.status_code == 405:
            error = NsError(
                405, "METHOD_NOT_ALLOWED", f"The method {request.method} is not supported on {path}."
            )
        else:
            error = NsError(exc.status_code, "USER_ERROR", str(exc.detail))
        return error_response(error, headers=exc.headers)

    async def on_validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(NsError.invalid_parameter(f"Invalid request ({where}): {first.get('msg')}."))

    async def on_unexpected(_: Request, exc: Exception) -> Response:
        logger.error("unexpected error in the NetSuite emulator", exc_info=exc)
        return error_response(NsError(500, "UNEXPECTED_ERROR", "An unexpected error occurred."))

    app.add_exception_handler(NsError, on_ns_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


def _control_router(ns: NetSuiteEmulator) -> APIRouter:
    """``/_sandbox`` (the kit's routes) bound to this account's store."""
    seeds = set(get_args(SeedName))

    def reset() -> None:
        ns.jobs.reset()
        ns.store.load_seed(ns.settings.seed)

    def load_seed(name: str) -> None:
        if name not in seeds:
            raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(sorted(seeds))}")
        ns.jobs.reset()
        ns.store.load_seed(name)  # type: ignore[arg-type]  # checked against SeedName just above

    def load_fixture(data: Mapping[str, Any]) -> Mapping[str, Any]:
        try:
            return ns.store.load_fixture(data)
        except NsError as exc:
            raise ValueError(f"{exc.code}: {exc.detail}") from None

    def extra_stats() -> Mapping[str, Any]:
        return {"records": ns.store.stats_counts()}

    return admin_router(
        ns.kit, reset=reset, load_fixture=load_fixture, load_seed=load_seed, extra_stats=extra_stats
    )


def _netsuite_control_router() -> APIRouter:
    """NetSuite-only sandbox controls: close/reopen a period, lock a record as a workflow would."""
    router = APIRouter(prefix="/_sandbox/netsuite", tags=["sandbox control"])

    @router.post("/periods/{period_id}/close")
    def close_period(period_id: str, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
        ns.store.close_period(period_id)
        return ExactJSONResponse({"period": period_id, "closed": True})

    @router.post("/periods/{period_id}/reopen")
    def reopen_period(period_id: str, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
        ns.store.reopen_period(period_id)
        return ExactJSONResponse({"period": period_id, "closed": False})

    @router.post("/records/{record_type}/{key}/void")
    def void_record(record_type: str, key: str, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
        # NetSuite has no REST void: this is the UI's Void button, pressed by a person
        ns.store.void(record_type, key)
        return ExactJSONResponse({"recordType": record_type, "id": key, "voided": True})

    @router.post("/records/{record_type}/{key}/lock")
    async def lock_record(
        record_type: str, key: str, request: Request, ns: NetSuiteEmulator = Depends(emulator)
    ) -> Response:
        body = await json_object(request, required=False)
        locked = body.get("locked", True)
        if not isinstance(locked, bool):
            raise NsError.invalid_parameter("locked must be true or false.")
        await run_in_threadpool(ns.store.lock, record_type, key, locked)
        return ExactJSONResponse({"recordType": record_type, "key": key, "locked": locked})

    return router


__all__ = ["REST_ROOT", "create_app", "get_emulator", "sandbox_emulator"]
