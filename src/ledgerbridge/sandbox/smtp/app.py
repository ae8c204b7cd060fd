"""The SMTP emulator: ``create_app(settings) -> FastAPI`` serving the mailbox, with the SMTP listener
started and stopped by the app's lifespan.

Two ports: SMTP on ``settings.smtp_port`` (clients send mail there) and HTTP wherever the app is served —
``GET /_sandbox/mail`` (``?to=``, ``?subject=``), ``GET /_sandbox/mail/{id}``, ``GET /_sandbox/mail/server``
(the SMTP host/port actually bound), and the kit's ``/_sandbox/stats``, ``/faults``, ``/reset`` (empties the
mailbox). SMTP sessions count in the stats as ``SMTP RCPT`` / ``SMTP DATA`` routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import SecretStr
from starlette.responses import Response

from .._kit.admin import admin_router
from .._kit.emulator import EmulatorBuild, EmulatorContext, EmulatorFactory
from .._kit.jsonbody import ExactJSONResponse
from .._kit.middleware import SandboxKit
from .._kit.ports import port_for
from .handler import MailHandler
from .listener import SmtpListener
from .mailbox import Mailbox
from .settings import SmtpSettings

_WORLD_SEEDS = ("demo", "empty", "netsuite2-sample")


class SmtpEmulator:
    """The mail server: settings, mailbox, kit counters and the listener."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.kit = SandboxKit(settings.faults)
        self.mailbox = Mailbox(settings.mailbox_file)
        self.listener = SmtpListener(settings, MailHandler(settings, self.mailbox, self.kit))

    def server_info(self) -> dict[str, Any]:
        return {
            "host": self.settings.host,
            "port": self.listener.port,
            "security": self.settings.tls_mode,
            "auth_required": self.settings.username is not None,
        }


def create_app(settings: SmtpSettings | None = None) -> FastAPI:
    """Build the mailbox app; the SMTP listener runs while the app is being served (its lifespan)."""
    emulator = SmtpEmulator(settings or SmtpSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await emulator.listener.start()
        try:
            yield
        finally:
            await emulator.listener.stop()

    app = FastAPI(
        title="SMTP emulator mailbox (ledgerbridge sandbox)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.smtp = emulator
    app.include_router(
        admin_router(
            emulator.kit,
            reset=emulator.mailbox.clear,
            load_fixture=_no_fixtures,
            extra_stats=lambda: {"messages_total": len(emulator.mailbox), "smtp": emulator.server_info()},
        )
    )
    app.include_router(_mail_router())
    return app


def get_emulator(app: FastAPI) -> SmtpEmulator:
    found = app.state.smtp
    if not isinstance(found, SmtpEmulator):
        raise TypeError("this app was not made by ledgerbridge.sandbox.smtp.app.create_app")
    return found


def _no_fixtures(document: Mapping[str, Any]) -> Mapping[str, Any]:
    # a mail server has no records to seed: mail arrives over SMTP
    raise ValueError("the SMTP emulator takes no fixtures; send mail over SMTP instead")


def _emulator_of(request: Request) -> SmtpEmulator:
    found = request.app.state.smtp
    assert isinstance(found, SmtpEmulator)
    return found


def _mail_router() -> APIRouter:
    router = APIRouter(prefix="/_sandbox/mail", tags=["sandbox control"])

    @router.get("")
    async def mail(request: Request) -> Response:
        emulator = _emulator_of(request)
        found = emulator.mailbox.messages(
            to=request.query_params.get("to"), subject=request.query_params.get("subject")
        )
        return ExactJSONResponse({"messages": found})

    @router.get("/server")
    async def server(request: Request) -> Response:
        return ExactJSONResponse(_emulator_of(request).server_info())

    @router.get("/{number}")
    async def one(number: int, request: Request) -> Response:
        found = _emulator_of(request).mailbox.get(number)
        if found is None:
            return ExactJSONResponse({"error": f"no message {number}"}, status_code=404)
        return ExactJSONResponse(found)

    return router


class _LiveInfo(Mapping[str, Any]):
    """``EmulatorBuild.info`` whose ``smtp_port`` is read when asked: the port is bound at app start-up
    (``sandbox up`` reads the info after every emulator answers, so it sees the real port)."""

    def __init__(self, emulator: SmtpEmulator) -> None:
        self._emulator = emulator

    def _values(self) -> dict[str, Any]:
        settings = self._emulator.settings
        password = settings.password.get_secret_value() if settings.password is not None else None
        return {
            "smtp_host": settings.host,
            "smtp_port": self._emulator.listener.port or settings.smtp_port,
            "security": settings.tls_mode,
            "username": settings.username,
            "password": password,
            "mailbox_path": "/_sandbox/mail",
        }

    def __getitem__(self, key: str) -> Any:
        return self._values()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())


def sandbox_emulator_on(smtp_port: int) -> EmulatorFactory:
    """A ``sandbox up`` factory whose SMTP listener binds ``smtp_port`` (0 = any free port).

    The returned build's app is the mailbox (HTTP); ``sandbox up`` serves it on its own port. ``credentials``
    may fix ``username`` and ``password`` (both or neither; AUTH is then required).
    """

    def factory(context: EmulatorContext) -> EmulatorBuild:
        if context.seed not in _WORLD_SEEDS:
            raise ValueError(f"unknown seed {context.seed!r}; choose one of {', '.join(_WORLD_SEEDS)}")
        unknown = set(context.credentials) - {"username", "password"}
        if unknown:
            raise ValueError(f"unknown SMTP credential field(s): {', '.join(sorted(unknown))}")
        username = context.credentials.get("username")
        password = context.credentials.get("password")
        settings = SmtpSettings(
            smtp_port=smtp_port,
            username=username,
            password=SecretStr(password) if password is not None else None,
        )
        app = create_app(settings)
        emulator = get_emulator(app)
        return EmulatorBuild(app=app, info=_LiveInfo(emulator), handle=emulator)

    return factory


def sandbox_emulator(context: EmulatorContext) -> EmulatorBuild:
    """The ``sandbox up`` factory: SMTP on the kit's ``smtp`` port (8725 by default, a free port when the
    sandbox picks free ports); the mailbox app is served by ``sandbox up`` on the ``mailbox`` port. The bound
    SMTP port is reported as ``smtp_port`` in ``sandbox.json``."""
    smtp_port = 0 if context.port_base is None else port_for("smtp", context.port_base)
    return sandbox_emulator_on(smtp_port)(context)


__all__ = ["SmtpEmulator", "create_app", "get_emulator", "sandbox_emulator", "sandbox_emulator_on"]
