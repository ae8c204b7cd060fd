"""``SlackClient``: post messages with Block Kit blocks via ``chat.postMessage`` or an incoming webhook.

Every call goes through one ``httpx.AsyncClient`` on the injectable ``transport`` and, for posts, through
the per-channel :class:`~.pacing.ChannelPacer`. Nothing retries here — the engine decides from the error
class (:mod:`.errors`); a 429 only moves the channel's next slot out by ``Retry-After``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from ledgerbridge.errors import Fatal, Retriable
from ledgerbridge.log import register_secret

from .config import SlackSettings
from .errors import api_error, transport_error, webhook_error
from .pacing import ChannelPacer
from .records import AuthIdentity, PostedMessage, SlackMessage

#: the pacer key of the webhook (it always posts to the one channel it was created for)
WEBHOOK_KEY = "webhook"


class SlackClient:
    """An authenticated Slack Web API / incoming-webhook client for one workspace."""

    def __init__(
        self,
        settings: SlackSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        pacer: ChannelPacer | None = None,
    ) -> None:
        # settings built in code (tests, the sandbox) must never reach a log line either
        if settings.token is not None:
            register_secret(settings.token.get_secret_value())
        if settings.webhook_url is not None:
            register_secret(settings.webhook_url.get_secret_value())
        self.settings = settings
        self.pacer = pacer or ChannelPacer(settings.min_interval)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=settings.timeout,
            follow_redirects=False,
            headers={"User-Agent": "ledgerbridge-slack"},
        )

    async def __aenter__(self) -> SlackClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- Web API ------------------------------------------------------------------------------------------

    async def auth_test(self) -> AuthIdentity:
        """Check the token (``auth.test``); Fatal when it is wrong or revoked."""
        body = await self._call("auth.test", {})
        return AuthIdentity(
            team_id=str(body.get("team_id", "")),
            team=str(body.get("team", "")),
            user_id=str(body.get("user_id", "")),
            bot_id=body.get("bot_id"),
        )

    async def post_message(self, message: SlackMessage, *, channel: str | None = None) -> PostedMessage:
        """Post ``message`` to ``channel`` (or the default channel), waiting for the channel's turn."""
        target = channel or self.settings.default_channel
        if not target:
            raise Fatal("no Slack channel given and no default_channel configured")
        async with self.pacer.slot(target) as slot:
            try:
                body = await self._call("chat.postMessage", {"channel": target, **message.payload()})
            except Retriable as exc:
                slot.retry_after = exc.retry_after
                raise
            posted = PostedMessage(channel=str(body["channel"]), ts=str(body["ts"]), raw=body)
            self.pacer.alias(target, posted.channel)
        return posted

    async def _call(self, method: str, arguments: dict[str, Any]) -> dict[str, Any]:
        if self.settings.token is None:
            raise Fatal("this Slack connection has no bot token; only the webhook can be used")
        headers = {"Authorization": f"Bearer {self.settings.token.get_secret_value()}"}
        try:
            # JSON as slack_sdk sends chat.postMessage; Slack wants the charset spelled out
            response = await self._http.post(
                f"{self.settings.base_url}{method}",
                json=arguments,
                headers={**headers, "Content-Type": "application/json; charset=utf-8"},
            )
        except httpx.TransportError as exc:
            raise transport_error(exc) from None
        error = api_error(response)
        if error is not None:
            raise error
        body: dict[str, Any] = response.json()
        return body

    # --- incoming webhook ---------------------------------------------------------------------------------

    async def post_webhook(self, message: SlackMessage) -> None:
        """Post ``message`` through the incoming webhook (paced like a channel: it posts to one)."""
        if self.settings.webhook_url is None:
            raise Fatal("this Slack connection has no webhook_url")
        async with self.pacer.slot(WEBHOOK_KEY) as slot:
            try:
                response = await self._http.post(
                    self.settings.webhook_url.get_secret_value(), json=message.payload()
                )
            except httpx.TransportError as exc:
                raise transport_error(exc) from None
            error = webhook_error(response)
            if error is not None:
                if isinstance(error, Retriable):
                    slot.retry_after = error.retry_after
                raise error
