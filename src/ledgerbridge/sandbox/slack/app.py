"""The Slack emulator as a FastAPI app: ``create_app(settings) -> FastAPI``.

Serves the Web API under ``/api/`` (so ``slack_sdk.WebClient(base_url=f"{url}/api/")`` works unchanged),
incoming webhooks under ``/services/…``, and the sandbox control surface under ``/_sandbox`` (the kit's
routes plus ``/_sandbox/slack/messages``). The workspace lives on ``app.state.slack``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import SecretStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .._kit.admin import admin_router
from .._kit.emulator import EmulatorBuild, EmulatorContext
from .._kit.middleware import SandboxKit, SandboxMiddleware
from . import routes_api, routes_control, routes_webhooks
from .context import SlackEmulator
from .errors import api_error, render_rejection
from .limits import ChannelRateLimiter
from .seed import load_fixture, load_seed
from .settings import SeedName, SlackSettings
from .store import SlackStore

#: hosts a client would address (``https://slack.com/api/``, ``https://hooks.slack.com/services/…``)
VENDOR_HOST = "slack.com"
TLS_HOSTS = ("slack.com", "hooks.slack.com")


def create_app(settings: SlackSettings | None = None) -> FastAPI:
    """Build the emulator with ``settings.seed`` loaded (the demo workspace unless told otherwise)."""
    settings = settings or SlackSettings()
    store = SlackStore()
    load_seed(store, settings.seed)
    emulator = SlackEmulator(
        settings=settings,
        store=store,
        kit=SandboxKit(settings.faults),
        limiter=ChannelRateLimiter(settings.messages_per_second, settings.burst),
    )
    app = FastAPI(
        title="Slack emulator (ledgerbridge sandbox)", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.slack = emulator
    app.include_router(_kit_router(emulator))
    app.include_router(routes_control.router)
    app.include_router(routes_api.router)
    app.include_router(routes_webhooks.router)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and request.url.path.startswith("/api/"):
            return api_error("unknown_method")  # what Slack answers for a method it does not have
        return api_error("invalid_request", status=exc.status_code)

    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_middleware(SandboxMiddleware, kit=emulator.kit, render_rejection=render_rejection)
    return app


def get_emulator(app: FastAPI) -> SlackEmulator:
    """The workspace behind an app made by :func:`create_app` (tests, ``sandbox up``)."""
    found = app.state.slack
    if not isinstance(found, SlackEmulator):
        raise TypeError("this app was not made by ledgerbridge.sandbox.slack.app.create_app")
    return found


#: the world seeds of ``sandbox up`` mapped to this emulator's
_WORLD_SEEDS: dict[str, SeedName] = {"demo": "demo", "empty": "empty", "netsuite2-sample": "demo"}


def sandbox_emulator(context: EmulatorContext) -> EmulatorBuild:
    """The factory ``sandbox up`` calls: a random bot token unless ``credentials["token"]`` fixes it.

    ``info``: ``token``, ``team_id``, ``webhook_path`` (append to ``base_url``), ``api_base_url_suffix``
    (``/api/``: what ``slack_sdk`` takes as ``base_url`` after the emulator's URL), ``default_channel``.
    """
    if context.seed not in _WORLD_SEEDS:
        raise ValueError(f"unknown seed {context.seed!r}; choose one of {', '.join(_WORLD_SEEDS)}")
    unknown = set(context.credentials) - {"token"}
    if unknown:
        raise ValueError(f"unknown Slack credential field(s): {', '.join(sorted(unknown))}")
    overrides: dict[str, Any] = {"seed": _WORLD_SEEDS[context.seed]}
    if context.credentials.get("token"):
        overrides["token"] = SecretStr(context.credentials["token"])
    settings = SlackSettings(**overrides)
    app = create_app(settings)
    emulator = get_emulator(app)
    hooks = emulator.store.webhooks()
    info: dict[str, Any] = {
        "token": settings.token.get_secret_value(),
        "team_id": settings.team_id,
        "api_path": "/api/",
        "webhook_path": hooks[0].path if hooks else None,
        "default_channel": "#finance" if settings.seed == "demo" else "#general",
    }
    return EmulatorBuild(app=app, info=info, tls_hosts=TLS_HOSTS, vendor_host=VENDOR_HOST, handle=emulator)


def _kit_router(emulator: SlackEmulator) -> APIRouter:
    def reset() -> None:
        load_seed(emulator.store, emulator.settings.seed)
        emulator.limiter.reset()

    def seed(name: str) -> None:
        load_seed(emulator.store, name)
        emulator.limiter.reset()

    return admin_router(
        emulator.kit,
        reset=reset,
        load_fixture=lambda document: load_fixture(emulator.store, document),
        load_seed=seed,
        extra_stats=lambda: {"workspace": dict(emulator.store.counts())},
    )


__all__ = ["create_app", "get_emulator", "sandbox_emulator"]
