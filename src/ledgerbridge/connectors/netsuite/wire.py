"""Payload hashing for batch idempotency keys, on the same exact-Decimal JSON as every request body.

Bodies are encoded with :func:`ledgerbridge.money.json_dumps` (Decimal as an exact JSON number, float
refused) and decoded with :func:`ledgerbridge.money.json_loads` (numbers back as Decimal).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ledgerbridge.money import json_dumps


def canonical(value: Any) -> bytes:
    """A stable encoding for hashing: keys sorted at every level, so equal payloads hash equal."""
    return json_dumps(_sorted(value))


def payload_hash(value: Any) -> str:
    """SHA-256 of the canonical encoding (hex)."""
    return hashlib.sha256(canonical(value)).hexdigest()


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted(item) for item in value]
    return value
