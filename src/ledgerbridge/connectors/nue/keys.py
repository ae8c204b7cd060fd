"""Deterministic idempotency keys for Nue writes (DESIGN §4.1).

A key is derived from what the write *is* — the source record and line it mirrors — never from when it is
sent, so a retry, a re-run or a crash-and-restart sends the same key and Nue applies it once:
``lb-pay-<NetSuite payment id>-<Nue invoice id>[-<line>]``. Keys are at most 120 characters; a longer one
keeps a readable prefix and ends in a hash of the whole.
"""

from __future__ import annotations

import hashlib
import re

MAX_KEY_LENGTH = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


def idempotency_key(kind: str, source_id: str, *parts: str | int | None) -> str:
    """``lb-<kind>-<source_id>-<parts...>`` (``None`` parts skipped), safe characters only."""
    if not kind or not source_id:
        raise ValueError("an idempotency key needs a kind and a source id")
    raw = "-".join(["lb", kind, str(source_id), *(str(p) for p in parts if p is not None)])
    clean = _UNSAFE.sub("_", raw)
    if len(clean) <= MAX_KEY_LENGTH:
        return clean
    digest = hashlib.sha256(raw.encode()).hexdigest()[:20]
    return f"{clean[: MAX_KEY_LENGTH - len(digest) - 1]}-{digest}"


def is_ledgerbridge_key(key: str | None, kind: str) -> bool:
    """True when ``key`` is one :func:`idempotency_key` made for ``kind``: the record was written to Nue by
    ledgerbridge itself (a flow reading Nue uses this to never echo it back to where it came from)."""
    return bool(key) and str(key).startswith(f"lb-{kind}-")
