"""ledgerbridge.log: redaction rules, formats, and configure_logging's handler management."""

from __future__ import annotations

import io
import json
import logging

import pytest

import ledgerbridge.log as log_module
from ledgerbridge.log import (
    REDACTED,
    configure_logging,
    forget_secrets,
    get_logger,
    redact,
    register_secret,
)


def test_redacts_quoted_forms_longest_first() -> None:
    register_secret("unit-secret/a+b=c")
    register_secret("unit-secret/a+b=c-and-more")
    assert redact("x unit-secret/a+b=c-and-more y") == f"x {REDACTED} y"
    assert redact("q=unit-secret%2Fa%2Bb%3Dc") == f"q={REDACTED}"
    pem = "-----BEGIN KEY-----\nunit-pem-body-77\n-----END KEY-----"
    register_secret(pem)
    assert redact(repr({"key": pem})) == "{'key': '***'}"  # repr escapes the newlines
    assert "unit-pem-body-77" not in redact(json.dumps({"key": pem}))


def test_short_values_are_not_registered() -> None:
    register_secret("abc")
    register_secret(None)
    register_secret("")
    assert redact("abc abcd") == "abc abcd"


def test_forget_secrets() -> None:
    # other tests' registered secrets must survive this one
    saved = set(log_module._secrets)
    register_secret("unit-forgettable-42")
    try:
        forget_secrets()
        assert redact("unit-forgettable-42") == "unit-forgettable-42"
    finally:
        log_module._secrets.update(saved)


def test_get_logger_is_below_ledgerbridge() -> None:
    assert get_logger("engine").name == "ledgerbridge.engine"
    assert get_logger("ledgerbridge.hub").name == "ledgerbridge.hub"


def test_text_lines_quote_fields_and_keep_them_before_the_traceback() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    log = get_logger("unit")
    log.debug("hidden at INFO")
    try:
        raise ValueError("bad")
    except ValueError:
        log.exception("failed", extra={"record_id": "INV-1", "reason": "two words", "count": 3})
    first, *rest = stream.getvalue().splitlines()
    assert first.endswith('ledgerbridge.unit: failed record_id=INV-1 reason="two words" count=3')
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "ValueError: bad"
    assert "hidden" not in stream.getvalue()


def test_json_lines() -> None:
    stream = io.StringIO()
    configure_logging("debug", json_lines=True, stream=stream)
    get_logger("unit").debug("hello %s", "world", extra={"flow": "billing-to-erp"})
    record = json.loads(stream.getvalue())
    assert record["msg"] == "hello world" and record["flow"] == "billing-to-erp"
    assert record["level"] == "debug" and record["logger"] == "ledgerbridge.unit"


def test_a_bad_format_string_does_not_raise() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    get_logger("unit").info("two %s %s", "one")
    assert "two %s %s ('one',)" in stream.getvalue()


def test_configure_is_idempotent_and_keeps_foreign_handlers() -> None:
    foreign = logging.NullHandler()
    logging.getLogger("ledgerbridge").addHandler(foreign)
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", stream=first)
    configure_logging("INFO", stream=second)
    get_logger("unit").info("once")
    assert first.getvalue() == "" and second.getvalue().count("once") == 1
    assert foreign in logging.getLogger("ledgerbridge").handlers


def test_http_client_loggers_are_captured_and_quiet_unless_debug() -> None:
    register_secret("unit-url-token-5e1")
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    httpx_logger = logging.getLogger("httpx")
    httpx_logger.info("HTTP Request: GET /?t=unit-url-token-5e1")
    httpx_logger.warning("retrying /?t=unit-url-token-5e1")
    assert "HTTP Request" not in stream.getvalue()
    assert f"retrying /?t={REDACTED}" in stream.getvalue()

    configure_logging("DEBUG", stream=stream)
    httpx_logger.info("HTTP Request: GET /?t=unit-url-token-5e1")
    assert f"HTTP Request: GET /?t={REDACTED}" in stream.getvalue()


def test_unknown_level() -> None:
    with pytest.raises(ValueError, match="unknown log level 'LOUD'"):
        configure_logging("LOUD")
