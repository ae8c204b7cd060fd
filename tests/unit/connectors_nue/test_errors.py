"""Every Nue error shape maps to exactly one ledgerbridge error class, without leaking the API key."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from ledgerbridge.connectors.nue.errors import (
    CursorExpired,
    DuplicateRequest,
    parse_error,
    parse_retry_after,
    transport_error,
)
from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable
from ledgerbridge.log import forget_secrets, register_secret


def _response(
    status: int, body: Any = None, *, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> httpx.Response:
    request = httpx.Request("POST", "https://api.nue.io/billing/invoices:pay?limit=5")
    if raw is not None:
        return httpx.Response(status, content=raw, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def _failure(code: str, message: str = "nope", **extra: Any) -> dict[str, Any]:
    return {"status": "failure", "errorCode": code, "message": message, "errorId": "e-1", **extra}


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_are_fatal_with_a_hint(status: int) -> None:
    error = parse_error(
        _response(status, _failure("UNAUTHORIZED" if status == 401 else "FORBIDDEN", "bad key"))
    )
    assert type(error) is Fatal
    assert error.vendor_code in ("UNAUTHORIZED", "FORBIDDEN")
    assert "bad key (errorId e-1)" in error.message and "POST /billing/invoices:pay" in error.message
    assert "limit=5" not in error.message
    assert error.hint and "API key" in error.hint


def test_throttling_is_retriable_after_the_servers_delay() -> None:
    error = parse_error(_response(429, _failure("TOO_MANY_REQUESTS"), headers={"Retry-After": "7"}))
    assert isinstance(error, Retriable) and error.retry_after == 7.0
    later = format_datetime(datetime(2030, 1, 1, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now=datetime(2029, 12, 31, 23, 59, 30, tzinfo=UTC)) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_failures_are_retriable(status: int) -> None:
    error = parse_error(_response(status, _failure("INTERNAL_ERROR")))
    assert isinstance(error, Retriable) and error.vendor_code == "INTERNAL_ERROR"


def test_a_gateway_page_without_json_is_still_classified() -> None:
    error = parse_error(_response(502, raw=b"<html>Bad gateway</html>"))
    assert isinstance(error, Retriable) and "HTTP 502" in error.message
    rejected = parse_error(_response(400, raw=b"oops"))
    assert type(rejected) is RecordRejected and "HTTP 400" in rejected.message


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "VALIDATION_ERROR"),
        (422, "AMOUNT_EXCEEDS_BALANCE"),
        (422, "CUSTOMER_MISMATCH"),
        (409, "IDEMPOTENCY_KEY_REUSED"),
    ],
)
def test_validation_and_rule_failures_reject_the_record(status: int, code: str) -> None:
    error = parse_error(_response(status, _failure(code, "amount 5 is more than the 3 left")))
    assert type(error) is RecordRejected
    assert error.vendor_code == code and "amount 5 is more than the 3 left" in error.message


def test_not_found_is_rejected_with_its_code() -> None:
    error = parse_error(_response(404, _failure("NOT_FOUND", "Invoice 'x' was not found.")))
    assert type(error) is RecordRejected and error.vendor_code == "NOT_FOUND"


def test_a_document_in_the_wrong_state_needs_a_person() -> None:
    error = parse_error(_response(422, _failure("INVALID_STATE", "invoice INV-1 is Canceled")))
    assert isinstance(error, ActionNeeded) and error.hint


def test_duplicate_request_carries_the_earlier_results() -> None:
    duplicates = [{"id": "a1", "idempotencyKey": "k1", "duplicate": True}]
    error = parse_error(_response(409, _failure("DUPLICATE_REQUEST", data={"duplicates": duplicates})))
    assert isinstance(error, DuplicateRequest) and isinstance(error, RecordRejected)
    assert error.duplicates == duplicates


def test_an_expired_feed_cursor_is_fatal_for_the_feed() -> None:
    error = parse_error(_response(410, _failure("CURSOR_EXPIRED")))
    assert isinstance(error, CursorExpired) and isinstance(error, Fatal)


def test_messages_never_carry_a_registered_secret() -> None:
    register_secret("nue-key-super-secret-123")
    try:
        error = parse_error(
            _response(400, _failure("VALIDATION_ERROR", "key nue-key-super-secret-123 is odd"))
        )
        assert "nue-key-super-secret-123" not in str(error) and "***" in str(error)
    finally:
        forget_secrets()


def test_long_messages_are_cut() -> None:
    error = parse_error(_response(400, _failure("VALIDATION_ERROR", "x" * 5000)))
    assert len(error.message) < 1200 and error.message.endswith("…")


def test_transport_failures_are_retriable() -> None:
    request = httpx.Request("GET", "https://api.nue.io/invoices")
    timeout = transport_error(httpx.ReadTimeout("read timed out"), request)
    assert (
        isinstance(timeout, Retriable)
        and "timed out" in timeout.message
        and timeout.vendor_code == "ReadTimeout"
    )
    dropped = transport_error(httpx.RemoteProtocolError("Server disconnected"), request)
    assert "connection failed" in dropped.message and "GET /invoices" in dropped.message
