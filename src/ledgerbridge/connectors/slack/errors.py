"""Slack's error shapes mapped onto ledgerbridge's error tree (DESIGN §4.4).

The Web API answers HTTP 200 ``{"ok": false, "error": "<code>"}``; the rate limit is HTTP 429 with
``Retry-After``; incoming webhooks answer plain-text codes with a 4xx/5xx status.

====================================================  ===========================================
``invalid_auth`` ``not_authed`` ``token_revoked``       Fatal — the token is wrong or revoked
``account_inactive`` ``token_expired`` ``no_permission``
``missing_scope`` ``no_service`` (webhook) ``invalid_token``
``channel_not_found`` ``not_in_channel``               ActionNeeded — invite the bot / fix the channel
``is_archived`` ``channel_is_archived``
``action_prohibited``
HTTP 429, ``ratelimited`` ``rate_limited``             Retriable(retry_after from ``Retry-After``)
HTTP 5xx, ``internal_error`` ``fatal_error``
``service_unavailable`` ``request_timeout``, transport
anything else (``no_text`` ``msg_too_long``            RecordRejected — this message will never be accepted
``invalid_blocks`` ``invalid_payload`` …)
====================================================  ===========================================

Only Slack's error code is quoted: never the request, the token or the webhook URL.
"""

from __future__ import annotations

import httpx

from ledgerbridge.connectors.http_errors import parse_retry_after
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, RecordRejected, Retriable

FATAL_CODES = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "no_service",
        "invalid_token",
        "team_disabled",
    }
)
ACTION_CODES = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "action_prohibited"}
)
RETRIABLE_CODES = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_HINTS = {
    "channel_not_found": "check the channel name; for a private channel, invite the bot first",
    "not_in_channel": "invite the bot to the channel (/invite @<bot>)",
    "is_archived": "unarchive the channel or choose another one",
    "channel_is_archived": "unarchive the channel or create a new incoming webhook",
}


def error_for_code(code: str, *, status: int = 200, retry_after: float | None = None) -> LedgerbridgeError:
    """The classified error for one Slack error code (from the Web API or a webhook)."""
    message = f"Slack refused the request: {code}"
    if status == 429 or code in RETRIABLE_CODES or status >= 500:
        return Retriable(message, retry_after=retry_after, vendor_code=code)
    if code in FATAL_CODES:
        return Fatal(message, vendor_code=code, hint="check the Slack bot token or webhook URL")
    if code in ACTION_CODES:
        return ActionNeeded(message, vendor_code=code, hint=_HINTS.get(code))
    return RecordRejected(message, vendor_code=code)


def api_error(response: httpx.Response) -> LedgerbridgeError | None:
    """None for a successful Web API answer; otherwise the classified error."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict) and body.get("ok") is True:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code:
        code = f"http_{response.status_code}"
    return error_for_code(code, status=response.status_code, retry_after=retry_after)


def webhook_error(response: httpx.Response) -> LedgerbridgeError | None:
    """None for a webhook's ``200 ok``; otherwise the classified error from its plain-text code."""
    if response.status_code == 200:
        return None
    code = response.text.strip()[:100] or f"http_{response.status_code}"
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if response.status_code in (401, 403) and code not in ACTION_CODES:
        return Fatal(f"Slack refused the webhook: {code}", vendor_code=code, hint="check the webhook URL")
    return error_for_code(code, status=response.status_code, retry_after=retry_after)


def transport_error(exc: httpx.TransportError) -> Retriable:
    """A timeout or dropped connection: the message may or may not have landed."""
    return Retriable(f"Slack could not be reached: {type(exc).__name__}", vendor_code="transport")
