"""An in-memory target with idempotent upserts by external id, counting creates and writes per id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.hub import ClaimedRecord


@dataclass
class FakeTarget:
    """What the target system holds: external id → (target id, payload)."""

    records: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    creates: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)

    def upsert(self, external_id: str, payload: dict[str, Any]) -> str:
        self.writes[external_id] += 1
        if external_id in self.records:
            target_id = self.records[external_id][0]
        else:
            self.creates[external_id] += 1
            target_id = f"T-{len(self.records) + 1}"
        self.records[external_id] = (target_id, payload)
        return target_id

    def lookup(self, external_id: str) -> str | None:
        found = self.records.get(external_id)
        return None if found is None else found[0]


class FakeWriter:
    """A TargetWriter over a FakeTarget; ``fail`` may turn a record into an error before it is written."""

    system = "fake"

    def __init__(
        self, target: FakeTarget, *, fail: Callable[[ClaimedRecord], BaseException | None] | None = None
    ) -> None:
        self.target = target
        self.fail = fail
        self.batches: list[list[int]] = []
        self.lookups: list[str] = []

    async def write(self, batch: Sequence[ClaimedRecord]) -> Sequence[WriteResult]:
        self.batches.append([record.id for record in batch])
        results = []
        for record in batch:
            error = self.fail(record) if self.fail else None
            if error is not None:
                results.append(WriteResult.failed(error))
            else:
                results.append(WriteResult.ok(self.target.upsert(record.external_id, record.payload)))
        return results

    async def lookup(self, record: ClaimedRecord) -> str | None:
        self.lookups.append(record.external_id)
        return self.target.lookup(record.external_id)
