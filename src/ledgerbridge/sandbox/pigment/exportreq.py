"""The block-export request bodies (OAS ``ListRequest``, ``MetricRequest``, ``TableRequest``), validated.

Every body field is optional and may be null; unknown fields are refused (the OAS schemas say
``additionalProperties: false``), as are wrong types — each a 400. Filter values stay exact: JSON numbers
are read as ``Decimal``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._kit.jsonbody import loads
from .errors import PigmentError

DateFormat = Literal["Legacy", "Iso8601"]
Delimiter = Literal["Semicolon", "Comma"]
DecimalSeparator = Literal["Comma", "Dot"]
Encoding = Literal["Utf8WithBom", "Utf8WithoutBom"]
ConditionType = Literal[
    "LessThan", "LessThanOrEqual", "Equal", "NotEqual", "GreaterThan", "GreaterThanOrEqual", "IsNotBlank"
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DimensionFilter(_Body):
    dimension_id: UUID = Field(alias="dimensionId")
    modality_ids: tuple[UUID, ...] = Field(alias="modalityIds")


class PropertyFilter(_Body):
    property_technical_name: str = Field(alias="propertyTechnicalName")
    modality_ids: tuple[UUID, ...] = Field(alias="modalityIds")


class FilterCondition(_Body):
    type: ConditionType
    value: bool | Decimal | int | str | None = None


class ValueFilter(_Body):
    metric_id: UUID = Field(alias="metricId")
    condition: FilterCondition


class ExportFilter(_Body):
    type: Literal["And", "Or", "Dimension", "Value"]
    and_: tuple[ExportFilter, ...] | None = Field(default=None, alias="and")
    or_: tuple[ExportFilter, ...] | None = Field(default=None, alias="or")
    dimension: DimensionFilter | None = None
    value: ValueFilter | None = None


class ExportField(_Body):
    source_id: UUID | None = Field(default=None, alias="sourceId")
    type: Literal["DimensionField", "ScenarioField", "ValueField"]
    display_name: str | None = Field(default=None, alias="displayName")


class _Common(_Body):
    friendly_headers: bool | None = Field(default=None, alias="friendlyHeaders")
    date_format: DateFormat | None = Field(default=None, alias="dateFormat")
    field_delimiter: Delimiter | None = Field(default=None, alias="fieldDelimiter")
    decimal_separator: DecimalSeparator | None = Field(default=None, alias="decimalSeparator")
    encoding: Encoding | None = None


class ListRequest(_Common):
    property_technical_names: tuple[str, ...] | None = Field(default=None, alias="propertyTechnicalNames")
    list_filter: tuple[UUID, ...] | None = Field(default=None, alias="listFilter")
    property_filters: tuple[PropertyFilter, ...] | None = Field(default=None, alias="propertyFilters")


class MetricRequest(_Common):
    scenarios: tuple[UUID, ...] | None = None
    filters: tuple[DimensionFilter, ...] | None = None
    export_filter: ExportFilter | None = Field(default=None, alias="exportFilter")


class TableRequest(MetricRequest):
    metrics: tuple[UUID, ...] | None = None
    fields: tuple[ExportField, ...] | None = None


R = TypeVar("R", bound=_Body)


def parse_body(raw: bytes, model: type[R]) -> R:
    """An optional JSON body: empty or ``null`` means every default."""
    if not raw.strip():
        return model()
    try:
        document: Any = loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PigmentError.bad_request(f"the body is not valid JSON ({exc})") from None
    if document is None:
        return model()
    if not isinstance(document, dict):
        raise PigmentError.bad_request("the body must be a JSON object")
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise PigmentError.bad_request(f"{where}: {first['msg']}") from None
