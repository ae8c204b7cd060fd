"""The NetSuite emulator on real HTTP (uvicorn on 127.0.0.1) and connector clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ledgerbridge.connectors.netsuite import NetSuiteClient, NetSuiteSettings
from ledgerbridge.sandbox.netsuite.app import create_app, get_emulator
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings
from ledgerbridge.sandbox.netsuite.store import NetSuiteStore
from tests.support.servers import serve


@dataclass(frozen=True)
class Emulator:
    """A running emulator: its base URL, settings (credentials) and store (for seeding and checks)."""

    base_url: str
    settings: EmulatorSettings
    store: NetSuiteStore

    def tba(self, *, credentials: dict[str, str] | None = None, **overrides: Any) -> NetSuiteSettings:
        values: dict[str, Any] = {
            "account_id": self.settings.account_id,
            "base_url": self.base_url,
            "auth": {
                "type": "tba",
                "consumer_key": self.settings.consumer_key,
                "consumer_secret": self.settings.consumer_secret.get_secret_value(),
                "token_id": self.settings.token_id,
                "token_secret": self.settings.token_secret.get_secret_value(),
                **(credentials or {}),
            },
        }
        values.update(overrides)
        return NetSuiteSettings.model_validate(values)

    def oauth2(self) -> NetSuiteSettings:
        assert self.settings.private_key_pem is not None
        return NetSuiteSettings.model_validate(
            {
                "account_id": self.settings.account_id,
                "base_url": self.base_url,
                "auth": {
                    "type": "oauth2_client_credentials",
                    "client_id": self.settings.client_id,
                    "certificate_id": self.settings.certificate_id,
                    "private_key_pem": self.settings.private_key_pem.get_secret_value(),
                },
            }
        )

    async def control(self, path: str, body: Any = None) -> dict[str, Any]:
        """Call the sandbox control surface (``/_sandbox/...``; no auth, not part of NetSuite's API)."""
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            if body is None and path.endswith("/stats"):
                response = await http.get(path)
            else:
                response = await http.post(path, json=body)
        response.raise_for_status()
        payload: dict[str, Any] = response.json()
        return payload

    async def stats(self) -> dict[str, Any]:
        return await self.control("/_sandbox/stats")


def start(**overrides: Any) -> Iterator[Emulator]:
    settings = EmulatorSettings.generate(**overrides)
    app = create_app(settings)
    with serve(app) as base_url:
        yield Emulator(base_url=base_url, settings=settings, store=get_emulator(app).store)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    yield from start()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[NetSuiteClient]:
    async with NetSuiteClient(emulator.tba()) as ns:
        yield ns
