"""Export row filters: the deprecated ``filters`` list and the recursive ``exportFilter`` (OAS), ANDed.

Semantics straight from the OAS descriptions:

* a dimension filter keeps rows whose item of that dimension is one of ``modalityIds``; "only rows where
  the target dimension is defined will be filtered by this" — a row without that dimension passes;
* a value filter compares a metric's value in the row; rows where that metric is not defined (the row
  lacks one of its dimensions) pass; a blank value only passes ``IsNotBlank``'s opposite — never a
  comparison;
* the OAS leaves empty ``and``/``or``/``modalityIds`` undefined; the emulator treats them as "no filter".
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from uuid import UUID

from .errors import PigmentError
from .exportreq import DimensionFilter, ExportFilter, FilterCondition
from .model import Application, Metric

Row = Mapping[UUID, UUID]
Predicate = Callable[[Row], bool]

_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "LessThan": operator.lt,
    "LessThanOrEqual": operator.le,
    "Equal": operator.eq,
    "NotEqual": operator.ne,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqual": operator.ge,
}


def _always(_: Row) -> bool:
    return True


def row_filter(
    application: Application, filters: tuple[DimensionFilter, ...] | None, export_filter: ExportFilter | None
) -> Predicate:
    """One predicate over a row (dimension list id → item id); raises PigmentError(400) on a bad filter."""
    parts = [_dimension(f) for f in filters or ()]
    if export_filter is not None:
        parts.append(_compile(application, export_filter, "exportFilter"))
    if not parts:
        return _always
    return lambda row: all(part(row) for part in parts)


def _dimension(spec: DimensionFilter) -> Predicate:
    allowed = frozenset(spec.modality_ids)
    dimension = spec.dimension_id
    if not allowed:
        return _always
    return lambda row: dimension not in row or row[dimension] in allowed


def _compile(application: Application, spec: ExportFilter, where: str) -> Predicate:
    if spec.type in ("And", "Or"):
        members = spec.and_ if spec.type == "And" else spec.or_
        if members is None:
            raise PigmentError.bad_request(
                f"{where}: a filter of type {spec.type} needs its '{spec.type.lower()}'"
            )
        compiled = [_compile(application, member, f"{where}.{spec.type.lower()}") for member in members]
        if not compiled:
            return _always
        if spec.type == "And":
            return lambda row: all(part(row) for part in compiled)
        return lambda row: any(part(row) for part in compiled)
    if spec.type == "Dimension":
        if spec.dimension is None:
            raise PigmentError.bad_request(f"{where}: a filter of type Dimension needs its 'dimension'")
        return _dimension(spec.dimension)
    if spec.value is None:
        raise PigmentError.bad_request(f"{where}: a filter of type Value needs its 'value'")
    block = application.blocks.get(spec.value.metric_id)
    if not isinstance(block, Metric):
        raise PigmentError.bad_request(f"{where}: metric {spec.value.metric_id} is not in this application")
    return _value(block, spec.value.condition, where)


def _threshold(condition: FilterCondition, where: str) -> Decimal:
    value = condition.value
    if value is None:
        raise PigmentError.bad_request(f"{where}: a {condition.type} condition needs a value")
    if isinstance(value, bool):
        raise PigmentError.bad_request(
            f"{where}: the metric holds numbers; a boolean cannot be compared to it"
        )
    if isinstance(value, Decimal | int):
        return Decimal(value)
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise PigmentError.bad_request(f"{where}: the metric holds numbers; {value!r} is not one") from None
    if not number.is_finite():
        raise PigmentError.bad_request(f"{where}: {value!r} is not a finite number")
    return number


def _value(metric: Metric, condition: FilterCondition, where: str) -> Predicate:
    dimensions = metric.dimensions
    cells = metric.cells
    # IsNotBlank has no threshold: any defined value passes.
    threshold = None if condition.type == "IsNotBlank" else _threshold(condition, where)
    compare = _COMPARE.get(condition.type)

    def predicate(row: Row) -> bool:
        if any(dimension not in row for dimension in dimensions):
            return True
        value = cells.get(tuple(row[dimension] for dimension in dimensions))
        if value is None:
            return False
        return compare is None or threshold is None or compare(value, threshold)

    return predicate
