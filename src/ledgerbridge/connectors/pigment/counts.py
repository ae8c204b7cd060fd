"""Requests a client sent, by kind, so a run can report what it cost on this connection."""

from __future__ import annotations

from enum import StrEnum

from ledgerbridge.connectors import counting


class RequestKind(StrEnum):
    """What a request was for."""

    IMPORT = "import"  # push/csv, push/looker, trigger
    POLL = "poll"  # import status
    EXPORT = "export"  # view/list/metric/table exports
    METADATA = "metadata"  # applications, blocks, views, importConfigurations


class RequestCounts(counting.RequestCounts[RequestKind]):
    """Requests sent by one client, by kind (every attempt counts, failed or not)."""

    def __init__(self) -> None:
        super().__init__(RequestKind)
