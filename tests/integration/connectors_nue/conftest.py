"""The Nue emulator on real HTTP (uvicorn on 127.0.0.1) and connector clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ledgerbridge.connectors.nue import NueClient, NueSettings
from ledgerbridge.sandbox.nue.app import create_app, get_emulator
from ledgerbridge.sandbox.nue.context import NueEmulator
from ledgerbridge.sandbox.nue.settings import NueEmulatorSettings
from tests.support.servers import serve

API_KEY = "nue-connector-test-key-4242"


@dataclass(frozen=True)
class Tenant:
    """A running emulator: its base URL and state (for setting up records and checking effects)."""

    base_url: str
    emulator: NueEmulator

    @property
    def store(self) -> Any:
        return self.emulator.store

    def settings(self, **overrides: Any) -> NueSettings:
        values: dict[str, Any] = {"base_url": self.base_url, "api_key": API_KEY, "http2": False}
        values.update(overrides)
        return NueSettings.model_validate(values)

    def control(self, path: str, body: Any = None) -> Any:
        with httpx.Client(base_url=f"{self.base_url}/_sandbox", timeout=30) as http:
            response = http.post(path, json=body or {}) if body is not None else http.get(path)
            response.raise_for_status()
            return response.json()


@pytest.fixture
def emulator_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to start the emulator with other settings."""
    return {"seed": "demo"}


@pytest.fixture
def tenant(emulator_overrides: dict[str, Any]) -> Iterator[Tenant]:
    app = create_app(NueEmulatorSettings(api_key=SecretStr(API_KEY), **emulator_overrides))
    with serve(app) as url:
        yield Tenant(url, get_emulator(app))


@pytest.fixture
def client_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def nue(tenant: Tenant, client_overrides: dict[str, Any]) -> AsyncIterator[NueClient]:
    async with NueClient(tenant.settings(**client_overrides)) as client:
        yield client
