"""The NetSuite emulator served by real uvicorn on loopback, and TBA-signing clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ledgerbridge.sandbox.netsuite.app import create_app, get_emulator
from ledgerbridge.sandbox.netsuite.context import NetSuiteEmulator
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings, generate_rsa_keypair
from tests.support.servers import serve

from .support import tba_auth

REST = "/services/rest"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to start the emulator with other settings."""
    return {}


@pytest.fixture(scope="session")
def rsa_keypair() -> tuple[str, str]:
    """One OAuth 2.0 key pair for the session (generating RSA keys per test costs more than the test)."""
    return generate_rsa_keypair()


@pytest.fixture
def ns_settings(settings_overrides: dict[str, Any], rsa_keypair: tuple[str, str]) -> EmulatorSettings:
    private_pem, public_pem = rsa_keypair
    return EmulatorSettings.generate(
        seed="empty", public_key_pem=public_pem, private_key_pem=SecretStr(private_pem), **settings_overrides
    )


@pytest.fixture
def ns_app(ns_settings: EmulatorSettings) -> Any:
    return create_app(ns_settings)


@pytest.fixture
def ns(ns_app: Any) -> NetSuiteEmulator:
    return get_emulator(ns_app)


@pytest.fixture
def base_url(ns_app: Any) -> Iterator[str]:
    with serve(ns_app) as url:
        yield url


@pytest.fixture
def client(base_url: str, ns_settings: EmulatorSettings) -> Iterator[httpx.Client]:
    """Signs every request with TBA (HMAC-SHA256, query parameters included), like a real client."""
    with httpx.Client(base_url=base_url + REST, auth=tba_auth(ns_settings), timeout=30) as http:
        yield http


@pytest.fixture
def control(base_url: str) -> Iterator[httpx.Client]:
    """The unauthenticated ``/_sandbox`` control surface."""
    with httpx.Client(base_url=base_url + "/_sandbox", timeout=30) as http:
        yield http
