"""What goes into the hub and what comes out of it: frozen dataclasses, never ORM objects.

Payloads come back as plain dicts decoded from canonical JSON, so Decimals come back as strings; a writer
turns them back into Decimals with ``ledgerbridge.money.to_decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledgerbridge.hub.states import State


@dataclass(frozen=True, slots=True)
class StagedRecord:
    """One source record, already mapped to the payload the target will receive."""

    source_system: str
    source_type: str
    source_id: str
    #: the deterministic idempotency key sent to the target, e.g. ``lb-nue-inv-INV-000123``
    external_id: str
    target_system: str
    target_type: str
    payload: dict[str, Any]
    source_version: str | None = None
    source_modified_at: datetime | None = None
    mapping_version: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """The source identity inside one flow."""
        return (self.source_system, self.source_type, self.source_id)


@dataclass(frozen=True, slots=True)
class StageResult:
    """Counts of one ``stage`` call, and the hub id of each input record in input order."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimedRecord:
    """A record handed to a writer (claimed, or expired and awaiting recovery, or previewed)."""

    id: int
    flow: str
    source_system: str
    source_type: str
    source_id: str
    external_id: str
    target_system: str
    target_type: str
    #: the target's id when this record was linked before (an update rather than a create)
    target_id: str | None
    payload: dict[str, Any]
    payload_hash: str
    #: sends so far, including the one this claim is for
    attempts: int
    mapping_version: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed record. ``error`` wins over ``skipped_reason``, which wins over success.

    ``retry_at`` only matters for a Retriable error: when set, the record is retried automatically at that
    moment; when None, it waits for a human (the executor leaves it None once attempts are exhausted).
    """

    record_id: int
    target_id: str | None = None
    error: BaseException | None = None
    skipped_reason: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordView:
    """A sync_record row as the console and CLI show it."""

    id: int
    flow: str
    source_system: str
    source_type: str
    source_id: str
    external_id: str
    target_system: str
    target_type: str
    target_id: str | None
    state: State
    attempts: int
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None
    error_class: str | None
    error_message: str | None
    error_vendor_code: str | None
    mapping_version: str | None
    payload: dict[str, Any]
    payload_hash: str
    source_version: str | None
    source_modified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_run_id: int | None


@dataclass(frozen=True, slots=True)
class AuditEventView:
    """One append-only audit event."""

    id: int
    at: datetime
    actor: str
    action: str
    record_id: int | None
    run_id: int | None
    from_state: State | None
    to_state: State | None
    reason: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunView:
    """One flow run with its counters."""

    id: int
    flow: str
    trigger: str
    run_key: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    counters: dict[str, int]
    requests: dict[str, int]
    throttled: dict[str, int]
    error: str | None


@dataclass(frozen=True, slots=True)
class LinkView:
    """A parent/child link between two mirrored records."""

    parent_id: int
    child_id: int
    relation: str
    created_at: datetime
