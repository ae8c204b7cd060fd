"""The change feed (``GET /events``) and webhook subscriptions (``/webhooks``).

Nue documents webhooks but no pollable feed; the feed is the emulator's model of "changes since a cursor"
(documented as an assumption): ``GET /events?afterSequence=<n>&limit=<m>&types=a,b`` returns events in
sequence order with ``pagination.hasMore`` and ``pagination.lastSequence`` (the cursor to resume from).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from . import events
from .context import NueEmulator, authenticate, emulator, json_body
from .envelope import success
from .errors import NueError
from .listing import list_response
from .query import parse_query
from .settings import NueEmulatorSettings
from .store import Record


def build(settings: NueEmulatorSettings) -> APIRouter:
    router = APIRouter(prefix=settings.api_prefix, dependencies=[Depends(authenticate)])

    @router.get("/events")
    async def list_events(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        query = parse_query(request.url.query, nue.settings)
        after_raw = query.extra.get("afterSequence", "0") or "0"
        if not after_raw.isdigit():
            raise NueError.invalid("afterSequence must be a whole number, 0 or more.", field="afterSequence")
        types = [t for t in query.extra.get("types", "").split(",") if t] or None
        page = nue.store.events_after(int(after_raw), query.limit, types)
        return success(
            nue.settings,
            page.events,
            pagination={"limit": query.limit, "hasMore": page.more, "lastSequence": page.through},
        )

    @router.post("/webhooks")
    async def register(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        record = events.register_webhook(nue.store, await json_body(request))
        nue.webhooks.poke()
        return nue.ok(record)

    @router.get("/webhooks")
    async def list_webhooks(request: Request, nue: NueEmulator = Depends(emulator)) -> Response:
        return list_response(nue, request, lambda: nue.store.rows("webhooks"))

    @router.delete("/webhooks/{webhook_id}")
    async def delete(webhook_id: str, nue: NueEmulator = Depends(emulator)) -> Response:
        record: Record = events.delete_webhook(nue.store, webhook_id)
        return nue.ok(record)

    return router
