"""Slack's error shapes: Web API errors are HTTP 200 ``{"ok": false, "error": "<code>"}`` (429 for the rate
limit, with ``Retry-After``); incoming webhooks answer plain-text codes with a 4xx/5xx status."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from .._kit.jsonbody import ExactJSONResponse
from .._kit.middleware import Rejection


def api_error(code: str, *, status: int = 200, retry_after: int | None = None) -> Response:
    """A Web API failure exactly as Slack sends it (status 200 unless it is the 429 rate limit)."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return ExactJSONResponse({"ok": False, "error": code}, status_code=status, headers=headers)


def webhook_error(status: int, code: str, *, retry_after: int | None = None) -> Response:
    """An incoming-webhook failure: a plain-text code (``invalid_payload``, ``channel_not_found``…)."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return PlainTextResponse(code, status_code=status, headers=headers)


def render_rejection(rejection: Rejection) -> Response:
    """The kit's injected faults in Slack's shape (the Web API's; webhook clients only read the status)."""
    if rejection.status == 429:
        return api_error("ratelimited", status=429, retry_after=rejection.retry_after or 1)
    code = "internal_error" if rejection.status == 500 else "service_unavailable"
    return api_error(code, status=rejection.status)
