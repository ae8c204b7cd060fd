"""Reading a Web API call's arguments the three ways Slack accepts them: query string, form, JSON body.

``slack_sdk`` sends ``chat.postMessage`` as JSON and every other method as a form, so both must work; a
JSON-encoded ``blocks`` string inside a form is decoded here as Slack does.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from .._kit.jsonbody import loads


class BadArguments(Exception):
    """The request's arguments cannot be read; ``code`` is Slack's error (``invalid_json`` …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def read_arguments(request: Request) -> dict[str, Any]:
    """Query parameters overlaid by the body's (JSON object or form fields)."""
    arguments: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        raw = await request.body()
        if raw.strip():
            try:
                body = loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise BadArguments("invalid_json") from None
            if not isinstance(body, dict):
                raise BadArguments("invalid_json")
            arguments.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        arguments.update({key: value for key, value in form.items() if isinstance(value, str)})
    return arguments


def bearer_token(request: Request, arguments: dict[str, Any]) -> str | None:
    """The token from ``Authorization: Bearer`` or, failing that, the ``token`` argument."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = arguments.get("token")
    return token if isinstance(token, str) and token else None


def decode_blocks(value: Any) -> list[Any] | None:
    """``blocks`` as a list (a JSON string in forms); BadArguments(``invalid_blocks_format``) otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = loads(value)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadArguments("invalid_blocks_format") from None
    if not isinstance(value, list):
        raise BadArguments("invalid_blocks_format")
    return value


def as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def as_bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return default
