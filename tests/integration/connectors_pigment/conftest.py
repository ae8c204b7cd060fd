"""The Pigment emulator (demo seed) on uvicorn, and connector settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from ledgerbridge.connectors.pigment import ImportLayout, PigmentSettings
from ledgerbridge.sandbox.pigment.app import create_app
from ledgerbridge.sandbox.pigment.settings import PigmentSettings as EmulatorSettings
from tests.support.servers import serve

#: fixed so the demo's months (and the pivoted budget file's columns) are stable
SEED_TODAY = date(2026, 6, 15)


class World:
    """A running emulator: its URL, its settings (keys) and the expected layout of each configuration."""

    def __init__(self, url: str, emulator: EmulatorSettings) -> None:
        self.url = url
        self.emulator = emulator
        self.model: dict[str, Any] = httpx.get(f"{url}/_sandbox/pigment/model").json()
        app = self.model["applications"][0]
        self.configs = {c["name"]: c for c in app["importConfigurations"]}
        self.blocks = {b["name"]: b for b in app["blocks"]}
        self.views = {v["name"]: v for v in app["views"]}

    def config_id(self, name: str) -> str:
        return str(self.configs[name]["id"])

    def layouts(self) -> dict[str, ImportLayout]:
        # declared by name on purpose: push_csv must resolve names through discovery
        return {
            name: ImportLayout(columns=tuple(c["header"]), delimiter=c["delimiter"], layout=c["layout"])
            for name, c in self.configs.items()
            if c["source"] == "csv"
        }

    def settings(self, **overrides: Any) -> PigmentSettings:
        values: dict[str, Any] = {
            "base_url": self.url,
            "import_key": self.emulator.key_of_type("Import").secret,
            "export_key": self.emulator.key_of_type("Export").secret,
            "metadata_key": self.emulator.key_of_type("ModelingMetadata").secret,
            "import_layouts": self.layouts(),
            "poll_initial_seconds": 0.05,
            "poll_max_seconds": 0.2,
            "poll_timeout_seconds": 20.0,
        }
        values.update(overrides)
        return PigmentSettings(**values)

    def item_id(self, list_name: str, item: str) -> str:
        """The id of a list item, read from the emulator's control route."""
        items = httpx.get(f"{self.url}/_sandbox/pigment/lists/{list_name}/items").json()["items"]
        return next(str(found["id"]) for found in items if found["name"] == item)

    def reset(self) -> None:
        httpx.post(f"{self.url}/_sandbox/reset").raise_for_status()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    emulator = EmulatorSettings.generate(
        seed="demo", seed_today=SEED_TODAY, pushes_per_configuration_per_hour=3
    )
    with serve(create_app(emulator)) as url:
        yield World(url, emulator)


@pytest.fixture
def pigment(world: World) -> World:
    world.reset()
    return world
