"""Query and path parameters read the way Pigment's ASP.NET API binds them (bad values → 400)."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from .errors import PigmentError

E = TypeVar("E", bound=str)


def required_uuid(value: str | None, name: str) -> UUID:
    if value is None or not value.strip():
        raise PigmentError.bad_request(f"the {name} parameter is required")
    return parse_uuid(value, name)


def parse_uuid(value: str, name: str) -> UUID:
    try:
        return UUID(value.strip())
    except ValueError:
        raise PigmentError.bad_request(f"{name} {value!r} is not a valid UUID") from None


def optional_uuid(value: str | None) -> UUID | bool | None:
    """A metadata filter: None when absent, False when it cannot match anything (not a UUID)."""
    if value is None or value == "":
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        return False


def parse_bool(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise PigmentError.bad_request(f"{name} must be true or false, not {value!r}")


def parse_choice(value: str | None, name: str, choices: tuple[E, ...], default: E) -> E:
    """An enum query parameter; ASP.NET binds enum names case-insensitively."""
    if value is None or value == "":
        return default
    for choice in choices:
        if choice.lower() == value.strip().lower():
            return choice
    raise PigmentError.bad_request(f"{name} must be one of {', '.join(choices)}, not {value!r}")
