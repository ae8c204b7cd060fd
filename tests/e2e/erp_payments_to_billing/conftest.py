"""Each test gets its own sandbox (NetSuite + Nue on free loopback ports), workspace and hub — once with a
SQLite hub and once with PostgreSQL (DESIGN §8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.databases import hub_url  # noqa: F401  (the fixture: SQLite, then PostgreSQL)

from .support import World, open_world


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hub_url: str) -> AsyncIterator[World]:  # noqa: F811
    # the workspace's hub URL is relative: commands run from the workspace folder, as a person would
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGERBRIDGE_CONFIG", raising=False)
    async with open_world(tmp_path, hub_url) as world:
        yield world
