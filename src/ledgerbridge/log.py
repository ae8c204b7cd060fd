"""Structured logging with secrets redacted by construction.

Every secret the product resolves (env var, secrets file, sandbox credentials) is registered here the moment
it is read (``register_secret``). The redaction filter sits on every handler that ``configure_logging``
installs, so a secret that reaches a log record — in the message, its arguments, an exception text, a stack
or an ``extra`` field — is replaced by ``***`` before any formatter sees it. ``redact`` is the same rule for
text that leaves the process another way (hub error columns, console, CLI output).

A secret is also redacted in the forms it takes when it is quoted on its way out: URL-encoded (query strings,
form bodies), JSON-escaped and ``repr``-escaped (a PEM key's newlines become ``\\n``).

Output is either human lines (``2026-11-23 10:00:01 INFO ledgerbridge.engine: message key=value``) or JSON
lines (one object per record, for log shippers). The HTTP client libraries' loggers are routed through the
same redacting handlers (at WARNING unless the level is DEBUG), because they print request URLs.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

REDACTED = "***"
#: secrets shorter than this are not redacted by substring (a 2-char "secret" would shred every log line);
#: config validation refuses such short secrets instead.
MIN_SECRET_LENGTH = 4
#: third-party loggers whose records go through the product's handlers (they log request URLs)
CAPTURED_LOGGERS: tuple[str, ...] = ("httpx", "httpcore")

_lock = threading.Lock()
_secrets: set[str] = set()
# the standard LogRecord attributes; anything else on a record came from ``extra=`` and is logged as a field
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# values logged as they are; anything else is turned into (redacted) text before a formatter can str() it
_PLAIN_TYPES = (int, float, bool, Decimal, type(None))
# marks the handlers configure_logging installed, so a second call replaces exactly those
_OURS = "_ledgerbridge_handler"


def _variants(value: str) -> set[str]:
    forms = {
        value,
        quote(value, safe=""),
        quote_plus(value, safe=""),
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(value)[1:-1],
        repr(value)[1:-1],
    }
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def register_secret(value: str | None) -> None:
    """Remember a secret value (and its quoted forms) so that it can never be printed."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        forms = _variants(value)
        with _lock:
            _secrets.update(forms)


def forget_secrets() -> None:
    """Drop every registered secret (tests and config reloads)."""
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***`` (longest first, so overlaps cannot leak)."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, _PLAIN_TYPES):
        return value
    if isinstance(value, dict):
        return {_redact_value(key): _redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(item) for item in value]
    # an arbitrary object (an exception, a model, bytes): its text is what a formatter would print
    return redact(str(value))


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        # a bad format string must not turn logging into a crash; keep everything that was passed
        return f"{record.msg} {record.args!r}"


class RedactingFilter(logging.Filter):
    """Rewrites a record in place: message, arguments, exception text, stack and extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(_message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # the exception object itself may hold the secret; only the redacted text goes on
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RESERVED:
                setattr(record, key, _redact_value(value))
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _RESERVED}


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, extra fields, exception, stack."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        payload.update(_extras(record))
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = record.stack_info
        return json.dumps(payload, default=str, ensure_ascii=False)


def _field(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    # quote values a reader (or a log parser) would otherwise split at the space
    return (
        json.dumps(text, ensure_ascii=False)
        if (not text or any(c.isspace() or c == "=" for c in text))
        else text
    )


class KeyValueFormatter(logging.Formatter):
    """Human lines with ``key=value`` pairs for extra fields."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{key}={_field(value)}" for key, value in _extras(record).items())
        if not fields:
            return line
        head, newline, rest = line.partition("\n")  # fields stay on the first line, before any traceback
        return f"{head} {fields}{newline}{rest}"


def _reset(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        if getattr(handler, _OURS, False):
            logger.removeHandler(handler)
            handler.close()


def configure_logging(
    level: str = "INFO",
    *,
    json_lines: bool = False,
    file: Path | None = None,
    stream: TextIO | None = None,
    capture: Iterable[str] = CAPTURED_LOGGERS,
) -> None:
    """Install the product's handlers on the ``ledgerbridge`` logger (idempotent: replaces earlier ones).

    The loggers named in ``capture`` get the same handlers, at WARNING unless ``level`` is DEBUG.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    formatter: logging.Formatter = JsonLineFormatter() if json_lines else KeyValueFormatter()
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler.setFormatter(formatter)
        setattr(handler, _OURS, True)
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r}; use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    captured_level = logging.DEBUG if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    targets = [(logging.getLogger("ledgerbridge"), numeric)]
    targets += [(logging.getLogger(name), captured_level) for name in capture]
    for logger, logger_level in targets:
        _reset(logger)
        for handler in handlers:
            logger.addHandler(handler)
        logger.setLevel(logger_level)
        logger.propagate = False


def get_logger(name: str) -> logging.Logger:
    """A logger below ``ledgerbridge`` (so the redacting handlers apply)."""
    return logging.getLogger(name if name.startswith("ledgerbridge") else f"ledgerbridge.{name}")
