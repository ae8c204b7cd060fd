"""Incoming webhooks: ``POST /services/<T>/<B>/<secret>`` (``/hooks/...`` too) with a JSON message.

Answers as hooks.slack.com does (reference notes §5): 200 ``ok``; plain-text errors 400 ``invalid_payload``
/ ``no_text``, 404 ``no_service`` (unknown URL), 404 ``channel_not_found``, 410 ``channel_is_archived``;
the channel's posting limit applies (429 + ``Retry-After``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from .._kit.jsonbody import loads
from .context import emulator_of
from .errors import webhook_error
from .params import BadArguments, decode_blocks

router = APIRouter(tags=["slack incoming webhooks"])


@router.post("/services/{team}/{bot}/{secret}")
@router.post("/hooks/{team}/{bot}/{secret}")
async def incoming_webhook(team: str, bot: str, secret: str, request: Request) -> Response:
    emulator = emulator_of(request)
    hook = emulator.store.webhook(f"/services/{team}/{bot}/{secret}")
    if hook is None:
        return webhook_error(404, "no_service")
    payload = _payload(await request.body(), request.headers.get("content-type", ""))
    if payload is None:
        return webhook_error(400, "invalid_payload")
    try:
        blocks = decode_blocks(payload.get("blocks"))
    except BadArguments:
        return webhook_error(400, "invalid_blocks")
    text = payload.get("text")
    text = text if isinstance(text, str) else ""
    if not text and not blocks and not payload.get("attachments"):
        return webhook_error(400, "no_text")
    channel = emulator.store.find_channel(hook.channel_id)
    if channel is None:
        return webhook_error(404, "channel_not_found")
    if channel.is_archived:
        return webhook_error(410, "channel_is_archived")
    retry_after = emulator.limiter.try_acquire(channel.id)
    if retry_after is not None:
        emulator.kit.stats.record_throttled()
        return webhook_error(429, "rate_limited", retry_after=retry_after)
    emulator.store.add_message(
        channel,
        text=text,
        blocks=blocks,
        thread_ts=None,
        source="webhook",
        user=emulator.settings.bot_user_id,
    )
    return PlainTextResponse("ok")


def _payload(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """The JSON body, or the legacy ``payload=<json>`` form field; None when neither parses."""
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        fields = parse_qs(raw.decode("utf-8", "replace"))
        raw = fields.get("payload", [""])[0].encode()
    try:
        body = loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None
