"""Reading fields of a request body, with Nue-style 400s that name the field.

Bodies are parsed with non-integer numbers as ``Decimal`` (``_kit.jsonbody.loads``), so amounts arrive exact;
integers arrive as ``int`` and are widened here. Dates are ISO ``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.money import to_decimal

from .errors import NueError


def obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise NueError.invalid(f"{where} must be a JSON object.", field=where)
    return value


def items(value: Any, where: str, *, required: bool = True) -> Sequence[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise NueError.invalid(f"{where} must be a JSON array.", field=where)
    return value


def text(body: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise NueError.invalid(f"{where}.{key} is required.", field=f"{where}.{key}")
        return None
    if not isinstance(value, str):
        raise NueError.invalid(f"{where}.{key} must be a string.", field=f"{where}.{key}")
    return value


def required_text(body: Mapping[str, Any], key: str, where: str) -> str:
    value = text(body, key, where)
    assert value is not None  # text(required=True) raised otherwise
    return value


def choice(
    body: Mapping[str, Any], key: str, where: str, options: Sequence[str], default: str | None = None
) -> str:
    value = text(body, key, where, required=default is None)
    if value is None:
        assert default is not None
        return default
    # Nue's enumerations are case-insensitive on input (the legacy invoice filters are lower case)
    for option in options:
        if option.lower() == value.lower():
            return option
    raise NueError.invalid(
        f"{where}.{key} must be one of {', '.join(options)}; got '{value}'.", field=f"{where}.{key}"
    )


def amount(body: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> Decimal | None:
    value = body.get(key)
    if value is None:
        if required:
            raise NueError.invalid(f"{where}.{key} is required.", field=f"{where}.{key}")
        return None
    try:
        return to_decimal(value)
    except (TypeError, ValueError):
        raise NueError.invalid(
            f"{where}.{key} must be a number; got {value!r}.", field=f"{where}.{key}"
        ) from None


def required_amount(body: Mapping[str, Any], key: str, where: str) -> Decimal:
    value = amount(body, key, where)
    assert value is not None
    return value


def day(body: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> date | None:
    value = text(body, key, where, required=required)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise NueError.invalid(
            f"{where}.{key} must be a date (YYYY-MM-DD); got '{value}'.", field=f"{where}.{key}"
        ) from None


def required_day(body: Mapping[str, Any], key: str, where: str) -> date:
    value = day(body, key, where)
    assert value is not None
    return value


def flag(body: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise NueError.invalid(f"{where}.{key} must be true or false.", field=f"{where}.{key}")
    return value


def whole(body: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> int | None:
    value = body.get(key)
    if value is None:
        if required:
            raise NueError.invalid(f"{where}.{key} is required.", field=f"{where}.{key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or int(value) != value:
        raise NueError.invalid(
            f"{where}.{key} must be a whole number; got {value!r}.", field=f"{where}.{key}"
        )
    return int(value)
