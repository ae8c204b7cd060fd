"""NetSuite error shapes → ledgerbridge error classes, for every code the connector knows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from ledgerbridge.connectors.netsuite import IdempotencyConflict, NetSuiteClient, parse_error
from ledgerbridge.connectors.netsuite.errors import parse_retry_after, transport_error
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, RecordRejected, Retriable

from .conftest import REST, TBA_SECRETS, error_json

URL = f"{REST}/record/v1/customer/eid:C-1"


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("PUT", URL + "?replace=item")
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "code", "detail", "expected"),
    [
        (400, "USER_ERROR", "Please enter value(s) for: Company Name.", RecordRejected),
        (400, "INVALID_KEY_OR_REF", "Invalid subsidiary reference key 999.", RecordRejected),
        (400, "NONEXISTENT_FIELD", "Unknown field name 'foo' in the search query.", RecordRejected),
        (400, "INVALID_PARAMETER", "Search error occurred: Unknown identifier 'nope'.", RecordRejected),
        (400, "DUP_RCRD", "A record with this name already exists (id 17).", RecordRejected),
        (404, "NONEXISTENT_ID", "The record instance does not exist.", RecordRejected),
        (401, "INVALID_LOGIN", "Invalid login attempt.", Fatal),
        (403, "INSUFFICIENT_PERMISSION", "Permission Violation: you need the REST permission.", Fatal),
        (400, "USER_ERROR", "This record has been locked by a user defined workflow.", ActionNeeded),
        (400, "USER_ERROR", "You cannot post to a closed period (Jan 2026).", ActionNeeded),
        (
            400,
            "USER_ERROR",
            "The transaction date falls in a period that is closed... period is closed",
            ActionNeeded,
        ),
        (429, "CONCURRENCY_LIMIT_EXCEEDED", "Too many concurrent requests.", Retriable),
        (500, "UNEXPECTED_ERROR", "An unexpected error occurred.", Retriable),
        (503, "UNEXPECTED_ERROR", "Service unavailable.", Retriable),
    ],
)
def test_error_mapping(status: int, code: str, detail: str, expected: type[LedgerbridgeError]) -> None:
    error = parse_error(response(status, error_json(status, code, detail)))
    assert type(error) is expected
    assert error.vendor_code == code
    assert detail in error.message
    assert "PUT /services/rest/record/v1/customer/eid:C-1" in error.message
    assert "replace=item" not in error.message  # no query strings in messages


def test_idempotency_error_carries_the_earlier_job() -> None:
    body = error_json(
        400, "IDEMPOTENCY_ERROR", "A request with the same idempotency key is already submitted."
    )
    error = parse_error(response(400, body, {"Location": "/services/rest/async/v1/job/7"}))
    assert isinstance(error, IdempotencyConflict)
    assert isinstance(error, RecordRejected)
    assert error.job_location == "/services/rest/async/v1/job/7"


def test_invalid_login_says_to_check_credentials_and_role_without_them() -> None:
    error = parse_error(response(401, error_json(401, "INVALID_LOGIN", "Invalid login attempt.")))
    assert isinstance(error, Fatal)
    text = str(error)
    assert "check the credentials and the role" in text
    for secret in TBA_SECRETS.values():
        assert secret not in text


def test_retry_after_seconds_and_http_date() -> None:
    error = parse_error(response(429, error_json(429, "X", "slow down"), {"Retry-After": "7"}))
    assert isinstance(error, Retriable)
    assert error.retry_after == 7.0
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") is None  # a negative header is no advice: the engine's own backoff applies


def test_non_json_error_bodies_are_classified_by_status() -> None:
    request = httpx.Request("GET", URL)
    html = httpx.Response(502, text="<html>bad gateway</html>", request=request)
    error = parse_error(html)
    assert isinstance(error, Retriable)
    assert "<html>" not in error.message
    assert isinstance(parse_error(httpx.Response(400, text="nope", request=request)), RecordRejected)


def test_transport_errors_are_retriable() -> None:
    request = httpx.Request("POST", f"{REST}/query/v1/suiteql")
    timeout = transport_error(httpx.ReadTimeout("timed out", request=request), request)
    assert isinstance(timeout, Retriable)
    assert "timed out" in timeout.message
    dropped = transport_error(
        httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request), request
    )
    assert isinstance(dropped, Retriable)
    assert dropped.vendor_code == "RemoteProtocolError"


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
async def test_client_maps_transport_failures(
    client: NetSuiteClient, router: respx.MockRouter, exc: Exception
) -> None:
    router.get("/record/v1/customer/1").mock(side_effect=exc)
    with pytest.raises(Retriable):
        await client.get("customer", "1")
    assert client.requests_sent["read"] == 1


async def test_client_raises_classified_errors(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.post("/record/v1/customer").respond(
        400, json=error_json(400, "USER_ERROR", "Please enter value(s).")
    )
    with pytest.raises(RecordRejected, match="Please enter value"):
        await client.create("customer", {})
