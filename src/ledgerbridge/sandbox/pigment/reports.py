"""Import records and their wire shape, ``ApiImportReportDto`` (OAS), exactly.

``detailedReport`` is only filled when asked for (``includedDetailedReport=true``, v1 only) and the import
has completed; ``errorsDetails`` only when it failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from .outcome import ImportOutcome

ImportStatus = Literal["InProgress", "Completed", "Failed"]
ImportKind = Literal["csv", "looker", "trigger"]


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the millisecond."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class ImportRecord:
    """One import: what was pushed into which configuration, and how it ended."""

    id: UUID
    configuration_id: UUID
    application_id: UUID
    kind: ImportKind
    created_at: datetime
    body: bytes | None = None
    status: ImportStatus = "InProgress"
    completed_at: datetime | None = None
    errors: list[tuple[str, str]] | None = None
    outcome: ImportOutcome | None = None
    scenario_id: UUID | None = None

    def complete(self, outcome: ImportOutcome) -> None:
        self.status, self.outcome, self.completed_at, self.body = "Completed", outcome, now(), None

    def fail(self, name: str, description: str) -> None:
        self.status, self.errors, self.completed_at, self.body = "Failed", [(name, description)], now(), None


def report_dto(record: ImportRecord, *, detailed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "importId": str(record.id),
        "createdAt": timestamp(record.created_at),
        "completedAt": timestamp(record.completed_at) if record.completed_at else None,
        "importStatus": record.status,
        "errorsDetails": (
            [{"name": name, "description": text} for name, text in record.errors] if record.errors else None
        ),
        "detailedReport": None,
    }
    if detailed and record.outcome is not None:
        body["detailedReport"] = detailed_report(record.outcome, record.scenario_id)
    return body


def detailed_report(outcome: ImportOutcome, scenario_id: UUID | None) -> dict[str, Any]:
    inserted, updated, deleted, skipped = outcome.totals
    return {
        "blockType": outcome.block_type,
        "summary": {
            "insertedCount": inserted,
            "updatedCount": updated,
            "deletedCount": deleted,
            "skippedCount": skipped,
        },
        "impactedBlocks": [
            {
                "blockId": str(block.block_id),
                "scenarioId": str(scenario_id) if scenario_id else None,
                "insertedCount": block.inserted,
                "updatedCount": block.updated,
                "deletedCount": block.deleted,
                "skippedData": [
                    {
                        "count": entry.count,
                        "reason": entry.reason,
                        "sourceColumnName": entry.column,
                        "samples": list(entry.samples),
                    }
                    for entry in block.skipped.values()
                ],
            }
            for block in outcome.blocks.values()
        ],
        "autoCreatedDimensionModalities": [
            {"blockId": str(list_id), "count": count} for list_id, count in outcome.auto_created.items()
        ],
    }
