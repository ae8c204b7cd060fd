"""Scheduled batch mode: when the records parked in the hub as pending are sent to NetSuite.

Every run reads Nue and stages what changed, but a scheduled flow sends only once ``batch.interval`` has
passed since the last send. The last send time is a hub checkpoint (stream ``send``), so the rhythm
survives restarts and is shared by every runtime that runs the flow.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ledgerbridge.hub import HubStore

SEND_STREAM = "send"


def next_send(hub: HubStore, flow: str, interval: timedelta) -> datetime | None:
    """When the next send is due; None when the flow has never sent (it sends on its first run)."""
    saved = hub.get_checkpoint(flow, SEND_STREAM)
    return None if saved is None else datetime.fromisoformat(saved) + interval


def record_send(hub: HubStore, flow: str, started: datetime) -> None:
    """Save when a send *started*: the interval is kept from start to start, whatever a send lasts.

    Called only after the send finished, so a run that crashes mid-send sends again on the next run
    (the executor's leases and external-id upserts make that repeat harmless)."""
    hub.stage(flow, [], checkpoint=(SEND_STREAM, started.isoformat()))
