"""The Pigment emulator served by real uvicorn on loopback, with one client per key type."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from ledgerbridge.sandbox.pigment.app import create_app, get_emulator
from ledgerbridge.sandbox.pigment.settings import KeyType, PigmentSettings
from tests.support.servers import serve

from .support import Pigment, bearer
from .workspace import policy_workspace

#: the demo seed is built around "today"; tests pin it
TODAY = date(2026, 11, 23)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to start the emulator with other settings."""
    return {}


@pytest.fixture
def seed() -> str:
    """``demo`` (the FP&A application) or ``test`` (the small policy workspace of workspace.py)."""
    return "demo"


@pytest.fixture
def pigment_settings(settings_overrides: dict[str, Any], seed: str) -> PigmentSettings:
    seed_name = "demo" if seed == "demo" else "empty"
    return PigmentSettings(**{"seed": seed_name, "seed_today": TODAY, **settings_overrides})


@pytest.fixture
def pigment_app(pigment_settings: PigmentSettings, seed: str) -> Any:
    app = create_app(pigment_settings)
    if seed == "test":
        get_emulator(app).store.load_spec(policy_workspace())
    return app


@pytest.fixture
def base_url(pigment_app: Any) -> Iterator[str]:
    with serve(pigment_app) as url:
        yield url


def _client(base_url: str, secret: str | None) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers=bearer(secret) if secret else {}, timeout=30)


@pytest.fixture
def pigment(base_url: str, pigment_settings: PigmentSettings) -> Iterator[Pigment]:
    def key(kind: KeyType) -> str:
        return pigment_settings.key_of_type(kind).secret.get_secret_value()

    with (
        _client(base_url, key("Import")) as imports,
        _client(base_url, key("Export")) as exports,
        _client(base_url, key("ModelingMetadata")) as metadata,
        _client(base_url + "/_sandbox", None) as control,
    ):
        yield Pigment(base_url, pigment_settings, imports, exports, metadata, control)
