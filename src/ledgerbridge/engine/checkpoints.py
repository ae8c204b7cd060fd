"""The checkpoint discipline of DESIGN §4.2 as a small API for flows.

    stream = CheckpointedStream(hub, "billing-to-erp", "nue.invoices", lookback=timedelta(minutes=5))
    start = stream.start()                      # None on the first run: read everything
    for page in source.pages(since=start):      # the source orders by (modified, id)
        stream.commit(page.records, page.cursors)

``commit`` stages the page's records and moves the checkpoint to the largest cursor *of those records*
in one hub transaction, so the cursor can never get ahead of what the hub durably holds: a crash between
pages loses nothing and the next run resumes at the last committed page. The next read starts
``lookback`` before the saved cursor; re-staging the overlap is a no-op (unchanged payload hashes), and
it catches records whose modified timestamps land late (clock skew, long source transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.hub import HubStore, StagedRecord, StageResult


class CheckpointedStream:
    """One incremental stream of one flow: where to start reading, and how to commit what was read."""

    def __init__(self, store: HubStore, flow: str, stream: str, *, lookback: timedelta) -> None:
        if lookback < timedelta(0):
            raise ValueError("a lookback cannot be negative")
        self.store = store
        self.flow = flow
        self.stream = stream
        self.lookback = lookback

    def saved(self) -> Cursor | None:
        """The committed cursor, exactly as stored."""
        value = self.store.get_checkpoint(self.flow, self.stream)
        return None if value is None else Cursor.decode(value)

    def start(self) -> Cursor | None:
        """Where the next read starts: the saved cursor minus the lookback (None: from the beginning)."""
        saved = self.saved()
        return None if saved is None else saved.minus(self.lookback)

    def commit(
        self, records: Sequence[StagedRecord], cursors: Sequence[Cursor], *, run_id: int | None = None
    ) -> StageResult:
        """Stage ``records`` and advance the checkpoint to their largest cursor, atomically.

        ``cursors[i]`` is the position of ``records[i]``. The checkpoint never moves backwards: re-reading
        the lookback overlap stages records older than the saved cursor and leaves the cursor alone.
        """
        if len(records) != len(cursors):
            raise ValueError(f"{len(records)} records but {len(cursors)} cursors: one cursor per record")
        if not records:
            return StageResult()
        newest = max(cursors)
        saved = self.saved()
        checkpoint = None if saved is not None and saved >= newest else (self.stream, newest.encode())
        return self.store.stage(self.flow, records, checkpoint=checkpoint, run_id=run_id)
