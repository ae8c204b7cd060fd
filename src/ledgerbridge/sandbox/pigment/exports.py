"""CSV exports of lists, metrics, tables and views (notes §2.4), as header + rows before formatting.

* List: the list's own column (item name; a transaction row's id) then its properties — by default all,
  ordered by technical name; ``propertyTechnicalNames`` picks and orders them. ``listFilter`` keeps the
  given items, ``propertyFilters`` items whose Dimension property is one of the given items.
* Metric: one column per dimension, a ``Scenario`` column only when ``scenarios`` are asked for, then the
  value; only defined cells, in list order.
* Table: one column per dimension of its metrics (first appearance order) and one per metric, the
  metrics aligned as in formulas (:mod:`.cube`); ``fields`` picks columns, and leaving a dimension out
  sums over it.
* View: the export of its block with the view's saved filters, with friendly headers — a view is what a
  person sees ("flattened and not formatted").

Headers are technical names (``actuals_GDBAK8``) unless ``friendlyHeaders`` is true. Scenario data is
shared across scenarios in the emulator (Pigment's "inputs and imports populate data across all
Scenarios" block setting), so asking for two scenarios repeats each row once per scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from .csvoutput import Cell
from .cube import Operand, aligned_keys, project, projector
from .errors import PigmentError
from .exportreq import DimensionFilter, ExportField, ListRequest, MetricRequest, TableRequest
from .filters import row_filter
from .model import Application, Block, CellKey, ListBlock, Metric, Property, PropertyValue, Table, View

SCENARIO_HEADER = "Scenario"
VIEW_TOO_BIG = "View is too big to be exported. Use block export API instead."
VIEW_NOT_EXPORTABLE = "The view underlying type is not list, metric or table"


@dataclass(frozen=True, slots=True)
class ExportTable:
    header: list[str]
    rows: list[list[Cell]]
    #: Legacy dates are written without a time in list exports only
    list_dates: bool


def _header(block: Block | Property, friendly: bool) -> str:
    return block.name if friendly else block.technical_name


def _names(block: ListBlock) -> dict[UUID, str]:
    return {item.id: item.name if item.name is not None else str(item.id) for item in block.items.values()}


# --- lists ----------------------------------------------------------------------------------------------


def export_list(
    application: Application, block: ListBlock, request: ListRequest, friendly: bool
) -> ExportTable:
    if request.property_technical_names is None:
        properties = sorted(block.properties, key=lambda prop: prop.technical_name)
    else:
        properties = [_property(block, name) for name in request.property_technical_names]
    items = list(block.items.values())
    if request.list_filter:
        wanted = set(request.list_filter)
        items = [item for item in items if item.id in wanted]
    for spec in request.property_filters or ():
        prop = _property(block, spec.property_technical_name)
        if prop.list_id is None:
            raise PigmentError.bad_request(
                f"property {spec.property_technical_name!r} is not a dimension property"
            )
        allowed = set(spec.modality_ids)
        if allowed:
            items = [item for item in items if item.values.get(prop.id) in allowed]
    references = {
        prop.id: _names(application.list_block(prop.list_id)) for prop in properties if prop.list_id
    }
    header = [_header(block, friendly)] + [_header(prop, friendly) for prop in properties]
    rows: list[list[Cell]] = []
    for item in items:
        row: list[Cell] = [item.name if item.name is not None else str(item.id)]
        row.extend(_property_cell(prop, item.values.get(prop.id), references) for prop in properties)
        rows.append(row)
    return ExportTable(header, rows, list_dates=True)


def _property(block: ListBlock, name: str) -> Property:
    prop = block.property_named(name)
    if prop is None:
        raise PigmentError.bad_request(f"the list {block.name!r} has no property {name!r}")
    return prop


def _property_cell(
    prop: Property, value: PropertyValue | None, references: dict[UUID, dict[UUID, str]]
) -> Cell:
    if isinstance(value, UUID):
        return references.get(prop.id, {}).get(value)
    return value


# --- metrics and tables ---------------------------------------------------------------------------------


def _scenario_names(application: Application, requested: tuple[UUID, ...] | None) -> list[str] | None:
    if not requested:
        return None
    known = {scenario.id: scenario.name for scenario in application.scenarios}
    unknown = [str(scenario) for scenario in requested if scenario not in known]
    if unknown:
        raise PigmentError.bad_request(f"unknown scenario(s) {', '.join(unknown)}")
    return [known[scenario] for scenario in requested]


def _sort_key(application: Application, dimensions: tuple[UUID, ...]) -> Callable[[CellKey], tuple[int, ...]]:
    positions = [application.list_block(dimension).position() for dimension in dimensions]
    return lambda key: tuple(position.get(item, -1) for position, item in zip(positions, key, strict=True))


def export_metric(
    application: Application, metric: Metric, request: MetricRequest, friendly: bool
) -> ExportTable:
    scenarios = _scenario_names(application, request.scenarios)
    accept = row_filter(application, request.filters, request.export_filter)
    names = [_names(application.list_block(dimension)) for dimension in metric.dimensions]
    header = [_header(application.blocks[dimension], friendly) for dimension in metric.dimensions]
    header += [SCENARIO_HEADER] if scenarios else []
    header.append(_header(metric, friendly))
    rows: list[list[Cell]] = []
    for key in sorted(metric.cells, key=_sort_key(application, metric.dimensions)):
        if not accept(dict(zip(metric.dimensions, key, strict=True))):
            continue
        items: list[Cell] = [lookup.get(item) for lookup, item in zip(names, key, strict=True)]
        labels: list[str | None] = list(scenarios) if scenarios else [None]
        for scenario in labels:
            rows.append([*items, *([scenario] if scenario is not None else []), metric.cells[key]])
    return ExportTable(header, rows, list_dates=False)


@dataclass(frozen=True, slots=True)
class _Column:
    kind: str  # "dimension" | "scenario" | "value"
    source: UUID | None
    header: str


def export_table(
    application: Application, table: Table, request: TableRequest, friendly: bool
) -> ExportTable:
    metric_ids = request.metrics or table.metric_ids
    missing = [str(metric_id) for metric_id in metric_ids if metric_id not in table.metric_ids]
    if missing:
        raise PigmentError.bad_request(f"metric(s) {', '.join(missing)} are not in the table {table.name!r}")
    metrics = [application.metric(metric_id) for metric_id in dict.fromkeys(metric_ids)]
    dimensions = tuple(dict.fromkeys(dimension for metric in metrics for dimension in metric.dimensions))
    scenarios = _scenario_names(application, request.scenarios)
    default = application.default_scenario
    columns = _table_columns(
        application, request.fields, dimensions, metrics, scenarios is not None, friendly
    )
    accept = row_filter(application, request.filters, request.export_filter)
    lookups = [(metric.id, projector(dimensions, metric.dimensions), metric.cells) for metric in metrics]
    keys = aligned_keys(dimensions, (Operand(metric.dimensions, metric.cells) for metric in metrics))
    names = {dimension: _names(application.list_block(dimension)) for dimension in dimensions}
    # Rows are grouped by their label columns: leaving a dimension out of ``fields`` sums over it.
    labelled = [column for column in columns if column.kind != "value"]
    grouped: dict[tuple[Cell, ...], dict[UUID, Decimal]] = {}
    scenario_labels: list[str | None] = list(scenarios) if scenarios else [default.name if default else None]
    for key in sorted(keys, key=_sort_key(application, dimensions)):
        row = dict(zip(dimensions, key, strict=True))
        if not accept(row):
            continue
        values = {metric_id: cells.get(project(key, positions)) for metric_id, positions, cells in lookups}
        for scenario in scenario_labels:
            labels: tuple[Cell, ...] = tuple(
                scenario if column.source is None else names[column.source].get(row[column.source])
                for column in labelled
            )
            totals = grouped.setdefault(labels, {})
            for metric_id, value in values.items():
                if value is not None:
                    totals[metric_id] = totals[metric_id] + value if metric_id in totals else value
    rows: list[list[Cell]] = []
    for labels, totals in grouped.items():
        label_iter = iter(labels)
        rows.append(
            [
                totals.get(column.source) if column.kind == "value" and column.source else next(label_iter)
                for column in columns
            ]
        )
    return ExportTable([column.header for column in columns], rows, list_dates=False)


def _table_columns(
    application: Application,
    fields: tuple[ExportField, ...] | None,
    dimensions: tuple[UUID, ...],
    metrics: list[Metric],
    with_scenario: bool,
    friendly: bool,
) -> list[_Column]:
    if fields is None:
        columns = [_Column("dimension", d, _header(application.blocks[d], friendly)) for d in dimensions]
        if with_scenario:
            columns.append(_Column("scenario", None, SCENARIO_HEADER))
        columns += [_Column("value", metric.id, _header(metric, friendly)) for metric in metrics]
        return columns
    metric_ids = {metric.id for metric in metrics}
    columns = []
    for index, field in enumerate(fields):
        if field.type == "ScenarioField":
            columns.append(_Column("scenario", None, field.display_name or SCENARIO_HEADER))
            continue
        valid = dimensions if field.type == "DimensionField" else metric_ids
        if field.source_id is None or field.source_id not in valid:
            raise PigmentError.bad_request(
                f"fields[{index}]: {field.source_id} is not a "
                f"{'dimension' if field.type == 'DimensionField' else 'metric'} of this export"
            )
        kind = "dimension" if field.type == "DimensionField" else "value"
        header = field.display_name or _header(application.blocks[field.source_id], friendly)
        columns.append(_Column(kind, field.source_id, header))
    return columns


# --- views ----------------------------------------------------------------------------------------------


def export_view(application: Application, view: View, max_cells: int) -> ExportTable:
    block = application.blocks.get(view.block_id) if view.block_id is not None else None
    filters = tuple(
        DimensionFilter(dimension_id=dimension, modality_ids=tuple(items))
        for dimension, items in view.filters.items()
    )
    if isinstance(block, ListBlock):
        own = view.filters.get(block.id)
        result = export_list(application, block, ListRequest(list_filter=tuple(own) if own else None), True)
    elif isinstance(block, Metric):
        result = export_metric(application, block, MetricRequest(filters=filters), True)
    elif isinstance(block, Table):
        result = export_table(
            application, block, TableRequest(filters=filters, metrics=view.metric_ids), True
        )
    else:
        raise PigmentError(422, VIEW_NOT_EXPORTABLE)
    if len(result.rows) * len(result.header) > max_cells:
        raise PigmentError(413, VIEW_TOO_BIG)
    return result
