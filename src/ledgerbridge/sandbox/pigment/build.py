"""Turn a :class:`~.spec.WorkspaceSpec` into the live :class:`~.model.Workspace`, checking it whole.

Ids are UUIDv5 derived from names (application, block, item), so a seed gives the same ids on every
start and a fixture can be reloaded without breaking a client's saved ids. Every problem raises
``ValueError`` naming the application, block and field, which ``POST /_sandbox/seed`` turns into a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from .formulas import FormulaError, calculation_order, recalculate
from .model import (
    Application,
    Block,
    CellKey,
    Column,
    ImportConfiguration,
    Item,
    ListBlock,
    Metric,
    Pivot,
    Property,
    Scenario,
    Table,
    View,
    Workspace,
    technical_name,
)
from .spec import MATCH_NAME, ApplicationSpec, ColumnSpec, ImportConfigSpec, ListSpec, WorkspaceSpec
from .values import parse_scalar

NAMESPACE = uuid5(NAMESPACE_URL, "https://github.com/ledgerbridge/sandbox/pigment")


def object_id(*path: str) -> UUID:
    """The stable id of a named object (``object_id("FP&A", "metric", "Actuals")``)."""
    return uuid5(NAMESPACE, "/".join(path))


def build_workspace(spec: WorkspaceSpec) -> Workspace:
    workspace = Workspace()
    names: set[str] = set()
    for app_spec in spec.applications:
        if app_spec.name in names:
            raise ValueError(f"two applications are named {app_spec.name!r}")
        names.add(app_spec.name)
        application = _Builder(app_spec).build()
        workspace.applications[application.id] = application
    return workspace


class _Builder:
    def __init__(self, spec: ApplicationSpec) -> None:
        self.spec = spec
        self.app = Application(id=object_id(spec.name), name=spec.name)

    def fail(self, message: str) -> ValueError:
        return ValueError(f"application {self.spec.name!r}: {message}")

    def build(self) -> Application:
        self.app.scenarios = [
            Scenario(object_id(self.spec.name, "scenario", name), name) for name in self.spec.scenarios
        ]
        for list_spec in self.spec.lists:
            self._add_block(self._list(list_spec))
        for list_spec in self.spec.lists:
            self._items(list_spec)
        for metric_spec in self.spec.metrics:
            metric = Metric(
                id=object_id(self.spec.name, "metric", metric_spec.name),
                name=metric_spec.name,
                technical_name="",
                application_id=self.app.id,
                dimensions=tuple(self.dimension(name, metric_spec.name) for name in metric_spec.dimensions),
                formula=metric_spec.formula,
            )
            if len(set(metric.dimensions)) != len(metric.dimensions):
                raise self.fail(f"metric {metric.name!r} names a dimension twice")
            self._add_block(metric)
            if metric_spec.cells and metric_spec.formula is not None:
                raise self.fail(
                    f"metric {metric.name!r} is derived (it has a formula) and cannot hold inputs"
                )
            for cell in metric_spec.cells:
                key, value = self._cell(metric, cell)
                metric.cells[key] = value
        try:
            calculation_order(self.app)
            recalculate(self.app)
        except FormulaError as exc:
            raise self.fail(str(exc)) from None
        for table_spec in self.spec.tables:
            table = Table(
                id=object_id(self.spec.name, "table", table_spec.name),
                name=table_spec.name,
                technical_name="",
                application_id=self.app.id,
                metric_ids=tuple(self.metric(name, table_spec.name).id for name in table_spec.metrics),
            )
            self._add_block(table)
        for view_spec in self.spec.views:
            view_id = object_id(self.spec.name, "view", view_spec.name)
            block = self.block(view_spec.block, view_spec.name) if view_spec.block is not None else None
            metric_ids = None
            if view_spec.metrics is not None:
                if not isinstance(block, Table):
                    raise self.fail(f"view {view_spec.name!r} picks metrics but its block is not a table")
                metric_ids = tuple(self.metric(name, view_spec.name).id for name in view_spec.metrics)
            filters = {}
            for list_name, item_names in view_spec.filters.items():
                dimension = self.app.list_block(self.dimension(list_name, view_spec.name))
                filters[dimension.id] = frozenset(self.item(dimension, name).id for name in item_names)
            self.app.views[view_id] = View(
                id=view_id,
                name=view_spec.name,
                type=view_spec.type,
                application_id=self.app.id,
                block_id=block.id if block is not None else None,
                filters=filters,
                metric_ids=metric_ids,
            )
        for config_spec in self.spec.import_configurations:
            config = _ConfigBuilder(self, config_spec).build()
            self.app.configurations[config.id] = config
        return self.app

    # --- blocks -------------------------------------------------------------------------------------

    def _add_block(self, block: Block) -> None:
        if self.app.block_named(block.name) is not None:
            raise self.fail(f"two blocks are named {block.name!r}")
        block.technical_name = technical_name(block.name, block.id)
        self.app.blocks[block.id] = block

    def _list(self, spec: ListSpec) -> ListBlock:
        list_id = object_id(self.spec.name, "list", spec.name)
        block = ListBlock(
            id=list_id, name=spec.name, technical_name="", application_id=self.app.id, kind=spec.kind
        )
        for prop in spec.properties:
            if block.property_named(prop.name) is not None or prop.name == MATCH_NAME:
                raise self.fail(f"list {spec.name!r} has a duplicate or reserved property {prop.name!r}")
            if (prop.type == "Dimension") != (prop.list is not None):
                raise self.fail(f"property {spec.name}.{prop.name}: a Dimension property names its list")
            prop_id = uuid5(list_id, f"property/{prop.name}")
            block.properties.append(
                Property(
                    id=prop_id,
                    name=prop.name,
                    technical_name=technical_name(prop.name, prop_id),
                    type=prop.type,
                    list_id=object_id(self.spec.name, "list", prop.list) if prop.list else None,
                )
            )
        return block

    def _items(self, spec: ListSpec) -> None:
        block = self.app.list_block(object_id(self.spec.name, "list", spec.name))
        for prop in block.properties:
            if prop.list_id is not None and prop.list_id not in self.app.blocks:
                raise self.fail(f"property {spec.name}.{prop.name} refers to an unknown list")
        # Items first, then their values: a Dimension property may refer to a later item of its own list.
        for index, raw in enumerate(spec.items):
            name = raw.get("name")
            if block.is_dimension and not isinstance(name, str):
                raise self.fail(f"item {index} of dimension list {spec.name!r} has no name")
            if not block.is_dimension and name is not None:
                raise self.fail(f"transaction list {spec.name!r} items have no name (item {index})")
            item_id = uuid5(block.id, f"item/{name}" if name is not None else f"row/{index}")
            try:
                block.add_item(Item(id=item_id, name=name))
            except ValueError as exc:
                raise self.fail(str(exc)) from None
        for item, raw in zip(block.items.values(), spec.items, strict=True):
            item.values = self._values(block, raw)

    def _values(self, block: ListBlock, raw: Mapping[str, Any]) -> dict[UUID, Any]:
        values: dict[UUID, Any] = {}
        for key, value in raw.items():
            if key == "name" or value is None:
                continue
            prop = block.property_named(key)
            if prop is None:
                raise self.fail(f"list {block.name!r} has no property {key!r}")
            try:
                if prop.list_id is not None:
                    values[prop.id] = self.item(self.app.list_block(prop.list_id), str(value)).id
                else:
                    values[prop.id] = parse_scalar(value, prop.type)
            except (TypeError, ValueError) as exc:
                raise self.fail(f"{block.name}.{prop.name} = {value!r}: {exc}") from None
        return values

    def _cell(self, metric: Metric, raw: Mapping[str, Any]) -> tuple[CellKey, Any]:
        extra = set(raw) - {"value"} - {self.app.blocks[d].name for d in metric.dimensions}
        if extra or "value" not in raw:
            raise self.fail(f"a cell of {metric.name!r} must name each dimension and a value: {dict(raw)}")
        key = tuple(
            self.item(self.app.list_block(d), str(raw[self.app.blocks[d].name])).id for d in metric.dimensions
        )
        try:
            value = parse_scalar(raw["value"], "Number")
        except (TypeError, ValueError) as exc:
            raise self.fail(f"a cell of {metric.name!r}: {exc}") from None
        return key, value

    # --- lookups ------------------------------------------------------------------------------------

    def block(self, name: str, used_by: str) -> Block:
        block = self.app.block_named(name)
        if block is None:
            raise self.fail(f"{used_by!r} names an unknown block {name!r}")
        return block

    def dimension(self, name: str, used_by: str) -> UUID:
        block = self.block(name, used_by)
        if not isinstance(block, ListBlock) or not block.is_dimension:
            raise self.fail(f"{used_by!r}: {name!r} is not a dimension list")
        return block.id

    def metric(self, name: str, used_by: str) -> Metric:
        block = self.block(name, used_by)
        if not isinstance(block, Metric):
            raise self.fail(f"{used_by!r}: {name!r} is not a metric")
        return block

    def item(self, block: ListBlock, name: str) -> Item:
        item = block.item_named(name)
        if item is None:
            raise self.fail(f"list {block.name!r} has no item {name!r}")
        return item


class _ConfigBuilder:
    """Checks one import configuration against its target block and resolves its names."""

    def __init__(self, parent: _Builder, spec: ImportConfigSpec) -> None:
        self.parent = parent
        self.app = parent.app
        self.spec = spec

    def fail(self, message: str) -> ValueError:
        return self.parent.fail(f"import configuration {self.spec.name!r}: {message}")

    def build(self) -> ImportConfiguration:
        spec = self.spec
        target = self.parent.block(spec.block, spec.name)
        copy_from = None
        if spec.source in ("list_copy", "metric_copy"):
            copy_from = self._copy_source(target)
            columns: tuple[Column, ...] = ()
        else:
            if spec.source != "csv" and spec.source_data is None:
                raise self.fail(f"a {spec.source} import needs source_data (what the source returns)")
            if isinstance(target, ListBlock):
                columns = tuple(self._list_column(target, column) for column in spec.columns)
            elif isinstance(target, Metric):
                columns = tuple(self._metric_column(column) for column in spec.columns)
            else:
                raise self.fail("only lists and metrics accept imports")
        pivot = self._pivot(target)
        headers = [column.header for column in columns] + list(pivot.columns if pivot else ())
        if len(set(headers)) != len(headers):
            raise self.fail("two columns have the same header")
        unique_property, unique_by_name = self._unique_key(target, columns)
        self._check_scope(columns)
        if isinstance(target, Metric) and spec.source in ("csv", "looker", "integration"):
            self._check_metric_mapping(target, columns, pivot)
        return ImportConfiguration(
            id=object_id(self.app.name, "import", spec.name),
            name=spec.name,
            description=spec.description,
            application_id=self.app.id,
            block_id=target.id,
            source=spec.source,
            layout=spec.layout,
            delimiter=spec.delimiter,
            quote=spec.quote,
            decimal_separator=spec.decimal_separator,
            columns=columns,
            pivot=pivot,
            on_missing_item=spec.on_missing_item,
            unique_property=unique_property,
            unique_by_name=unique_by_name,
            clear=spec.clear,
            scope=spec.scope,
            duplicates=spec.duplicates,
            source_data=spec.source_data,
            copy_from=copy_from,
        )

    def _copy_source(self, target: Block) -> UUID:
        if self.spec.copy_from is None or self.spec.columns:
            raise self.fail("a data copy names copy_from and has no columns")
        source = self.parent.block(self.spec.copy_from, self.spec.name)
        if self.spec.source == "list_copy":
            if not (isinstance(source, ListBlock) and isinstance(target, ListBlock)):
                raise self.fail("a list data copy copies a list into a list")
            if not (source.is_dimension and target.is_dimension):
                raise self.fail("a list data copy copies a dimension list's named items")
        elif not (isinstance(source, Metric) and isinstance(target, Metric)):
            raise self.fail("a metric data copy copies a metric into a metric")
        elif source.dimensions != target.dimensions or target.formula is not None:
            raise self.fail("a metric data copy needs an input metric with the same dimensions")
        return source.id

    def _list_column(self, target: ListBlock, column: ColumnSpec) -> Column:
        if column.kind == "ignore":
            return Column(header=column.header, kind="ignore")
        if column.kind == "item":
            if not target.is_dimension:
                raise self.fail("transaction list items have no name column")
            return Column(header=column.header, kind="item")
        if column.kind != "property" or column.target is None:
            raise self.fail(f"column {column.header!r}: a list import maps columns to item or property")
        prop = target.property_named(column.target)
        if prop is None:
            raise self.fail(f"column {column.header!r}: {target.name!r} has no property {column.target!r}")
        if prop.list_id is None:
            return Column(header=column.header, kind="property", target=prop.id)
        ref = self.app.list_block(prop.list_id)
        return Column(
            header=column.header,
            kind="property",
            target=prop.id,
            ref_list=ref.id,
            match=self._match(ref, column),
            default=column.default,
        )

    def _metric_column(self, column: ColumnSpec) -> Column:
        if column.kind == "ignore":
            return Column(header=column.header, kind="ignore")
        if column.kind == "dimension" and column.target is not None:
            ref = self.app.list_block(self.parent.dimension(column.target, self.spec.name))
            return Column(
                header=column.header,
                kind="dimension",
                target=ref.id,
                ref_list=ref.id,
                match=self._match(ref, column),
                default=column.default,
            )
        if column.kind == "value" and column.target is not None:
            metric = self.parent.metric(column.target, self.spec.name)
            if metric.formula is not None:
                raise self.fail(f"column {column.header!r}: {metric.name!r} is derived and takes no input")
            return Column(header=column.header, kind="value", target=metric.id)
        raise self.fail(f"column {column.header!r}: a metric import maps columns to dimension or value")

    def _match(self, ref: ListBlock, column: ColumnSpec) -> UUID | None:
        if column.match == MATCH_NAME:
            if not ref.is_dimension:
                raise self.fail(f"column {column.header!r}: transaction rows have no name to match on")
            return None
        prop = ref.property_named(column.match)
        if prop is None or prop.type not in ("Text", "Number"):
            raise self.fail(f"column {column.header!r}: {ref.name!r} has no Text property {column.match!r}")
        return prop.id

    def _pivot(self, target: Block) -> Pivot | None:
        spec = self.spec
        if (spec.layout == "pivoted") != (spec.pivot is not None):
            raise self.fail("a pivoted layout needs a pivot section, and only it has one")
        if spec.pivot is None:
            return None
        if not isinstance(target, Metric):
            raise self.fail("only metric imports can be pivoted")
        dimension = self.app.list_block(self.parent.dimension(spec.pivot.dimension, spec.name))
        metric = self.parent.metric(spec.pivot.metric, spec.name)
        if not spec.pivot.columns:
            raise self.fail("a pivot names its columns")
        return Pivot(dimension=dimension.id, metric=metric.id, columns=spec.pivot.columns)

    def _unique_key(self, target: Block, columns: tuple[Column, ...]) -> tuple[UUID | None, bool]:
        key = self.spec.unique_key
        if not isinstance(target, ListBlock) or self.spec.source in ("list_copy", "metric_copy"):
            if key is not None:
                raise self.fail("only list imports have a unique key")
            return None, False
        if key is None:
            if target.is_dimension and not any(column.kind == "item" for column in columns):
                raise self.fail("a dimension list import needs an item (name) column or a unique key")
            return None, target.is_dimension
        if key == MATCH_NAME:
            if not any(column.kind == "item" for column in columns):
                raise self.fail("the unique key is the name, but no column carries it")
            return None, True
        prop = target.property_named(key)
        if prop is None or not any(column.target == prop.id for column in columns):
            raise self.fail(f"the unique key {key!r} is not a property carried by a column")
        return prop.id, False

    def _check_scope(self, columns: tuple[Column, ...]) -> None:
        spec = self.spec
        if (spec.clear == "scope") != bool(spec.scope):
            raise self.fail("clear 'scope' needs scope columns, and only it takes them")
        by_header = {column.header: column for column in columns}
        for header in spec.scope:
            column = by_header.get(header)
            if column is None or column.kind not in ("dimension", "property"):
                raise self.fail(f"scope column {header!r} is not a dimension or property column")

    def _check_metric_mapping(self, target: Metric, columns: tuple[Column, ...], pivot: Pivot | None) -> None:
        dimensions = [column.target for column in columns if column.kind == "dimension"]
        if pivot is not None:
            dimensions.append(pivot.dimension)
        if len(set(dimensions)) != len(dimensions):
            raise self.fail("two columns feed the same dimension")
        metric_ids = [column.target for column in columns if column.kind == "value"]
        if pivot is not None:
            if metric_ids:
                raise self.fail("a pivoted import takes its values from the pivot columns only")
            metric_ids = [pivot.metric]
        if not metric_ids or target.id not in metric_ids:
            raise self.fail(f"no value column feeds the target metric {target.name!r}")
        for metric_id in metric_ids:
            assert metric_id is not None
            metric = self.app.metric(metric_id)
            if set(metric.dimensions) != set(dimensions):
                raise self.fail(f"the dimension columns do not match the dimensions of {metric.name!r}")
