"""The control surface every emulator serves under ``/_sandbox/`` (DESIGN §5; not part of any vendor API).

=====================  ==============================================================================
GET  /_sandbox/stats   ``{"requests_total", "requests_by_route", "throttled_total",
                       "faults_injected_total"}`` (+ emulator extras)
GET  /_sandbox/faults  the current fault knobs
POST /_sandbox/faults  partial update of the knobs: ``{"error_rate": 0.2, "seed": 7}``
POST /_sandbox/reset   the emulator's data back to its start seed; counters zeroed; knobs back to start
POST /_sandbox/seed    a JSON fixture of that system's records (``?name=<seed>`` loads a named seed instead)
=====================  ==============================================================================

No authentication: the sandbox listens on loopback only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .jsonbody import ExactJSONResponse, loads
from .middleware import SandboxKit

ResetFn = Callable[[], None]
LoadFixtureFn = Callable[[Mapping[str, Any]], Mapping[str, Any]]
LoadSeedFn = Callable[[str], None]
ExtraStatsFn = Callable[[], Mapping[str, Any]]


def _bad_request(message: str, **extra: Any) -> Response:
    return ExactJSONResponse({"error": message, **extra}, status_code=400)


async def _json_object(request: Request) -> dict[str, Any] | Response:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        parsed = loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _bad_request(f"The body is not valid JSON: {exc}")
    if not isinstance(parsed, dict):
        return _bad_request("The body must be a JSON object.")
    return parsed


def admin_router(
    kit: SandboxKit,
    *,
    reset: ResetFn,
    load_fixture: LoadFixtureFn,
    load_seed: LoadSeedFn | None = None,
    extra_stats: ExtraStatsFn | None = None,
) -> APIRouter:
    """Build the ``/_sandbox`` routes around an emulator's own reset/seed functions.

    ``reset`` restores the emulator's data; the kit's counters and knobs are reset here. The callbacks
    run in a worker thread, so they may block (loading a seed can take a moment); ``ValueError`` and
    ``LookupError`` from ``load_fixture``/``load_seed`` become a 400 with the message.
    """
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])

    @router.get("/stats")
    async def stats() -> Response:
        body: dict[str, Any] = kit.stats.snapshot()
        body["in_flight"] = kit.gate.in_flight
        if extra_stats is not None:
            body.update(await run_in_threadpool(extra_stats))
        return ExactJSONResponse(body)

    @router.get("/faults")
    async def get_faults() -> Response:
        return ExactJSONResponse(kit.faults.settings.model_dump())

    @router.post("/faults")
    async def set_faults(request: Request) -> Response:
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        # JSON numbers like 0.2 arrive as Decimal; the knobs are plain probabilities.
        changes = {key: float(value) if isinstance(value, Decimal) else value for key, value in body.items()}
        try:
            settings = kit.faults.configure(changes)
        except ValidationError as exc:
            problems = [
                {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
                for error in exc.errors()
            ]
            return _bad_request("Invalid fault settings.", problems=problems)
        return ExactJSONResponse(settings.model_dump())

    @router.post("/reset")
    async def reset_all() -> Response:
        await run_in_threadpool(reset)
        kit.reset()
        return ExactJSONResponse({"status": "reset"})

    @router.post("/seed")
    async def seed(request: Request) -> Response:
        name = request.query_params.get("name")
        if name is not None:
            if load_seed is None:
                return _bad_request("This emulator has no named seeds.")
            try:
                await run_in_threadpool(load_seed, name)
            except (ValueError, LookupError) as exc:
                return _bad_request(str(exc))
            return ExactJSONResponse({"status": "seeded", "seed": name})
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        try:
            loaded = await run_in_threadpool(load_fixture, body)
        except (ValueError, LookupError) as exc:
            return _bad_request(str(exc))
        return ExactJSONResponse({"status": "loaded", "loaded": dict(loaded)})

    return router
