"""``GET /_sandbox/slack/messages[?channel=C…|name]``: what the workspace received (not a Slack API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .context import emulator_of

router = APIRouter(prefix="/_sandbox/slack", tags=["sandbox control"])


@router.get("/messages")
async def messages(request: Request) -> Response:
    emulator = emulator_of(request)
    channel = request.query_params.get("channel")
    found = emulator.store.messages(channel.removeprefix("#") if channel else None)
    return ExactJSONResponse({"messages": [message.to_json() for message in found]})


@router.get("/channels")
async def channels(request: Request) -> Response:
    emulator = emulator_of(request)
    return ExactJSONResponse({"channels": [channel.to_api() for channel in emulator.store.channels()]})


@router.get("/webhooks")
async def webhooks(request: Request) -> Response:
    emulator = emulator_of(request)
    return ExactJSONResponse(
        {"webhooks": [{"path": hook.path, "channel": hook.channel_id} for hook in emulator.store.webhooks()]}
    )
