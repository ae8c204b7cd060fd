"""Requests a client sent, by kind, so a flow can report what a run cost on this connection."""

from __future__ import annotations

from enum import StrEnum

from ledgerbridge.connectors import counting


class RequestKind(StrEnum):
    """What a request was for."""

    #: one record by id
    READ = "read"
    #: one page of a list (records or change-feed events)
    LIST = "list"
    #: anything that changes data (applications, cancellations, webhook registrations)
    WRITE = "write"


class RequestCounts(counting.RequestCounts[RequestKind]):
    """Requests sent by one client, by kind (every attempt counts, failed or not)."""

    def __init__(self) -> None:
        super().__init__(RequestKind)
