"""Failed / action_needed hub rows that a planning flow's new snapshot fixes, sent back to pending."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ledgerbridge.hub import HubStore, RecordView, StagedRecord, State


def _same(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return json.dumps(left, sort_keys=True, default=str) == json.dumps(right, sort_keys=True, default=str)


def stuck_to_reopen(hub: HubStore, flow: str, records: Sequence[StagedRecord]) -> list[int]:
    """Hub ids of failed / action_needed rows whose payload this run changes (call BEFORE staging).

    The hub keeps such rows in their state when a new payload arrives (a person may be looking at them);
    but here the new payload *is* the fix — e.g. a mapping row added so a colliding name is no longer
    pushed — so the flow sends them back to pending itself. Rows whose payload is unchanged stay put: the
    same file would fail the same way.
    """
    stuck: dict[tuple[str, str, str], RecordView] = {}
    for state in (State.FAILED, State.ACTION_NEEDED):
        offset = 0
        while True:
            page = hub.list(flow=flow, state=state, limit=500, offset=offset)
            stuck.update({(r.source_system, r.source_type, r.source_id): r for r in page})
            if len(page) < 500:
                break
            offset += 500
    return [
        stuck[record.key].id
        for record in records
        if record.key in stuck and not _same(stuck[record.key].payload, record.payload)
    ]
