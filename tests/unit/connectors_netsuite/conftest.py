"""Fixtures for the NetSuite connector's unit tests: settings, a respx router injected as the transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ledgerbridge.connectors.netsuite import NetSuiteClient, NetSuiteSettings

ACCOUNT = "1234567_SB1"
ORIGIN = "https://1234567-sb1.suitetalk.api.netsuite.com"
REST = f"{ORIGIN}/services/rest"
TBA_SECRETS = {
    "consumer_key": "ck-0123456789abcdef",
    "consumer_secret": "cs-secret-0123456789",
    "token_id": "tk-0123456789abcdef",
    "token_secret": "ts-secret-0123456789",
}


def tba_settings(**overrides: Any) -> NetSuiteSettings:
    values: dict[str, Any] = {
        "account_id": ACCOUNT,
        "auth": {"type": "tba", **TBA_SECRETS},
        "poll_initial_seconds": 0.001,
        "poll_max_seconds": 0.01,
    }
    values.update(overrides)
    return NetSuiteSettings.model_validate(values)


def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="session")
def private_pem() -> str:
    return rsa_private_pem()


def oauth2_settings(private_pem: str, **overrides: Any) -> NetSuiteSettings:
    values: dict[str, Any] = {
        "account_id": ACCOUNT,
        "auth": {
            "type": "oauth2_client_credentials",
            "client_id": "client-0123456789",
            "certificate_id": "cert-0123456789",
            "private_key_pem": private_pem,
        },
    }
    values.update(overrides)
    return NetSuiteSettings.model_validate(values)


def error_json(status: int, code: str, detail: str) -> dict[str, Any]:
    """NetSuite's error document (notes §1.11)."""
    return {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request" if status == 400 else "Error",
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=REST, assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
async def client(router: respx.MockRouter) -> AsyncIterator[NetSuiteClient]:
    transport = httpx.MockTransport(router.async_handler)
    async with NetSuiteClient(tba_settings(), transport=transport) as ns:
        yield ns
