"""Hub rows of the flow: one per period load, and one per (period, NetSuite account) that waits for a
mapping.

- ``gl_period`` (``lb-gl-period-<id>``): the month of one NetSuite accounting period in Pigment. Its
  payload carries the newest ``lastmodifieddate`` of the period's posting transactions, so a change in
  NetSuite changes the payload and re-opens a transferred row (hub staging semantics), while re-reading
  the lookback window with nothing new leaves it untouched. It also carries the mapping version, so a
  changed mapping table re-opens every month it was loaded with.
- ``gl_period_account`` (``lb-gl-period-<id>-acct-<account>``): lines of one NetSuite account left out of
  that month because mapping rows are missing. It goes ``action_needed`` naming them; ``hub retry`` sends
  it back to pending, and the next run reloads its whole month (the push replaces the month).
"""

from __future__ import annotations

from typing import Any

from ledgerbridge.hub import StagedRecord

from .aggregate import MissingAccount
from .source import DirtyPeriod

NETSUITE = "netsuite"
PIGMENT = "pigment"
PERIOD = "gl_period"
PERIOD_ACCOUNT = "gl_period_account"
TARGET_TYPE = "actuals_month"


def period_external_id(period_id: str) -> str:
    return f"lb-gl-period-{period_id}"


def period_payload(period: DirtyPeriod, month: str, mapping_version: str | None) -> dict[str, Any]:
    return {
        "kind": PERIOD,
        "period_id": period.id,
        "period_name": period.name,
        "month": month,
        "start": period.start.isoformat(),
        "newest_modified": period.modified.isoformat(),
        "content": period.content,
        # a month mapped with other tables must load again: the version is part of what was loaded
        "mapping_version": mapping_version,
    }


def period_record(period: DirtyPeriod, month: str, mapping_version: str | None) -> StagedRecord:
    return StagedRecord(
        source_system=NETSUITE,
        source_type=PERIOD,
        source_id=period.id,
        external_id=period_external_id(period.id),
        target_system=PIGMENT,
        target_type=TARGET_TYPE,
        payload=period_payload(period, month, mapping_version),
        source_version=period.modified.isoformat(),
        source_modified_at=period.modified,
        mapping_version=mapping_version,
    )


def account_record(
    payload: dict[str, Any], entry: MissingAccount, mapping_version: str | None
) -> StagedRecord:
    """The row of one account's unmapped lines in the period described by ``payload`` (a period row's)."""
    period_id = str(payload["period_id"])
    return StagedRecord(
        source_system=NETSUITE,
        source_type=PERIOD_ACCOUNT,
        source_id=f"{period_id}:{entry.account_id}",
        external_id=f"{period_external_id(period_id)}-acct-{entry.account_key}",
        target_system=PIGMENT,
        target_type=TARGET_TYPE,
        payload={
            **{k: payload[k] for k in ("period_id", "period_name", "month", "start")},
            "kind": PERIOD_ACCOUNT,
            "netsuite_account": entry.account_key,
            "netsuite_account_id": entry.account_id,
            # what a person has to add, as (mapping, key, what); the amount is in the error message only,
            # so a new posting to the account does not rewrite a row that waits for a person
            "missing": [list(gap) for gap in entry.missing],
            # a later mapping change re-opens a row that had been settled, if the gap comes back
            "mapping_version": mapping_version,
        },
        mapping_version=mapping_version,
    )
