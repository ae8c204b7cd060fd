"""Cursors: full aware datetimes plus a tie-breaker, a total order, and a lossless string form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerbridge.engine.cursors import Cursor

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_order_is_moment_then_tie_across_time_zones() -> None:
    noon_utc = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    same_in_pacific = noon_utc.astimezone(PACIFIC)
    assert Cursor(noon_utc, "A") == Cursor(same_in_pacific, "A")
    assert (
        Cursor(noon_utc, "A")
        < Cursor(same_in_pacific, "B")
        < Cursor(noon_utc + timedelta(microseconds=1), "")
    )
    assert max(Cursor(noon_utc, "B"), Cursor(noon_utc, "A")) == Cursor(noon_utc, "B")
    assert len({Cursor(noon_utc, "A"), Cursor(same_in_pacific, "A")}) == 1


def test_encode_keeps_the_source_offset_and_decodes_exactly() -> None:
    moment = datetime(2026, 3, 1, 9, 15, 0, 123456, tzinfo=PACIFIC)
    cursor = Cursor(moment, "INV-000123|x")
    text = cursor.encode()
    assert text == "2026-03-01T09:15:00.123456-08:00|INV-000123|x"
    decoded = Cursor.decode(text)
    assert decoded == cursor and decoded.tie == "INV-000123|x"
    assert decoded.moment.utcoffset() == timedelta(hours=-8)


@settings(derandomize=True, max_examples=300)
@given(
    moment=st.datetimes(timezones=st.sampled_from([UTC, PACIFIC, timezone(timedelta(hours=5, minutes=30))])),
    tie=st.text(max_size=20),
)
def test_encoding_round_trips(moment: datetime, tie: str) -> None:
    cursor = Cursor(moment, tie)
    assert Cursor.decode(cursor.encode()) == cursor


def test_minus_steps_back_before_every_tie() -> None:
    cursor = Cursor(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), "INV-9")
    start = cursor.minus(timedelta(minutes=5))
    assert start == Cursor(datetime(2026, 3, 1, 11, 55, tzinfo=UTC), "")
    assert start < Cursor(datetime(2026, 3, 1, 11, 55, tzinfo=UTC), "INV-0")
    assert cursor.minus(timedelta(0)) < cursor
    with pytest.raises(ValueError):
        cursor.minus(timedelta(seconds=-1))


@pytest.mark.parametrize(
    "bad",
    [date(2026, 3, 1), datetime(2026, 3, 1, 12, 0), "2026-03-01T12:00:00+00:00"],
)
def test_dates_naive_datetimes_and_strings_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        Cursor(bad, "x")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2026-03-01|INV-1", "2026-03-01T12:00:00|INV-1", "no separator", ""])
def test_decode_refuses_date_only_naive_and_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        Cursor.decode(bad)


def test_the_repeated_hour_at_a_dst_change_still_orders_by_instant() -> None:
    first = datetime(2026, 11, 1, 1, 30, tzinfo=PACIFIC)  # 01:30 PDT
    second = first.replace(fold=1)  # 01:30 PST, an hour later
    assert Cursor(first, "a") < Cursor(second, "a")
    assert Cursor.decode(Cursor(second, "a").encode()) == Cursor(second, "a")
    assert Cursor(second, "a") == Cursor(second.astimezone(UTC), "a")
