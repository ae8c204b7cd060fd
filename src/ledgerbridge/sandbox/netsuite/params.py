"""Reading a NetSuite request: JSON bodies (exact Decimals), query parameters, ``Prefer`` tokens.

Every parse failure is an :class:`NsError` in NetSuite's words, so the client sees the vendor's shape.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from .._kit.jsonbody import loads
from .errors import NsError

COLLECTION_TYPE = "type=collection"


def invalid_content(reason: str) -> NsError:
    # What NetSuite answers for a body it cannot parse (drudge/n8n-nodes-netsuite#5, 2024).
    return NsError(400, "INVALID_CONTENT", f"Invalid content in the request body. {reason}")


async def json_body(request: Request, *, required: bool = True) -> Any:
    """The request body parsed as JSON (non-integers as Decimal); ``None`` when empty and optional."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise invalid_content("The request body is empty; send a JSON object.")
        return None
    try:
        return loads(raw)
    except UnicodeDecodeError:
        raise invalid_content("The body is not UTF-8 encoded.") from None
    except json.JSONDecodeError as exc:
        raise invalid_content(
            f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from None


async def json_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    body = await json_body(request, required=required)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise invalid_content("The body must be a JSON object.")
    return body


def int_param(request: Request, name: str, default: int, *, minimum: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise NsError.invalid_parameter(
            f"Invalid value for the query parameter {name}: '{raw}' is not an integer.", query_param=name
        ) from None
    if value < minimum:
        raise NsError.invalid_parameter(
            f"Invalid value for the query parameter {name}: it must be at least {minimum}.", query_param=name
        )
    return value


def bool_param(request: Request, name: str) -> bool:
    """``true``/``True``/``TRUE``/``1`` are true (airbyte sends ``True`` through requests)."""
    raw = request.query_params.get(name)
    if raw is None:
        return False
    lowered = raw.strip().lower()
    if lowered in ("true", "1", "t", "yes"):
        return True
    if lowered in ("false", "0", "f", "no", ""):
        return False
    raise NsError.invalid_parameter(
        f"Invalid value for the query parameter {name}: '{raw}' is not a boolean.", query_param=name
    )


def list_param(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def prefer_tokens(request: Request) -> set[str]:
    """``Prefer: respond-async, transient`` → ``{"respond-async", "transient"}`` (parameters dropped)."""
    tokens: set[str] = set()
    for header in request.headers.getlist("prefer"):
        for part in header.split(","):
            token = part.split(";", 1)[0].split("=", 1)[0].strip().lower()
            if token:
                tokens.add(token)
    return tokens


def wants_async(request: Request) -> bool:
    return "respond-async" in prefer_tokens(request)


def is_collection_body(request: Request) -> bool:
    """A batch request: ``Content-Type: application/vnd.oracle.resource+json; type=collection``."""
    content_type = request.headers.get("content-type", "").replace(" ", "").lower()
    return COLLECTION_TYPE in content_type


def idempotency_key(request: Request) -> str | None:
    """``X-NetSuite-Idempotency-Key`` (header names are case-insensitive)."""
    value = request.headers.get("x-netsuite-idempotency-key")
    return value.strip() if value and value.strip() else None
