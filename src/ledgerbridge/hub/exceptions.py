"""Errors the hub raises besides :class:`~ledgerbridge.hub.states.IllegalTransition`."""

from __future__ import annotations

from collections.abc import Iterable

from ledgerbridge.errors import LedgerbridgeError


class LeaseLost(LedgerbridgeError):
    """An outcome arrived for records whose lease this owner no longer holds.

    The lease expired and another worker recovered (or re-claimed) the records, so this owner's word is
    no longer the truth: its outcomes were not stored. Nothing is lost — the write was an idempotent
    upsert, and whoever holds the record now will find it in the target or send it again.
    """

    def __init__(self, record_ids: Iterable[int], *, owner: str) -> None:
        self.record_ids = tuple(sorted(record_ids))
        self.owner = owner
        shown = ", ".join(str(i) for i in self.record_ids[:10])
        more = f" and {len(self.record_ids) - 10} more" if len(self.record_ids) > 10 else ""
        super().__init__(f"lease lost by {owner} on record(s) {shown}{more}; their outcomes were not stored")


class NotFound(LedgerbridgeError):
    """A record, run or other hub row that does not exist."""


class ConcurrentChange(LedgerbridgeError):
    """A record changed state under us although we held its lock: a bug, or a writer outside the hub."""
