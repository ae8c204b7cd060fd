"""Loading a parsed CSV into metric cells: flat or pivoted, one or several value metrics.

Each row names one item per dimension column; each value column (or, pivoted, each pivot column) gives
one cell. Clear-before-import replaces the whole metric (``all``) or only the slice named by the scope
columns' values in the file (``scope``): importing March again replaces March and never adds to it.
Unchanged cells are not counted, so loading the same file twice reports nothing inserted or updated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from .csvinput import CsvTable
from .cube import project, projector
from .items import ItemResolver
from .model import Application, CellKey, Column, ImportConfiguration, Metric
from .outcome import ImportOutcome
from .values import parse_number

#: a blank value in the file: the cell is cleared
BLANK = None


@dataclass(slots=True)
class _Target:
    """What the file says about one metric: its cells, and the scope slices it covers."""

    metric: Metric
    incoming: dict[CellKey, Decimal | None] = field(default_factory=dict)


def load_metric_rows(
    application: Application, config: ImportConfiguration, table: CsvTable, outcome: ImportOutcome
) -> None:
    resolver = ItemResolver(application, config.on_missing_item, outcome)
    primary = config.block_id
    dimension_columns = [(table.index(c.header), c) for c in config.columns if c.kind == "dimension"]
    value_sources, unknown_pivots = _value_sources(config, table, resolver)
    targets = {metric_id: _Target(application.metric(metric_id)) for metric_id, _, _ in value_sources}
    scope_slices: set[tuple[UUID, ...]] = set()
    scope_dimensions = [
        c.target for c in config.columns if c.header in config.scope and c.kind == "dimension" and c.target
    ]
    width = len(table.header)
    for row in table.rows:
        outcome.block(primary)
        if len(row.fields) != width:
            outcome.skip(primary, "ParsingError", None, table.delimiter.join(row.fields))
            continue
        items = _row_items(row.fields, dimension_columns, resolver, outcome, primary)
        if items is None:
            continue
        scope_slices.add(tuple(items[d] for d in scope_dimensions))
        for position in unknown_pivots:
            if row.fields[position].strip() and config.pivot is not None:
                raw = row.fields[position].strip()
                outcome.skip(
                    config.pivot.metric, "MissingModalitySkippedDataRow", table.header[position], raw
                )
        for metric_id, position, pivot_item in value_sources:
            target = targets[metric_id]
            raw = row.fields[position].strip()
            header = table.header[position]
            if raw == "":
                value: Decimal | None = BLANK
            else:
                try:
                    value = parse_number(raw, config.decimal_separator)
                except ValueError:
                    outcome.skip(metric_id, "ParsingError", header, raw)
                    continue
            cell_items = dict(items)
            if pivot_item is not None and config.pivot is not None:
                cell_items[config.pivot.dimension] = pivot_item
            key = tuple(cell_items[d] for d in target.metric.dimensions)
            _accept(target, key, value, config.duplicates)
    for target in targets.values():
        _apply(target, config, scope_dimensions, scope_slices, outcome)


def _value_sources(
    config: ImportConfiguration,
    table: CsvTable,
    resolver: ItemResolver,
) -> tuple[list[tuple[UUID, int, UUID | None]], list[int]]:
    """(metric, column position, pivot item) for every column that carries values, and the positions of
    pivot columns that name no item (their values are skipped: a default makes no sense for a header)."""
    sources: list[tuple[UUID, int, UUID | None]] = []
    for column in config.columns:
        if column.kind == "value" and column.target is not None:
            sources.append((column.target, table.index(column.header), None))
    unknown: list[int] = []
    pivot = config.pivot
    if pivot is None:
        return sources, unknown
    pivot_column = Column(header="", kind="dimension", target=pivot.dimension, ref_list=pivot.dimension)
    for header in pivot.columns:
        resolved = resolver.resolve(pivot_column, header)
        if resolved.item is None:
            unknown.append(table.index(header))
        else:
            sources.append((pivot.metric, table.index(header), resolved.item))
    return sources, unknown


def _row_items(
    fields: list[str],
    dimension_columns: list[tuple[int, Column]],
    resolver: ItemResolver,
    outcome: ImportOutcome,
    primary: UUID,
) -> dict[UUID, UUID] | None:
    """The row's item per dimension, or None when the row is skipped."""
    items: dict[UUID, UUID] = {}
    for position, column in dimension_columns:
        assert column.target is not None
        raw = fields[position].strip()
        resolved = resolver.resolve(column, raw)
        if resolved.outcome == "skip":
            outcome.skip(primary, "MissingModalitySkippedDataRow", column.header, raw)
            return None
        if resolved.outcome == "default":
            outcome.skip(primary, "MissingModalityUseDefaultOrNullModality", column.header, raw)
            if resolved.item is None:
                return None  # a metric has no blank item: without a default the value has nowhere to go
        assert resolved.item is not None
        items[column.target] = resolved.item
    return items


def _accept(target: _Target, key: CellKey, value: Decimal | None, duplicates: str) -> None:
    if duplicates == "sum" and value is not None:
        previous = target.incoming.get(key)
        target.incoming[key] = value if previous is None else previous + value
    else:
        target.incoming[key] = value


def _apply(
    target: _Target,
    config: ImportConfiguration,
    scope_dimensions: list[UUID],
    scope_slices: set[tuple[UUID, ...]],
    outcome: ImportOutcome,
) -> None:
    """Write the file's cells in place, counting against the values they replace.

    Only the cleared slice and the incoming cells are touched, so a push costs its own size plus one scan
    for the scope, not a copy of the whole metric.
    """
    cells = target.metric.cells
    if config.clear == "all":
        doomed = list(cells)
    elif config.clear == "scope":
        positions = projector(target.metric.dimensions, scope_dimensions)
        doomed = [key for key in cells if project(key, positions) in scope_slices]
    else:
        doomed = []
    before: dict[CellKey, Decimal | None] = {key: cells.pop(key) for key in doomed}
    for key, value in target.incoming.items():
        if key not in before:
            before[key] = cells.get(key)
        if value is BLANK:
            cells.pop(key, None)
        else:
            cells[key] = value
    counts = outcome.block(target.metric.id)
    changed: set[CellKey] = set()
    for key, old in before.items():
        new = cells.get(key)
        if old is None and new is None:
            continue
        if old is None:
            counts.inserted += 1
        elif new is None:
            counts.deleted += 1
        elif old == new:
            cells[key] = old  # an equal value keeps its stored form (1.0 stays 1.0): nothing changed
            continue
        else:
            counts.updated += 1
        changed.add(key)
    outcome.cells_changed(target.metric.id, changed)
