"""Requests a connector's client sent, by kind, so a run can report what it cost on each connection.

Every connector counts the same way (every attempt counts, failed or not); only the kinds differ, so each
connector passes its own ``StrEnum`` of kinds (NetSuite: write/read/query/poll/auth; Nue: read/list/write;
Pigment: import/poll/export/metadata).
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Generic, TypeVar

K = TypeVar("K", bound=StrEnum)


class RequestCounts(Generic[K]):
    """Requests sent by one client, by kind."""

    def __init__(self, kinds: type[K]) -> None:
        self._kinds = kinds
        self._counts: Counter[K] = Counter()

    def add(self, kind: K, n: int = 1) -> None:
        self._counts[kind] += n

    def __getitem__(self, kind: K | str) -> int:
        return self._counts[self._kinds(kind)]

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def as_dict(self) -> dict[str, int]:
        """Every kind (zeros included) plus ``total``."""
        counts = {kind.value: self._counts[kind] for kind in self._kinds}
        counts["total"] = self.total
        return counts

    def reset(self) -> None:
        self._counts.clear()

    def __repr__(self) -> str:
        return f"RequestCounts({self.as_dict()})"
