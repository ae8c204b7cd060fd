"""The Pigment connector: discovery, exact CSV pushes with typed import reports, streamed exports.

See docs/connectors/pigment.md. Only ``ledgerbridge.errors``, ``log`` (and money/config) of the product are
imported here; the runtime injects the limiter-wrapped transport and the push gate.
"""

from .client import PigmentClient
from .config import ImportLayout, PigmentSettings
from .counts import RequestCounts, RequestKind
from .csvread import decode_decimals, parse_decimal
from .csvwrite import ColumnMismatchError, InvalidValueError
from .errors import ImportFailedError, ImportTimeoutError, SkippedRowsError, TruncatedExportError
from .exportreq import (
    DimensionFilter,
    ExportField,
    ExportFilter,
    FilterCondition,
    ListExport,
    MetricExport,
    PropertyFilter,
    TableExport,
    ValueFilter,
)
from .exports import ExportRows
from .gate import PushGate, SlidingWindowPushGate
from .records import Application, Block, ImportConfiguration, ImportReport, SkippedData, View

__all__ = [
    "Application",
    "Block",
    "ColumnMismatchError",
    "DimensionFilter",
    "ExportField",
    "ExportFilter",
    "ExportRows",
    "FilterCondition",
    "ImportConfiguration",
    "ImportFailedError",
    "ImportLayout",
    "ImportReport",
    "ImportTimeoutError",
    "InvalidValueError",
    "ListExport",
    "MetricExport",
    "PigmentClient",
    "PigmentSettings",
    "PropertyFilter",
    "PushGate",
    "RequestCounts",
    "RequestKind",
    "SkippedData",
    "SkippedRowsError",
    "SlidingWindowPushGate",
    "TableExport",
    "TruncatedExportError",
    "ValueFilter",
    "View",
    "decode_decimals",
    "parse_decimal",
]
