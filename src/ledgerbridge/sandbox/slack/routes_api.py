"""Web API methods under ``/api/``: ``auth.test``, ``conversations.list``, ``chat.postMessage``.

Slack accepts GET or POST for every method and answers HTTP 200 for errors too (``ok: false``); only the
rate limit is a 429. Checks run in Slack's order: arguments, token, channel, content, then the rate limit —
so a refused message never spends the channel's slot.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .context import SlackEmulator, emulator_of
from .errors import api_error
from .params import BadArguments, as_bool, as_int, bearer_token, decode_blocks, read_arguments
from .store import Channel

router = APIRouter(prefix="/api", tags=["slack web api"])

#: conversations.list's page size bounds (Slack: default 100, at most 1000)
_DEFAULT_LIMIT = 100
_MAX_LIMIT = 1000


async def _authorised(request: Request) -> tuple[SlackEmulator, dict[str, Any]] | Response:
    emulator = emulator_of(request)
    try:
        arguments = await read_arguments(request)
    except BadArguments as exc:
        return api_error(exc.code)
    problem = emulator.check_token(bearer_token(request, arguments))
    if problem is not None:
        return api_error(problem)
    return emulator, arguments


@router.api_route("/auth.test", methods=["GET", "POST"])
async def auth_test(request: Request) -> Response:
    checked = await _authorised(request)
    if isinstance(checked, Response):
        return checked
    emulator, _ = checked
    settings = emulator.settings
    return ExactJSONResponse(
        {
            "ok": True,
            "url": f"https://{settings.team_domain}.slack.com/",
            "team": settings.team_name,
            "user": settings.bot_name,
            "team_id": settings.team_id,
            "user_id": settings.bot_user_id,
            "bot_id": settings.bot_id,
            "is_enterprise_install": False,
        }
    )


@router.api_route("/conversations.list", methods=["GET", "POST"])
async def conversations_list(request: Request) -> Response:
    checked = await _authorised(request)
    if isinstance(checked, Response):
        return checked
    emulator, arguments = checked
    types = {t.strip() for t in str(arguments.get("types") or "public_channel").split(",") if t.strip()}
    exclude_archived = as_bool(arguments.get("exclude_archived"), False)
    limit = min(max(as_int(arguments.get("limit"), _DEFAULT_LIMIT), 1), _MAX_LIMIT)
    offset = _decode_cursor(str(arguments.get("cursor") or ""))
    if offset is None:
        return api_error("invalid_cursor")
    wanted = [
        channel
        for channel in emulator.store.channels()
        if ("private_channel" if channel.is_private else "public_channel") in types
        and not (exclude_archived and channel.is_archived)
    ]
    page = wanted[offset : offset + limit]
    next_offset = offset + limit
    next_cursor = _encode_cursor(next_offset) if next_offset < len(wanted) else ""
    return ExactJSONResponse(
        {
            "ok": True,
            "channels": [channel.to_api() for channel in page],
            "response_metadata": {"next_cursor": next_cursor},
        }
    )


@router.api_route("/chat.postMessage", methods=["GET", "POST"])
async def chat_post_message(request: Request) -> Response:
    checked = await _authorised(request)
    if isinstance(checked, Response):
        return checked
    emulator, arguments = checked
    channel_ref = arguments.get("channel")
    channel = emulator.store.find_channel(channel_ref) if isinstance(channel_ref, str) else None
    refusal = _channel_refusal(channel)
    if refusal is not None:
        return api_error(refusal)
    assert channel is not None  # _channel_refusal answered channel_not_found otherwise
    try:
        blocks = decode_blocks(arguments.get("blocks"))
    except BadArguments as exc:
        return api_error(exc.code)
    text = arguments.get("text")
    text = text if isinstance(text, str) else ""
    problem = _content_problem(emulator, text, blocks, arguments.get("attachments"))
    if problem is not None:
        return api_error(problem)
    thread_ts = arguments.get("thread_ts")
    thread_ts = str(thread_ts) if thread_ts not in (None, "") else None
    if thread_ts is not None and not emulator.store.has_message(channel.id, thread_ts):
        return api_error("thread_not_found")

    retry_after = emulator.limiter.try_acquire(channel.id)
    if retry_after is not None:
        emulator.kit.stats.record_throttled()
        return api_error("ratelimited", status=429, retry_after=retry_after)

    settings = emulator.settings
    stored = emulator.store.add_message(
        channel, text=text, blocks=blocks, thread_ts=thread_ts, source="api", user=settings.bot_user_id
    )
    message: dict[str, Any] = {
        "type": "message",
        "text": stored.text,
        "user": settings.bot_user_id,
        "bot_id": settings.bot_id,
        "team": settings.team_id,
        "ts": stored.ts,
    }
    if blocks is not None:
        message["blocks"] = blocks
    if thread_ts is not None:
        message["thread_ts"] = thread_ts
    return ExactJSONResponse({"ok": True, "channel": channel.id, "ts": stored.ts, "message": message})


def _channel_refusal(channel: Channel | None) -> str | None:
    if channel is None:
        return "channel_not_found"
    if channel.is_archived:
        return "is_archived"
    if not channel.is_member:
        # a private channel the bot is not in is invisible to it; a public one says not_in_channel
        return "channel_not_found" if channel.is_private else "not_in_channel"
    return None


def _content_problem(
    emulator: SlackEmulator, text: str, blocks: list[Any] | None, attachments: Any
) -> str | None:
    if not text and not blocks and not attachments:
        return "no_text"
    if len(text) > emulator.settings.max_text_length:
        return "msg_too_long"
    if blocks is not None:
        if len(blocks) > emulator.settings.max_blocks:
            return "invalid_blocks"
        if not all(isinstance(block, dict) and isinstance(block.get("type"), str) for block in blocks):
            return "invalid_blocks"
    return None


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int | None:
    if not cursor:
        return 0
    try:
        kind, _, value = base64.b64decode(cursor, validate=True).decode().partition(":")
        offset = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return offset if kind == "offset" and offset >= 0 else None
