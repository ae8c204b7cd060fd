"""Request bodies of the block exports (OAS ``ListRequest``, ``MetricRequest``, ``TableRequest``).

Field names are Pythonic here and camelCase on the wire; fields left ``None`` are not sent, so Pigment's
own defaults apply (v1: ISO dates; ``Semicolon``; ``Dot``). ``fieldDelimiter`` also tells the parser how
to read the answer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

FieldDelimiter = Literal["Semicolon", "Comma"]
DELIMITERS: dict[str, str] = {"Semicolon": ";", "Comma": ","}


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class DimensionFilter(_Wire):
    """Keep only these items (``modalityIds``) of one dimension."""

    dimension_id: str
    modality_ids: tuple[str, ...] = Field(min_length=1)


class PropertyFilter(_Wire):
    """Keep list items whose Dimension-typed property is one of these items."""

    property_technical_name: str
    modality_ids: tuple[str, ...] = Field(min_length=1)


class FilterCondition(_Wire):
    type: Literal[
        "LessThan", "LessThanOrEqual", "Equal", "NotEqual", "GreaterThan", "GreaterThanOrEqual", "IsNotBlank"
    ]
    #: omitted for IsNotBlank; numbers as text keep them exact on the wire
    value: str | int | bool | None = None


class ValueFilter(_Wire):
    metric_id: str
    condition: FilterCondition


class ExportFilter(_Wire):
    """The recursive And / Or / Dimension / Value filter."""

    type: Literal["And", "Or", "Dimension", "Value"]
    and_: tuple[ExportFilter, ...] | None = Field(default=None, alias="and", min_length=1)
    or_: tuple[ExportFilter, ...] | None = Field(default=None, alias="or", min_length=1)
    dimension: DimensionFilter | None = None
    value: ValueFilter | None = None


class ExportField(_Wire):
    source_id: str | None
    type: Literal["DimensionField", "ScenarioField", "ValueField"]
    display_name: str | None = None


class _Common(_Wire):
    friendly_headers: bool | None = None
    date_format: Literal["Legacy", "Iso8601"] | None = None
    field_delimiter: FieldDelimiter | None = None
    decimal_separator: Literal["Dot", "Comma"] | None = None
    encoding: Literal["Utf8WithBom", "Utf8WithoutBom"] | None = None

    @property
    def delimiter(self) -> str:
        return DELIMITERS[self.field_delimiter or "Semicolon"]

    @property
    def decimal_char(self) -> str:
        return "," if self.decimal_separator == "Comma" else "."


class ListExport(_Common):
    """Options of ``POST /api/v1/export/list/{listId}``."""

    property_technical_names: tuple[str, ...] | None = None
    list_filter: tuple[str, ...] | None = None
    property_filters: tuple[PropertyFilter, ...] | None = None


class MetricExport(_Common):
    """Options of ``POST /api/v1/export/metric/{metricId}``."""

    scenarios: tuple[str, ...] | None = None
    filters: tuple[DimensionFilter, ...] | None = None
    export_filter: ExportFilter | None = None


class TableExport(MetricExport):
    """Options of ``POST /api/v1/export/table/{tableId}``."""

    metrics: tuple[str, ...] | None = None
    fields: tuple[ExportField, ...] | None = None


ExportFilter.model_rebuild()
