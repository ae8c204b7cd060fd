"""Typed records and result types of the NetSuite connector.

Record bodies themselves stay ``dict[str, Any]``: NetSuite's record types are open-ended (custom fields,
per-account forms), and flows build them from mapping tables. What is typed here is what the connector
promises about its answers: per-item batch outcomes, async job state, governance limits, request counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledgerbridge.connectors import counting
from ledgerbridge.errors import LedgerbridgeError, RecordRejected

#: NetSuite external ids: letters, digits, underscore and hyphen (notes §1.4)
EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_EXTERNAL_ID = 255

JsonObject = dict[str, Any]


class RequestKind(StrEnum):
    """What a request was for, so flows can report requests per record by kind."""

    WRITE = "write"
    READ = "read"
    QUERY = "query"
    POLL = "poll"
    AUTH = "auth"


class RequestCounts(counting.RequestCounts[RequestKind]):
    """Requests sent by one client, by kind (every attempt counts, failed or not)."""

    def __init__(self) -> None:
        super().__init__(RequestKind)


def check_external_id(external_id: str, *, record_type: str | None = None) -> str:
    """Validate an external id locally (letters, digits, ``_`` and ``-``) before it reaches a URL."""
    if not isinstance(external_id, str) or not external_id:
        raise RecordRejected(
            "empty external id", vendor_code="INVALID_EXTERNAL_ID", hint="every record needs an external id"
        )
    if len(external_id) > _MAX_EXTERNAL_ID or not EXTERNAL_ID_RE.fullmatch(external_id):
        what = f"{record_type} " if record_type else ""
        shown = external_id if len(external_id) <= 80 else external_id[:77] + "..."
        raise RecordRejected(
            f"illegal {what}external id {shown!r}: NetSuite external ids may contain only letters, digits, "
            f"'_' and '-' (at most {_MAX_EXTERNAL_ID} characters)",
            vendor_code="INVALID_EXTERNAL_ID",
            hint="change how this flow builds the external id (replace other characters, e.g. with '-')",
        )
    return external_id


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one record of a batch write: the new/updated internal id, or the error for it."""

    #: position of the record in the caller's sequence
    index: int
    external_id: str | None
    id: str | None = None
    error: LedgerbridgeError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.id is not None


@dataclass(frozen=True, slots=True)
class JobStatus:
    """An async job as ``GET /async/v1/job/{id}`` describes it."""

    id: str
    completed: bool
    progress: str
    location: str


@dataclass(frozen=True, slots=True)
class GovernanceLimits:
    """``GET /system/v1/governanceLimits`` (notes §1.12, §4.1)."""

    account_concurrency_limit: int
    account_unallocated_concurrency_limit: int | None
    integration_concurrency_limit: int | None
    integration_limit_type: str | None
    raw: JsonObject = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, payload: JsonObject) -> GovernanceLimits:
        def as_int(key: str) -> int | None:
            value = payload.get(key)
            return int(value) if value is not None else None

        account = as_int("accountConcurrencyLimit")
        if account is None:
            raise ValueError("governanceLimits answer has no accountConcurrencyLimit")
        limit_type = payload.get("integrationLimitType")
        return cls(
            account_concurrency_limit=account,
            account_unallocated_concurrency_limit=as_int("accountUnallocatedConcurrencyLimit"),
            integration_concurrency_limit=as_int("integrationConcurrencyLimit"),
            integration_limit_type=str(limit_type) if limit_type is not None else None,
            raw=dict(payload),
        )


def id_from_location(location: str | None) -> str | None:
    """The internal id at the end of a record ``Location`` (``.../record/v1/customer/647`` → ``647``)."""
    if not location:
        return None
    path = location.split("?", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1]
    return last or None
