"""The live planning model: applications holding lists, metrics, tables, views and import configurations.

Identifiers are UUIDs everywhere, as in Pigment's API (notes §1.1); list items are "modalities" there.
Cell values are ``Decimal`` — never float. A metric's cells map a tuple of item ids (one per dimension,
in the metric's dimension order) to a value; a blank cell is simply absent.

Property values by type: Text → ``str``, Number → ``Decimal``, Date → ``date``, Boolean → ``bool``,
Dimension → the referenced item's ``UUID``; a blank property is absent from ``Item.values``.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from .spec import ClearMode, Layout, ListKind, OnMissingItem, PropertyType, SourceKind, ViewType

BlockType = Literal["DimensionList", "TransactionList", "Metric", "Table"]
PropertyValue = str | Decimal | date | bool | UUID
CellKey = tuple[UUID, ...]

_SLUG = re.compile(r"[^a-z0-9]+")
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def technical_name(name: str, owner: UUID) -> str:
    """Pigment-style technical name: a slug plus a 6-character suffix (``actuals_GDBAK8``, notes §1.2).

    The suffix is derived from the owner's id, so it is stable for a seeded object across restarts.
    """
    slug = _SLUG.sub("_", name.lower()).strip("_") or "block"
    digest = hashlib.sha256(owner.bytes).digest()
    suffix = "".join(_SUFFIX_ALPHABET[byte % len(_SUFFIX_ALPHABET)] for byte in digest[:6])
    return f"{slug}_{suffix}"


@dataclass(slots=True, eq=False)
class Property:
    """A list property; ``list_id`` is the referenced list of a Dimension-typed property."""

    id: UUID
    name: str
    technical_name: str
    type: PropertyType
    list_id: UUID | None = None


@dataclass(slots=True, eq=False)
class Item:
    """A list item (a "modality"): a dimension member with a unique name, or a transaction row."""

    id: UUID
    name: str | None
    values: dict[UUID, PropertyValue] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Block(ABC):
    """A list, metric or table of an application (``BlockMetadata`` in the OAS)."""

    id: UUID
    name: str
    technical_name: str
    application_id: UUID

    @property
    @abstractmethod
    def block_type(self) -> BlockType:
        """The OAS ``BlockMetadataType``."""


@dataclass(slots=True, eq=False)
class ListBlock(Block):
    """A Dimension List or a Transaction List, its properties and its items in display order."""

    kind: ListKind = "DimensionList"
    properties: list[Property] = field(default_factory=list)
    items: dict[UUID, Item] = field(default_factory=dict)
    _by_name: dict[str, UUID] = field(default_factory=dict, repr=False)

    @property
    def block_type(self) -> BlockType:
        return self.kind

    @property
    def is_dimension(self) -> bool:
        return self.kind == "DimensionList"

    def property_named(self, name: str) -> Property | None:
        return next((prop for prop in self.properties if name in (prop.name, prop.technical_name)), None)

    def item_named(self, name: str) -> Item | None:
        found = self._by_name.get(name)
        return self.items[found] if found is not None else None

    def add_item(self, item: Item) -> None:
        if item.name is not None:
            if item.name in self._by_name:
                raise ValueError(f"list {self.name!r} already has an item named {item.name!r}")
            self._by_name[item.name] = item.id
        self.items[item.id] = item

    def rename(self, item: Item, name: str) -> None:
        if name == item.name:
            return
        if name in self._by_name:
            raise ValueError(f"list {self.name!r} already has an item named {name!r}")
        if item.name is not None:
            del self._by_name[item.name]
        self._by_name[name] = item.id
        item.name = name

    def remove_item(self, item_id: UUID) -> None:
        item = self.items.pop(item_id)
        if item.name is not None:
            self._by_name.pop(item.name, None)

    def position(self) -> dict[UUID, int]:
        """Item id → display position (exports sort by it)."""
        return {item_id: index for index, item_id in enumerate(self.items)}


@dataclass(slots=True, eq=False)
class Metric(Block):
    """A Number metric: cells over ``dimensions`` (list ids); ``formula`` makes it derived."""

    dimensions: tuple[UUID, ...] = ()
    cells: dict[CellKey, Decimal] = field(default_factory=dict)
    formula: str | None = None

    @property
    def block_type(self) -> BlockType:
        return "Metric"


@dataclass(slots=True, eq=False)
class Table(Block):
    """A group of metrics analysed together (a P&L); its exports align them on their dimensions."""

    metric_ids: tuple[UUID, ...] = ()

    @property
    def block_type(self) -> BlockType:
        return "Table"


@dataclass(slots=True, eq=False)
class View:
    """A saved view: a block plus the dimension filters (list id → item ids) it was saved with."""

    id: UUID
    name: str
    type: ViewType
    application_id: UUID
    block_id: UUID | None
    filters: dict[UUID, frozenset[UUID]] = field(default_factory=dict)
    metric_ids: tuple[UUID, ...] | None = None


@dataclass(slots=True, eq=False)
class Column:
    """One expected CSV column of an import configuration (see ``spec.ColumnSpec``)."""

    header: str
    kind: Literal["item", "property", "dimension", "value", "ignore"]
    #: property id (list imports), dimension list id or metric id (metric imports)
    target: UUID | None = None
    #: the referenced list a dimension / Dimension-typed property column resolves items in
    ref_list: UUID | None = None
    #: the property of ``ref_list`` matched on; None = the item name
    match: UUID | None = None
    default: str | None = None


@dataclass(slots=True, eq=False)
class Pivot:
    dimension: UUID
    metric: UUID
    columns: tuple[str, ...]


@dataclass(slots=True, eq=False)
class ImportConfiguration:
    """A saved import configuration: format, column mapping and load policy (notes §1.5)."""

    id: UUID
    name: str
    description: str
    application_id: UUID
    block_id: UUID
    source: SourceKind
    layout: Layout
    delimiter: str
    quote: str
    decimal_separator: str
    columns: tuple[Column, ...]
    pivot: Pivot | None
    on_missing_item: OnMissingItem
    #: list imports: the property identifying an item (None with ``unique_by_name`` False = append)
    unique_property: UUID | None
    unique_by_name: bool
    clear: ClearMode
    scope: tuple[str, ...]
    duplicates: Literal["last", "sum"]
    source_data: str | None
    copy_from: UUID | None

    @property
    def expected_header(self) -> tuple[str, ...]:
        pivoted = self.pivot.columns if self.pivot is not None else ()
        return tuple(column.header for column in self.columns) + pivoted


@dataclass(slots=True, eq=False)
class Scenario:
    id: UUID
    name: str


@dataclass(slots=True, eq=False)
class Application:
    id: UUID
    name: str
    scenarios: list[Scenario] = field(default_factory=list)
    blocks: dict[UUID, Block] = field(default_factory=dict)
    views: dict[UUID, View] = field(default_factory=dict)
    configurations: dict[UUID, ImportConfiguration] = field(default_factory=dict)

    @property
    def default_scenario(self) -> Scenario | None:
        return self.scenarios[0] if self.scenarios else None

    def block_named(self, name: str) -> Block | None:
        return next((block for block in self.blocks.values() if block.name == name), None)

    def lists(self) -> list[ListBlock]:
        return [block for block in self.blocks.values() if isinstance(block, ListBlock)]

    def metrics(self) -> list[Metric]:
        return [block for block in self.blocks.values() if isinstance(block, Metric)]

    def metric(self, metric_id: UUID) -> Metric:
        block = self.blocks[metric_id]
        if not isinstance(block, Metric):
            raise TypeError(f"{block.name!r} is not a metric")
        return block

    def list_block(self, list_id: UUID) -> ListBlock:
        block = self.blocks[list_id]
        if not isinstance(block, ListBlock):
            raise TypeError(f"{block.name!r} is not a list")
        return block


@dataclass(slots=True, eq=False)
class Workspace:
    """Every application of the workspace, with id indexes across them."""

    applications: dict[UUID, Application] = field(default_factory=dict)

    def block(self, block_id: UUID) -> tuple[Application, Block] | None:
        for application in self.applications.values():
            found = application.blocks.get(block_id)
            if found is not None:
                return application, found
        return None

    def view(self, view_id: UUID) -> tuple[Application, View] | None:
        for application in self.applications.values():
            found = application.views.get(view_id)
            if found is not None:
                return application, found
        return None

    def configuration(self, configuration_id: UUID) -> tuple[Application, ImportConfiguration] | None:
        for application in self.applications.values():
            found = application.configurations.get(configuration_id)
            if found is not None:
                return application, found
        return None

    def application_named(self, name: str) -> Application | None:
        return next((app for app in self.applications.values() if app.name == name), None)
