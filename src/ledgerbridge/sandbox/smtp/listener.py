"""The SMTP listener, run on the event loop of whatever serves the mailbox app (uvicorn's, in practice).

aiosmtpd's ``Controller`` would start a second event loop in its own thread; running ``aiosmtpd.smtp.SMTP``
on the app's loop instead keeps one loop per sandbox, lets port 0 work (the Controller's readiness probe
needs a known port), and ties the listener's life to the app's lifespan.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from typing import Any

from aiosmtpd.smtp import SMTP

from .handler import Authenticator, MailHandler
from .settings import SmtpSettings


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if settings.tls_mode == "none":
        return None
    assert settings.tls_cert_file is not None and settings.tls_key_file is not None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(settings.tls_cert_file), str(settings.tls_key_file))
    return context


class SmtpListener:
    """Accepts SMTP connections on ``settings.host:settings.smtp_port`` and hands messages to the handler."""

    def __init__(self, settings: SmtpSettings, handler: MailHandler) -> None:
        self.settings = settings
        self.handler = handler
        self._server: asyncio.Server | None = None
        self._tls = _tls_context(settings)

    @property
    def port(self) -> int | None:
        """The bound port while running (the real one when ``smtp_port`` was 0)."""
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    def _protocol(self) -> SMTP:
        settings = self.settings
        options: dict[str, Any] = {
            "hostname": settings.server_name,
            "data_size_limit": settings.data_size_limit,
            "enable_SMTPUTF8": True,
            # loopback only, so plaintext AUTH is allowed; STARTTLS mode still requires TLS before MAIL
            "auth_require_tls": False,
            "timeout": 60,
        }
        if settings.username is not None:
            options["auth_required"] = True
            options["authenticator"] = Authenticator(settings)
        if settings.tls_mode == "starttls":
            options["tls_context"] = self._tls
            options["require_starttls"] = True
        with warnings.catch_warnings():
            # aiosmtpd warns about AUTH without TLS; the sandbox only listens on loopback, by design
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return SMTP(self.handler, **options)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        implicit = self._tls if self.settings.tls_mode == "tls" else None
        self._server = await loop.create_server(
            self._protocol, host=self.settings.host, port=self.settings.smtp_port, ssl=implicit
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
