"""Canonical JSON for payloads and details: one spelling per value, so equal payloads hash equal.

Keys are sorted, separators are tight and non-ASCII is kept as is. Decimals are written as strings
(``Decimal("12.50")`` → ``"12.50"``) so no amount ever passes through a float; dates and datetimes are
ISO 8601. Floats are accepted (they are JSON numbers) but the money helpers never produce them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a hub payload")


def canonical_json(value: object) -> str:
    """The canonical text of ``value`` (raises TypeError for values JSON can't hold)."""
    return json.dumps(
        value, default=_encode, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def payload_hash(text: str) -> str:
    """sha256 hex digest of a canonical JSON text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_object(text: str | None) -> dict[str, Any]:
    """A stored JSON object back as a dict (``{}`` for NULL)."""
    if text is None:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON is not an object")
    return value


def int_counts(value: Mapping[str, Any]) -> dict[str, int]:
    """A counters mapping with every value coerced to int (JSON round trips keep ints, this types them)."""
    return {str(key): int(count) for key, count in value.items()}
