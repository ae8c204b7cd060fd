"""Typed results of the Pigment API: metadata, import configurations and import reports.

The shapes follow Pigment's OpenAPI document (``ApplicationMetadata``, ``BlockMetadata``, ``ViewMetadata``,
``ImportConfiguration``, ``ApiImportReportDto``). Parsing is strict about what the OAS marks required: a
missing required field is a broken contract (:class:`~ledgerbridge.errors.Fatal`), never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ledgerbridge.errors import Fatal

from .config import ImportLayout

BlockType = Literal["DimensionList", "TransactionList", "Metric", "Table"]
ImportStatus = Literal["InProgress", "Completed", "Failed"]
_BLOCK_TYPES = ("DimensionList", "TransactionList", "Metric", "Table")
_STATUSES = ("InProgress", "Completed", "Failed")


@dataclass(frozen=True, slots=True)
class Application:
    """A Pigment application (``GET /api/v1/applications``)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Block:
    """A list, metric or table of an application (``GET /api/v1/blocks``)."""

    id: str
    name: str
    type: BlockType
    application_id: str | None = None

    @property
    def is_list(self) -> bool:
        return self.type in ("DimensionList", "TransactionList")


@dataclass(frozen=True, slots=True)
class View:
    """A saved view (``GET /api/v1/views``); ``type`` is Public or Personal."""

    id: str
    name: str
    type: Literal["Public", "Personal"]


@dataclass(frozen=True, slots=True)
class ImportConfiguration:
    """A saved import configuration plus the file it expects (``layout``; None when not declared)."""

    id: str
    name: str
    application_id: str | None = None
    block_id: str | None = None
    layout: ImportLayout | None = None

    @property
    def columns(self) -> tuple[str, ...] | None:
        return self.layout.columns if self.layout else None

    @property
    def delimiter(self) -> str | None:
        return self.layout.delimiter if self.layout else None


@dataclass(frozen=True, slots=True)
class ImportErrorDetail:
    """One ``errorsDetails`` entry of a Failed import."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class SkippedData:
    """Rows that did not land where the file said: count, reason, source column and sample values."""

    count: int
    reason: str
    source_column: str | None
    samples: tuple[str, ...]
    block_id: str | None = None

    def describe(self) -> str:
        column = f" in column {self.source_column!r}" if self.source_column else ""
        samples = f" (e.g. {', '.join(repr(s) for s in self.samples)})" if self.samples else ""
        return f"{self.count} x {self.reason}{column}{samples}"


@dataclass(frozen=True, slots=True)
class BlockImpact:
    """What an import did to one block (``impactedBlocks`` entry)."""

    block_id: str
    scenario_id: str | None
    inserted: int
    updated: int
    deleted: int
    skipped: tuple[SkippedData, ...]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """``ApiImportReportDto``: status, counts, skip reasons with samples, errors of a failed import."""

    import_id: str
    status: ImportStatus
    created_at: datetime
    completed_at: datetime | None = None
    errors: tuple[ImportErrorDetail, ...] = ()
    #: False when the server sent no detailed report (counts below are then unknown zeros)
    detailed: bool = False
    block_type: str | None = None
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    impacted_blocks: tuple[BlockImpact, ...] = ()
    #: (block id, count) of dimension items Pigment created because the file named them
    auto_created: tuple[tuple[str, int], ...] = field(default=())

    @property
    def skip_reasons(self) -> tuple[SkippedData, ...]:
        """Every skip entry of every impacted block."""
        return tuple(entry for block in self.impacted_blocks for entry in block.skipped)

    def summary(self) -> str:
        return (
            f"import {self.import_id} {self.status}: {self.inserted} inserted, {self.updated} updated, "
            f"{self.deleted} deleted, {self.skipped} skipped"
        )


# --- parsing ------------------------------------------------------------------------------------------


def _contract(what: str) -> Fatal:
    return Fatal(f"Pigment answered {what} (a broken API contract)")


def _str(body: Mapping[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise _contract(f"{where} without the required text field {key!r}")
    return value


def _int(body: Mapping[str, Any], key: str, where: str) -> int:
    value = body.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _contract(f"{where} with a non-integer {key!r}")
    return value


def _datetime(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise _contract(f"{where} without a date-time")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _contract(f"{where} with an unreadable date-time {value!r}") from None


def _array(body: object, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(item, Mapping) for item in body):
        raise _contract(f"{where} that is not a JSON array of objects")
    return body


def parse_applications(body: object) -> list[Application]:
    return [
        Application(id=_str(item, "id", "an application"), name=_str(item, "name", "an application"))
        for item in _array(body, "the applications list")
    ]


def parse_blocks(body: object, application_id: str | None) -> list[Block]:
    blocks = []
    for item in _array(body, "the blocks list"):
        kind = item.get("type")
        if kind not in _BLOCK_TYPES:
            raise _contract(f"a block with an unknown type {kind!r}")
        blocks.append(
            Block(
                id=_str(item, "id", "a block"),
                name=_str(item, "name", "a block"),
                type=kind,
                application_id=application_id,
            )
        )
    return blocks


def parse_views(body: object) -> list[View]:
    views = []
    for item in _array(body, "the views list"):
        kind = item.get("type")
        if kind not in ("Public", "Personal"):
            raise _contract(f"a view with an unknown type {kind!r}")
        views.append(View(id=_str(item, "id", "a view"), name=_str(item, "name", "a view"), type=kind))
    return views


def parse_import_configurations(
    body: object,
    *,
    application_id: str | None,
    block_id: str | None,
    layouts: Mapping[str, ImportLayout],
) -> list[ImportConfiguration]:
    """The configurations, each with its declared layout (looked up by id, then by name)."""
    found = []
    for item in _array(body, "the import configurations list"):
        config_id = _str(item, "id", "an import configuration")
        name = _str(item, "name", "an import configuration")
        found.append(
            ImportConfiguration(
                id=config_id,
                name=name,
                application_id=application_id,
                block_id=block_id,
                layout=layouts.get(config_id) or layouts.get(name),
            )
        )
    return found


def _skipped(entry: Mapping[str, Any], block_id: str | None) -> SkippedData:
    samples = entry.get("samples") or []
    column = entry.get("sourceColumnName")
    return SkippedData(
        count=_int(entry, "count", "a skippedData entry"),
        reason=_str(entry, "reason", "a skippedData entry"),
        source_column=column if isinstance(column, str) else None,
        samples=tuple(str(sample) for sample in samples),
        block_id=block_id,
    )


def parse_import_report(body: object) -> ImportReport:
    """An ``ApiImportReportDto`` as an :class:`ImportReport`."""
    if not isinstance(body, Mapping):
        raise _contract("an import status that is not a JSON object")
    status = body.get("importStatus")
    if status not in _STATUSES:
        raise _contract(f"an import status {status!r} outside InProgress/Completed/Failed")
    errors = tuple(
        ImportErrorDetail(name=str(item.get("name") or ""), description=str(item.get("description") or ""))
        for item in (body.get("errorsDetails") or [])
        if isinstance(item, Mapping)
    )
    completed = body.get("completedAt")
    report = ImportReport(
        import_id=_str(body, "importId", "an import status"),
        status=status,
        created_at=_datetime(body.get("createdAt"), "an import status"),
        completed_at=_datetime(completed, "an import status") if completed is not None else None,
        errors=errors,
    )
    detail = body.get("detailedReport")
    if detail is None:
        return report
    if not isinstance(detail, Mapping) or not isinstance(detail.get("summary"), Mapping):
        raise _contract("a detailed import report without its summary")
    summary = detail["summary"]
    blocks = tuple(
        BlockImpact(
            block_id=_str(block, "blockId", "an impacted block"),
            scenario_id=block.get("scenarioId") if isinstance(block.get("scenarioId"), str) else None,
            inserted=_int(block, "insertedCount", "an impacted block"),
            updated=_int(block, "updatedCount", "an impacted block"),
            deleted=_int(block, "deletedCount", "an impacted block"),
            skipped=tuple(
                _skipped(entry, block.get("blockId"))
                for entry in _array(block.get("skippedData") or [], "skippedData")
            ),
        )
        for block in _array(detail.get("impactedBlocks") or [], "impactedBlocks")
    )
    auto = tuple(
        (_str(item, "blockId", "an auto-created entry"), _int(item, "count", "an auto-created entry"))
        for item in _array(detail.get("autoCreatedDimensionModalities") or [], "autoCreated")
    )
    return ImportReport(
        import_id=report.import_id,
        status=report.status,
        created_at=report.created_at,
        completed_at=report.completed_at,
        errors=report.errors,
        detailed=True,
        block_type=detail.get("blockType") if isinstance(detail.get("blockType"), str) else None,
        inserted=_int(summary, "insertedCount", "the import summary"),
        updated=_int(summary, "updatedCount", "the import summary"),
        deleted=_int(summary, "deletedCount", "the import summary"),
        skipped=_int(summary, "skippedCount", "the import summary"),
        impacted_blocks=blocks,
        auto_created=auto,
    )
