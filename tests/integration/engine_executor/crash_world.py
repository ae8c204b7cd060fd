"""The world of the crash test: a fake source of 2,000 records and a fake HTTP target (FastAPI).

Source records carry modified timestamps in the source's own time zone; several share a timestamp (so
the tie-breaker matters) and some land late — a record becomes visible after others with a *later*
timestamp (so only the lookback overlap finds it). The test reveals the source a slice at a time.

The target offers idempotent upserts by external id (``PUT /records/eid:<id>``, as NetSuite does) and a
lookup (``GET /records/eid:<id>``); it counts creates and writes per external id.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.requests import ClientDisconnect

SOURCE_ZONE = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=SOURCE_ZONE)
RECORDS = 2_000
#: how late a record may land relative to its neighbours; the child's lookback must exceed it
MAX_LATENESS = timedelta(seconds=3)


@dataclass(frozen=True)
class SourceRecord:
    id: str
    modified: datetime
    amount: str


def make_source(seed: int = 7) -> list[SourceRecord]:
    """Records in arrival order: timestamps mostly rise, 1-5 share each second, some arrive late."""
    rng = random.Random(seed)
    records: list[SourceRecord] = []
    second = 0
    while len(records) < RECORDS:
        for _ in range(rng.randint(1, 5)):
            late = timedelta(seconds=rng.randint(1, 3)) if rng.random() < 0.05 else timedelta(0)
            index = len(records)
            amount = f"{rng.randint(1, 99_999)}.{rng.randint(0, 99):02d}"
            records.append(SourceRecord(f"SRC-{index:05d}", T0 + timedelta(seconds=second) - late, amount))
        second += 1
    return records[:RECORDS]


@dataclass
class World:
    source: list[SourceRecord] = field(default_factory=make_source)
    #: how many source records (in arrival order) exist so far
    visible: int = 0
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    creates: Counter[str] = field(default_factory=Counter)
    writes: Counter[str] = field(default_factory=Counter)


def create_app(world: World, *, write_latency: float = 0.004) -> FastAPI:
    app = FastAPI()

    @app.get("/source/records")
    async def source_records(after: str = "", after_tie: str = "", limit: int = 50) -> dict[str, Any]:
        visible = world.source[: world.visible]
        start = datetime.fromisoformat(after) if after else None
        rows = sorted(
            (r for r in visible if start is None or (r.modified, r.id) > (start, after_tie)),
            key=lambda r: (r.modified, r.id),
        )[:limit]
        return {
            "records": [{"id": r.id, "modified": r.modified.isoformat(), "amount": r.amount} for r in rows]
        }

    @app.put("/records/eid:{external_id}")
    async def upsert(external_id: str, request: Request) -> Any:
        try:
            body = await request.json()
        except ClientDisconnect:
            # the child was killed mid-request: nothing was written, nobody is listening
            return Response(status_code=499)
        await asyncio.sleep(write_latency)
        world.writes[external_id] += 1
        existing = world.records.get(external_id)
        if existing is None:
            world.creates[external_id] += 1
            existing = {"id": f"T{len(world.records) + 1}"}
        existing["payload"] = body
        world.records[external_id] = existing
        return {"id": existing["id"]}

    @app.get("/records/eid:{external_id}")
    async def lookup(external_id: str) -> dict[str, str]:
        found = world.records.get(external_id)
        if found is None:
            raise HTTPException(status_code=404, detail="no such record")
        return {"id": found["id"]}

    @app.get("/health")
    async def health() -> Response:
        return Response(status_code=204)

    return app
