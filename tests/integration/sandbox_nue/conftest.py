"""The Nue emulator served by real uvicorn on loopback, with JSON clients for its API and control surface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ledgerbridge.sandbox.nue.app import create_app, get_emulator
from ledgerbridge.sandbox.nue.context import NueEmulator
from ledgerbridge.sandbox.nue.settings import NueEmulatorSettings
from tests.support.servers import serve

from .support import API_KEY, Api, Book


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to start the emulator with other settings."""
    return {}


@pytest.fixture
def nue_settings(settings_overrides: dict[str, Any]) -> NueEmulatorSettings:
    return NueEmulatorSettings(api_key=SecretStr(API_KEY), **settings_overrides)


@pytest.fixture
def nue_app(nue_settings: NueEmulatorSettings) -> Any:
    return create_app(nue_settings)


@pytest.fixture
def nue(nue_app: Any) -> NueEmulator:
    return get_emulator(nue_app)


@pytest.fixture
def base_url(nue_app: Any) -> Iterator[str]:
    with serve(nue_app) as url:
        yield url


@pytest.fixture
def api(base_url: str, nue_settings: NueEmulatorSettings) -> Iterator[Api]:
    prefix = nue_settings.api_prefix
    with httpx.Client(base_url=base_url + prefix, headers={"nue-api-key": API_KEY}, timeout=30) as http:
        yield Api(http)


@pytest.fixture
def control(base_url: str) -> Iterator[Api]:
    """The unauthenticated ``/_sandbox`` control surface."""
    with httpx.Client(base_url=base_url + "/_sandbox", timeout=30) as http:
        yield Api(http)


@pytest.fixture
def book(api: Api, control: Api) -> Book:
    return Book.open(api, control)
