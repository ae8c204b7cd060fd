"""Incremental reads against a fake Nue list: no record is lost when records change mid-read or share a
timestamp, and a read resumes exactly after its cursor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledgerbridge.connectors.nue import paging

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return paging.timestamp(moment)


class FakeList:
    """A Nue list in memory: ``lastModifiedDate>=`` filter, ``sort=lastModifiedDate`` (honoured unless
    ``ignore_sort``), page/limit; ``between_pages`` runs after each fetch, to change records mid-read."""

    def __init__(self, *, ignore_sort: bool = False) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.ignore_sort = ignore_sort
        self.fetches: list[list[paging.Term]] = []
        self.between_pages: Callable[[int], None] = lambda n: None

    def put(self, key: str, moment: datetime, version: int = 1) -> None:
        if key not in self.rows:
            self.order.append(key)
        self.rows[key] = {"id": key, "lastModifiedDate": _iso(moment), "version": version}

    async def fetch(self, terms: paging.Params) -> tuple[list[dict[str, Any]], int]:
        self.fetches.append(list(terms))
        rows = [dict(self.rows[k]) for k in self.order]
        params = {}
        for field, op, value in terms:
            if field == "lastModifiedDate" and op == ">=":
                rows = [r for r in rows if r["lastModifiedDate"] >= value]
            else:
                params[field] = value
        if params.get("sort") == "lastModifiedDate" and not self.ignore_sort:
            rows.sort(key=lambda r: (r["lastModifiedDate"], r["id"]))
        page, limit = int(params["page"]), int(params["limit"])
        chunk = rows[(page - 1) * limit : page * limit]
        self.between_pages(len(self.fetches))
        return chunk, len(rows)


async def _keyset(
    fake: FakeList, since: paging.Position | None = None, size: int = 3
) -> list[dict[str, Any]]:
    return [
        row async for row in paging.keyset_rows(fake.fetch, since=since, page_size=size, sort_param="sort")
    ]


async def test_a_full_read_comes_in_modification_order() -> None:
    fake = FakeList()
    for i, key in enumerate(["c", "a", "e", "b", "d", "f", "g"]):
        fake.put(key, T0 + timedelta(seconds=i))
    rows = await _keyset(fake)
    assert [r["id"] for r in rows] == ["c", "a", "e", "b", "d", "f", "g"]
    assert all(term[0] != "lastModifiedDate" for term in fake.fetches[0])


async def test_a_read_resumes_after_its_cursor() -> None:
    fake = FakeList()
    for i in range(6):
        fake.put(f"r{i}", T0 + timedelta(seconds=i))
    first = await _keyset(fake)
    cursor = paging.position(first[3])
    before = len(fake.fetches)
    rest = await _keyset(fake, cursor)
    assert [r["id"] for r in rest] == ["r4", "r5"]
    assert ("lastModifiedDate", ">=", _iso(T0 + timedelta(seconds=3))) in fake.fetches[before]


async def test_records_changed_mid_read_are_not_lost() -> None:
    fake = FakeList()
    for i in range(9):
        fake.put(f"r{i}", T0 + timedelta(seconds=i))

    def change(fetch_number: int) -> None:
        if fetch_number == 1:  # after page 1: one record already read, one not yet read, change
            fake.put("r1", T0 + timedelta(minutes=5), version=2)
            fake.put("r5", T0 + timedelta(minutes=6), version=2)

    fake.between_pages = change
    rows = await _keyset(fake)
    seen = {(r["id"], r["version"]) for r in rows}
    assert {key for key, _ in seen} == {f"r{i}" for i in range(9)}
    assert ("r1", 2) in seen and ("r5", 2) in seen
    assert rows[-1]["id"] == "r5"


async def test_many_records_sharing_one_timestamp_are_each_read_once() -> None:
    fake = FakeList()
    for i in range(8):
        fake.put(f"t{i}", T0)
    fake.put("later", T0 + timedelta(seconds=1))
    rows = await _keyset(fake)
    assert [r["id"] for r in rows] == [*(f"t{i}" for i in range(8)), "later"]
    resumed = await _keyset(fake, (T0, "t4"))
    assert [r["id"] for r in resumed] == ["t5", "t6", "t7", "later"]


async def test_scan_mode_sorts_locally_for_a_tenant_that_ignores_sort() -> None:
    fake = FakeList(ignore_sort=True)
    for key, second in [("x", 5), ("y", 1), ("z", 3), ("w", 4)]:
        fake.put(key, T0 + timedelta(seconds=second))
    since = (T0 + timedelta(seconds=3), "z")
    rows = [r async for r in paging.scan_rows(fake.fetch, since=since, page_size=2, use_filter=False)]
    assert [r["id"] for r in rows] == ["w", "x"]
    assert all(term[0] != "lastModifiedDate" for fetch in fake.fetches for term in fetch)
    filtered = [r async for r in paging.scan_rows(fake.fetch, since=since, page_size=2, use_filter=True)]
    assert [r["id"] for r in filtered] == ["w", "x"]


def test_filter_timestamps_round_down_to_milliseconds_and_need_a_zone() -> None:
    moment = datetime(2025, 1, 1, 12, 0, 0, 123999, tzinfo=UTC)
    assert paging.timestamp(moment) == "2025-01-01T12:00:00.123Z"
    assert paging.since_filter(moment) == ("lastModifiedDate", ">=", "2025-01-01T12:00:00.123Z")
    with pytest.raises(ValueError):
        paging.timestamp(datetime(2025, 1, 1))
    with pytest.raises(ValueError):
        paging.position({"id": "x"})
