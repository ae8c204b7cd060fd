"""NetSuite's error shapes mapped onto ledgerbridge's error tree (``ledgerbridge.errors``).

NetSuite answers every REST error as ``{type, title, status, "o:errorDetails": [{detail, "o:errorCode",
"o:errorPath"?, "o:errorQueryParam"?}]}`` (notes §1.11). Clients key on ``status`` and ``o:errorCode``; the
``detail`` text is the only part quoted back to a user, so a message never carries anything we sent (least of
all credentials), and it is passed through ``log.redact`` on top of that.

Mapping (DESIGN §4.4):

======================================  =====================================================================
429                                      Retriable (``retry_after`` from ``Retry-After``)
5xx, 408, timeouts, transport errors     Retriable (a dropped response after a committed write too: the hub's
                                         recovery looks the record up by external id before re-sending)
401 ``INVALID_LOGIN``                    Fatal — check the credentials and the role's permissions
403 ``INSUFFICIENT_PERMISSION``          Fatal — the role lacks a permission
400 locked record / closed period        ActionNeeded — a person must unlock or reopen; never auto-retried
400 ``IDEMPOTENCY_ERROR``                :class:`IdempotencyConflict` (carries the earlier job's Location)
400 / 404 / other 4xx                    RecordRejected: the vendor's detail, ``o:errorCode`` as vendor_code
======================================  =====================================================================
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import httpx

from ledgerbridge.connectors import http_errors
from ledgerbridge.connectors.http_errors import parse_retry_after
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, RecordRejected, Retriable
from ledgerbridge.log import redact

# Details that mean "a person has to do something in NetSuite first" (notes §1.11, §7.3; emulator docs).
_LOCKED_RE = re.compile(r"locked by a user defined workflow", re.IGNORECASE)
_CLOSED_PERIOD_RE = re.compile(r"closed period|period is closed", re.IGNORECASE)
_MAX_DETAIL = 1000


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of ``o:errorDetails``."""

    detail: str
    code: str | None
    path: str | None = None
    query_param: str | None = None


class IdempotencyConflict(RecordRejected):
    """``IDEMPOTENCY_ERROR``: a request with the same idempotency key was already submitted.

    Not a failure of the record: the batch writer follows ``job_location`` and reads the earlier job's
    results instead (no new effect). It only escapes the connector when the earlier job cannot be found.
    """

    def __init__(self, message: str, *, job_location: str | None, vendor_code: str | None = None) -> None:
        super().__init__(message, vendor_code=vendor_code)
        self.job_location = job_location


def error_details(payload: object) -> list[ErrorDetail]:
    """The ``o:errorDetails`` entries of a decoded NetSuite error body (empty when it has none)."""
    if not isinstance(payload, dict):
        return []
    raw = payload.get("o:errorDetails")
    if not isinstance(raw, list):
        return []
    details: list[ErrorDetail] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        detail = entry.get("detail")
        code = entry.get("o:errorCode")
        path = entry.get("o:errorPath")
        param = entry.get("o:errorQueryParam")
        details.append(
            ErrorDetail(
                detail=str(detail) if detail is not None else "",
                code=str(code) if code is not None else None,
                path=str(path) if path is not None else None,
                query_param=str(param) if param is not None else None,
            )
        )
    return details


def _decode(response: httpx.Response) -> object:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def _describe(details: list[ErrorDetail], status: int) -> str:
    texts = [d.detail.strip() for d in details if d.detail.strip()]
    text = " | ".join(texts) if texts else f"HTTP {status}"
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return redact(text)


def error_from_payload(
    status: int,
    payload: object,
    *,
    where: str = "NetSuite",
    retry_after: str | None = None,
    location: str | None = None,
) -> LedgerbridgeError:
    """Classify a NetSuite error by HTTP status and decoded body (also used for async task results)."""
    details = error_details(payload)
    code = next((d.code for d in details if d.code), None)
    text = _describe(details, status)

    if status == 429:
        return Retriable(
            f"{where}: NetSuite is throttling (HTTP 429): {text}",
            retry_after=parse_retry_after(retry_after),
            vendor_code=code,
            hint="the connection's limiter slows down and retries after the server's Retry-After",
        )
    if status >= 500 or status == 408:
        return Retriable(
            f"{where}: NetSuite failed (HTTP {status}): {text}",
            retry_after=parse_retry_after(retry_after),
            vendor_code=code,
        )
    if status == 401:
        return Fatal(
            f"{where}: NetSuite refused the login (HTTP 401): {text}",
            vendor_code=code or "INVALID_LOGIN",
            hint=(
                "check the credentials and the role: the account id, the consumer key/secret and token "
                "id/secret (or OAuth 2.0 client id, certificate id and private key), and that the role has "
                "the 'REST Web Services' and 'Log in using Access Tokens' (or OAuth 2.0) permissions"
            ),
        )
    if status == 403:
        return Fatal(
            f"{where}: NetSuite denied access (HTTP 403): {text}",
            vendor_code=code or "INSUFFICIENT_PERMISSION",
            hint="give the integration role the permission for this record type or operation",
        )
    if code == "IDEMPOTENCY_ERROR":
        return IdempotencyConflict(f"{where}: {text}", job_location=location, vendor_code=code)
    joined = " ".join(d.detail for d in details)
    if _LOCKED_RE.search(joined):
        return ActionNeeded(
            f"{where}: {text}",
            vendor_code=code,
            hint="a NetSuite workflow locks the record; unlock it or finish the workflow, then retry",
        )
    if _CLOSED_PERIOD_RE.search(joined):
        return ActionNeeded(
            f"{where}: {text}",
            vendor_code=code,
            hint="the accounting period is closed; reopen it or post to an open period, then retry",
        )
    if status == 404:
        return RecordRejected(f"{where}: not found (HTTP 404): {text}", vendor_code=code or "NONEXISTENT_ID")
    return RecordRejected(f"{where}: NetSuite rejected the request (HTTP {status}): {text}", vendor_code=code)


def parse_error(response: httpx.Response) -> LedgerbridgeError:
    """Classify a non-2xx NetSuite response into exactly one error class of ``ledgerbridge.errors``."""
    request = response.request
    # Method and path only: the query string may carry a SuiteQL filter or q expression, never needed here.
    return error_from_payload(
        response.status_code,
        _decode(response),
        where=f"NetSuite {request.method} {request.url.path}",
        retry_after=response.headers.get("Retry-After"),
        location=response.headers.get("Location"),
    )


def transport_error(exc: httpx.HTTPError, request: httpx.Request | None = None) -> Retriable:
    """A NetSuite request that got no (complete) response (see :func:`http_errors.transport_error`)."""
    return http_errors.transport_error("NetSuite", exc, request)
