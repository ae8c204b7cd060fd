"""What an import did, counted the way Pigment's detailed report counts it (OAS ``ApiDetailedImportReport``).

Counting rules (documented in docs/sandbox-pigment.md):

* ``inserted`` — a new item or a cell that had no value; ``updated`` — an item or cell whose value really
  changed; ``deleted`` — an item or cell removed (clear before import, or a blank value); a row that
  changes nothing counts in none of them, which is how "re-importing the same file changes nothing" shows.
* every ``skippedData`` entry is one (reason, source column) pair with its row count and a few samples; the
  summary's ``skippedCount`` is the sum of those counts. ``MissingModalityUseDefaultOrNullModality`` rows
  were loaded — to the column's default item or with a blank — but are reported all the same, because
  the data did not land where the file said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from .model import CellKey

SkipReason = Literal[
    "ParsingError",
    "MissingModalityUseDefaultOrNullModality",
    "MissingModalitySkippedDataRow",
    "MissingWriteAccessRights",
    "MissingModalitiesFromSnapshot",
]


@dataclass(slots=True)
class Skipped:
    reason: SkipReason
    column: str | None
    count: int = 0
    samples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BlockOutcome:
    """The counts for one impacted block."""

    block_id: UUID
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: dict[tuple[SkipReason, str | None], Skipped] = field(default_factory=dict)

    def skip(self, reason: SkipReason, column: str | None, sample: str, max_samples: int) -> None:
        entry = self.skipped.setdefault((reason, column), Skipped(reason, column))
        entry.count += 1
        if len(entry.samples) < max_samples and sample not in entry.samples:
            entry.samples.append(sample)

    @property
    def skipped_count(self) -> int:
        return sum(entry.count for entry in self.skipped.values())


@dataclass(slots=True)
class ImportOutcome:
    """Every impacted block's counts plus the items auto-created in dimension lists."""

    block_type: Literal["Metric", "List"]
    max_samples: int
    blocks: dict[UUID, BlockOutcome] = field(default_factory=dict)
    auto_created: dict[UUID, int] = field(default_factory=dict)
    #: metric id → the cell keys whose value changed (None: too many to tell; recalculate it whole)
    changed: dict[UUID, set[CellKey] | None] = field(default_factory=dict)

    def block(self, block_id: UUID) -> BlockOutcome:
        return self.blocks.setdefault(block_id, BlockOutcome(block_id))

    def skip(self, block_id: UUID, reason: SkipReason, column: str | None, sample: str) -> None:
        self.block(block_id).skip(reason, column, sample, self.max_samples)

    def cells_changed(self, metric_id: UUID, keys: set[CellKey] | None) -> None:
        """Remember what changed in a metric, for the recalculation that follows the import."""
        if metric_id in self.changed and self.changed[metric_id] is None:
            return
        if keys is None:
            self.changed[metric_id] = None
        elif keys:
            existing = self.changed.setdefault(metric_id, set())
            assert existing is not None
            existing.update(keys)

    def created(self, list_id: UUID) -> None:
        self.auto_created[list_id] = self.auto_created.get(list_id, 0) + 1

    @property
    def totals(self) -> tuple[int, int, int, int]:
        """(inserted, updated, deleted, skipped) over every impacted block."""
        blocks = self.blocks.values()
        return (
            sum(b.inserted for b in blocks),
            sum(b.updated for b in blocks),
            sum(b.deleted for b in blocks),
            sum(b.skipped_count for b in blocks),
        )
