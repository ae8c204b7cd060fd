"""CheckpointedStream: the cursor moves with the rows it describes, never past them, never backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledgerbridge.engine.checkpoints import CheckpointedStream
from ledgerbridge.engine.cursors import Cursor
from ledgerbridge.hub import HubStore
from ledgerbridge.hub import staging as staging_module
from tests.integration.hub.helpers import FLOW, staged

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: int, tie: str) -> Cursor:
    return Cursor(T0 + timedelta(minutes=minutes), tie)


def test_first_start_is_none_then_saved_minus_lookback(hub: HubStore) -> None:
    stream = CheckpointedStream(hub, FLOW, "nue.invoices", lookback=timedelta(minutes=5))
    assert stream.start() is None and stream.saved() is None
    result = stream.commit([staged("B"), staged("A"), staged("C")], [at(10, "B"), at(3, "A"), at(10, "C")])
    assert result.new == 3
    assert stream.saved() == at(10, "C")
    assert stream.start() == Cursor(T0 + timedelta(minutes=5), "")
    assert hub.get_checkpoint(FLOW, "nue.invoices") == at(10, "C").encode()


def test_rereading_the_overlap_stages_nothing_and_keeps_the_cursor(hub: HubStore) -> None:
    stream = CheckpointedStream(hub, FLOW, "nue.invoices", lookback=timedelta(minutes=5))
    stream.commit([staged("A"), staged("B")], [at(1, "A"), at(9, "B")])
    again = stream.commit([staged("B")], [at(9, "B")])
    assert (again.new, again.changed, again.unchanged) == (0, 0, 1)
    older = stream.commit([staged("Z")], [at(6, "Z")])  # a late-landing record inside the overlap
    assert older.new == 1
    assert stream.saved() == at(9, "B")


def test_same_moment_uses_the_tie_breaker(hub: HubStore) -> None:
    stream = CheckpointedStream(hub, FLOW, "nue.invoices", lookback=timedelta(0))
    stream.commit([staged("INV-1"), staged("INV-2")], [at(0, "INV-1"), at(0, "INV-2")])
    assert stream.saved() == at(0, "INV-2")
    stream.commit([staged("INV-3")], [at(0, "INV-3")])
    assert stream.saved() == at(0, "INV-3")


def test_a_failed_commit_moves_neither_rows_nor_cursor(
    hub: HubStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = CheckpointedStream(hub, FLOW, "nue.invoices", lookback=timedelta(minutes=1))
    stream.commit([staged("A")], [at(1, "A")])

    def crash(*_args: object, **_kwargs: object) -> None:
        raise OSError("connection dropped")

    monkeypatch.setattr(staging_module, "write_checkpoint", crash)
    with pytest.raises(OSError):
        stream.commit([staged("B"), staged("C")], [at(2, "B"), at(3, "C")])
    monkeypatch.undo()
    assert stream.saved() == at(1, "A")
    assert hub.find(FLOW, "nue", "invoice", "B") is None


def test_commit_checks_its_arguments(hub: HubStore) -> None:
    stream = CheckpointedStream(hub, FLOW, "s", lookback=timedelta(0))
    with pytest.raises(ValueError, match="one cursor per record"):
        stream.commit([staged("A")], [])
    assert stream.commit([], []).new == 0 and stream.saved() is None
    with pytest.raises(ValueError):
        CheckpointedStream(hub, FLOW, "s", lookback=timedelta(seconds=-1))
