"""Nue's response envelopes (reference notes §1.1) and the sandbox kit's refusals in Nue's words.

Success: ``{"status": "success", "data": ..., "warnings"?: [...], "pagination"?: {...}}``; lists carry
``pagination.total`` as the invoice guide documents. Errors: ``{"status": "failure", "errorCode", "message",
"errorId", "data"?}`` (no schema is published; the CLI reads ``message`` and ``errorId``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from .._kit.jsonbody import ExactJSONResponse
from .._kit.middleware import Rejection
from .errors import NueError
from .settings import NueEmulatorSettings


def success(
    settings: NueEmulatorSettings,
    data: Any,
    *,
    status_code: int = 200,
    warnings: Sequence[str] = (),
    pagination: Mapping[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {"status": settings.success_status, "data": data}
    if warnings:
        body["warnings"] = list(warnings)
    if pagination is not None:
        body["pagination"] = dict(pagination)
    return ExactJSONResponse(body, status_code=status_code)


def error_response(settings: NueEmulatorSettings, error: NueError) -> Response:
    body: dict[str, Any] = {
        "status": settings.failure_status,
        "errorCode": error.code,
        "message": error.message,
        "errorId": str(uuid.uuid4()),
    }
    if error.data is not None:
        body["data"] = error.data
    return ExactJSONResponse(body, status_code=error.status, headers=error.headers or None)


def render_rejection(settings: NueEmulatorSettings, rejection: Rejection) -> Response:
    """The kit middleware's refusals (limits, injected throttles and errors) as Nue would answer them."""
    headers: dict[str, str] = {}
    if rejection.retry_after is not None:
        headers["Retry-After"] = str(rejection.retry_after)
    if rejection.status == 429:
        error = NueError(
            429,
            "TOO_MANY_REQUESTS",
            "Rate limit exceeded; retry after the time given in Retry-After.",
            headers=headers,
        )
    else:
        error = NueError(rejection.status, "INTERNAL_ERROR", "An unexpected error occurred.", headers=headers)
    return error_response(settings, error)
