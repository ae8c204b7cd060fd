"""Nue's error shapes mapped onto ledgerbridge's error tree (``ledgerbridge.errors``).

Nue publishes no error schema (reference notes §1.1); its CLI reads ``message``, ``error`` and ``errorId``,
and the emulator answers ``{"status": "failure", "errorCode", "message", "errorId", "data"?}``. Only the
message, code and error id are quoted back — never anything we sent, least of all the API key — and the text
goes through ``log.redact`` on top of that.

Mapping (DESIGN §4.4):

==========================================  ==================================================================
401, 403                                    Fatal — the API key is wrong, revoked, or its role may not do this
429                                         Retriable (``retry_after`` from ``Retry-After``)
5xx, 408, timeouts, transport errors        Retriable (a write may have landed: applications carry
                                            idempotency keys, so sending them again applies nothing twice)
409 ``DUPLICATE_REQUEST``                   :class:`DuplicateRequest` — already applied; the client takes the
                                            earlier results from it (treated as success, never surfaced)
410 ``CURSOR_EXPIRED``                      :class:`CursorExpired` — the change feed dropped events after the
                                            cursor; re-read records incrementally, then follow the feed again
422 ``INVALID_STATE``                       ActionNeeded — a draft, cancelled or negative document: a person
                                            must activate, reinstate or settle it first
400, 404, 409, 422 (other codes)            RecordRejected with Nue's message; ``errorCode`` as vendor code
==========================================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ledgerbridge.connectors import http_errors
from ledgerbridge.connectors.http_errors import parse_retry_after
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, RecordRejected, Retriable
from ledgerbridge.log import redact
from ledgerbridge.money import json_loads as loads

_MAX_MESSAGE = 1000


class DuplicateRequest(RecordRejected):
    """409 ``DUPLICATE_REQUEST``: every idempotency key named in ``duplicates`` was applied before.

    Not a failure: the client reads the earlier results from ``duplicates`` and re-sends only the rest.
    """

    def __init__(
        self, message: str, *, duplicates: list[dict[str, Any]], vendor_code: str | None = None
    ) -> None:
        super().__init__(message, vendor_code=vendor_code)
        self.duplicates = duplicates


class CursorExpired(Fatal):
    """The change feed no longer holds the events after this cursor."""


def _body(response: httpx.Response) -> Mapping[str, Any]:
    try:
        parsed = loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, Mapping) else {}


def _message(body: Mapping[str, Any], status: int) -> str:
    raw = body.get("message") or body.get("error")
    if isinstance(raw, Mapping):  # some gateways nest {"error": {"message": ...}}
        raw = raw.get("message")
    text = str(raw).strip() if raw else f"HTTP {status}"
    error_id = body.get("errorId")
    if error_id:
        text = f"{text} (errorId {error_id})"
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 1] + "…"
    return redact(text)


def error_from_body(
    status: int, body: Mapping[str, Any], *, where: str, retry_after: str | None
) -> LedgerbridgeError:
    """Classify a Nue error by HTTP status and decoded body."""
    code_value = body.get("errorCode") or body.get("code")
    code = str(code_value) if code_value else None
    text = _message(body, status)
    if status in (401, 403):
        what = "refused the API key" if status == 401 else "denied this operation to the API key's role"
        return Fatal(
            f"{where}: Nue {what} (HTTP {status}): {text}",
            vendor_code=code or ("UNAUTHORIZED" if status == 401 else "FORBIDDEN"),
            hint=(
                "check the Nue API key of this connection (one key per environment) and that its role has "
                "'Self-Service API Access' and the permission for this object"
            ),
        )
    if status == 429:
        return Retriable(
            f"{where}: Nue is throttling (HTTP 429): {text}",
            retry_after=parse_retry_after(retry_after),
            vendor_code=code,
            hint="the connection's limiter slows down and retries after the server's Retry-After",
        )
    if status >= 500 or status == 408:
        return Retriable(
            f"{where}: Nue failed (HTTP {status}): {text}",
            retry_after=parse_retry_after(retry_after),
            vendor_code=code,
        )
    if status == 409 and code == "DUPLICATE_REQUEST":
        data = body.get("data")
        duplicates = data.get("duplicates") if isinstance(data, Mapping) else None
        return DuplicateRequest(
            f"{where}: {text}",
            duplicates=[dict(d) for d in duplicates or () if isinstance(d, Mapping)],
            vendor_code=code,
        )
    if status == 410 and code == "CURSOR_EXPIRED":
        return CursorExpired(
            f"{where}: {text}",
            vendor_code=code,
            hint="read the records from the last checkpoint, then follow the feed from its head",
        )
    if status == 422 and code == "INVALID_STATE":
        return ActionNeeded(
            f"{where}: {text}",
            vendor_code=code,
            hint="the Nue document is a draft, cancelled or negative; fix it in Nue, then retry",
        )
    if status == 404:
        return RecordRejected(f"{where}: not found (HTTP 404): {text}", vendor_code=code or "NOT_FOUND")
    return RecordRejected(f"{where}: Nue rejected the request (HTTP {status}): {text}", vendor_code=code)


def parse_error(response: httpx.Response) -> LedgerbridgeError:
    """Classify a non-2xx Nue response into exactly one error class of ``ledgerbridge.errors``."""
    request = response.request
    # method and path only: the query string holds filters we built, never needed in a message
    return error_from_body(
        response.status_code,
        _body(response),
        where=f"Nue {request.method} {request.url.path}",
        retry_after=response.headers.get("Retry-After"),
    )


def transport_error(exc: httpx.HTTPError, request: httpx.Request | None = None) -> Retriable:
    """A Nue request that got no (complete) response (see :func:`http_errors.transport_error`)."""
    return http_errors.transport_error("Nue", exc, request)
