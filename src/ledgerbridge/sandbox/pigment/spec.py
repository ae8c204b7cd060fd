"""The workspace as a declarative document: what seeds are written in and what ``POST /_sandbox/seed`` takes.

Everything is named, never numbered: a metric names its dimension lists, a column names the property or
metric it feeds. :mod:`.build` turns a :class:`WorkspaceSpec` into the live model and gives every object
a UUID derived from its names, so the same seed always has the same ids.

A minimal fixture::

    {"applications": [{"name": "FP&A",
       "lists": [{"name": "Month", "items": [{"name": "Jan 26"}]}],
       "metrics": [{"name": "Actuals", "dimensions": ["Month"],
                    "cells": [{"Month": "Jan 26", "value": "100.00"}]}]}]}
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PropertyType = Literal["Text", "Number", "Date", "Boolean", "Dimension"]
ListKind = Literal["DimensionList", "TransactionList"]
ViewType = Literal["Public", "Personal"]
Layout = Literal["flat", "pivoted"]
OnMissingItem = Literal["skip", "default", "auto_create"]
ClearMode = Literal["none", "all", "scope"]
SourceKind = Literal["csv", "looker", "integration", "list_copy", "metric_copy"]
ColumnKind = Literal["item", "property", "dimension", "value", "ignore"]

#: what a column matches list items on when no property is named: the item's name
MATCH_NAME = "Name"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertySpec(_Spec):
    """A list property; ``list`` names the referenced list of a Dimension-typed property."""

    name: str
    type: PropertyType = "Text"
    list: str | None = None


class ListSpec(_Spec):
    """A Dimension List (unique named items) or a Transaction List (rows)."""

    name: str
    kind: ListKind = "DimensionList"
    properties: tuple[PropertySpec, ...] = ()
    #: each item: ``{"name": ..., "<property name>": value}``; transaction rows have no ``name``
    items: tuple[dict[str, Any], ...] = ()


class MetricSpec(_Spec):
    """A Number metric over dimension lists; a ``formula`` makes it derived (recalculated, not input)."""

    name: str
    dimensions: tuple[str, ...]
    formula: str | None = None
    #: input cells: ``{"<dimension list>": "<item name>", ..., "value": "123.45"}``
    cells: tuple[dict[str, Any], ...] = ()


class TableSpec(_Spec):
    name: str
    metrics: tuple[str, ...]


class ViewSpec(_Spec):
    """A saved view of a list, metric or table, with the dimension filters it was saved with."""

    name: str
    block: str | None
    type: ViewType = "Public"
    #: ``{"<dimension list>": ["<item name>", ...]}``
    filters: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: for a table view: the metrics shown (None = all of the table's)
    metrics: tuple[str, ...] | None = None


class ColumnSpec(_Spec):
    """One CSV column of an import configuration and what it feeds.

    ========== ==================================================================================
    kind       target
    ========== ==================================================================================
    item       (list imports) the item's name
    property   (list imports) a property, by name
    dimension  (metric imports) a dimension list, by name
    value      (metric imports) a metric, by name; the cell value
    ignore     nothing (the column must still be in the header)
    ========== ==================================================================================

    ``match`` says which property of the referenced list a dimension (or Dimension-typed property)
    column is matched on: ``Name`` (the item name, the default) or a property name such as ``Code``.
    ``default`` is the item a missing value goes to under ``on_missing_item: default``.
    """

    header: str
    kind: ColumnKind
    target: str | None = None
    match: str = MATCH_NAME
    default: str | None = None


class PivotSpec(_Spec):
    """Pivoted layout: every column that is not a declared column is an item of ``dimension``
    (matched on its name) and carries a value of ``metric``."""

    dimension: str
    metric: str
    columns: tuple[str, ...]


class ImportConfigSpec(_Spec):
    """A saved import configuration (notes §1.5, §7): how a CSV becomes list items or metric cells."""

    name: str
    description: str = ""
    block: str
    source: SourceKind = "csv"
    layout: Layout = "flat"
    delimiter: Literal[";", ",", "\t", "|"] = ";"
    quote: Literal['"', "'"] = '"'
    decimal_separator: Literal[".", ","] = "."
    columns: tuple[ColumnSpec, ...] = ()
    pivot: PivotSpec | None = None
    on_missing_item: OnMissingItem = "skip"
    #: list imports: the property (or ``Name``) identifying an item; None on a transaction list = append
    unique_key: str | None = None
    clear: ClearMode = "none"
    #: clear-by-scope: the column headers whose values in the file delimit the slice that is replaced
    scope: tuple[str, ...] = ()
    #: metric imports: two rows for the same cell — keep the ``last`` or ``sum`` them
    duplicates: Literal["last", "sum"] = "last"
    #: looker / integration: the data the source returns when the import runs (a CSV text)
    source_data: str | None = None
    #: list_copy / metric_copy: the block copied from
    copy_from: str | None = None


class ApplicationSpec(_Spec):
    name: str
    #: scenario names, the default first; empty = scenarios are off
    scenarios: tuple[str, ...] = ()
    lists: tuple[ListSpec, ...] = ()
    metrics: tuple[MetricSpec, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    views: tuple[ViewSpec, ...] = ()
    import_configurations: tuple[ImportConfigSpec, ...] = ()


class WorkspaceSpec(_Spec):
    """The whole workspace: what a seed or a fixture holds."""

    applications: tuple[ApplicationSpec, ...] = ()
