"""Helpers for talking to the emulator the way real clients do."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth1Auth
from authlib.oauth1.rfc5849.client_auth import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from oauthlib.oauth1.rfc5849.signature import sign_hmac_sha256_with_client

from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings

COLLECTION = "application/vnd.oracle.resource+json; type=collection"


def _sign_hmac_sha256(client: Any, request: Any) -> str:
    # Client side signs with oauthlib's HMAC-SHA256 (as the `netsuite` package does), so the server's
    # verifier is checked against an independent implementation.
    secrets = SimpleNamespace(client_secret=client.client_secret, resource_owner_secret=client.token_secret)
    return str(sign_hmac_sha256_with_client(generate_signature_base_string(request), secrets))


ClientAuth.register_signature_method("HMAC-SHA256", _sign_hmac_sha256)


def tba_auth(settings: EmulatorSettings, **overrides: Any) -> OAuth1Auth:
    values: dict[str, Any] = {
        "client_id": settings.consumer_key,
        "client_secret": settings.consumer_secret.get_secret_value(),
        "token": settings.token_id,
        "token_secret": settings.token_secret.get_secret_value(),
        "realm": settings.account_id,
        "signature_method": "HMAC-SHA256",
        "force_include_body": True,
    }
    values.update(overrides)
    return OAuth1Auth(**values)


def ns_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert NetSuite's error shape and return the first ``o:errorDetails`` entry."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"].startswith("https://")
    assert isinstance(body["title"], str) and body["title"]
    details = body["o:errorDetails"]
    assert isinstance(details, list) and len(details) == 1
    assert details[0]["o:errorCode"] == code, details
    assert isinstance(details[0]["detail"], str) and details[0]["detail"]
    return dict(details[0])


def location_id(response: httpx.Response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def wait_for_job(client: httpx.Client, location: str, *, timeout: float = 20.0) -> dict[str, Any]:
    """Poll ``GET <job>`` until it completes; return the final job document."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(client.base_url.copy_with(path=location)).json()
        if job["completed"]:
            return dict(job)
        assert time.monotonic() < deadline, f"job {location} did not finish: {job}"
        time.sleep(0.02)


def customer(name: str, **extra: Any) -> dict[str, Any]:
    return {"companyName": name, "subsidiary": {"id": "1"}, **extra}


def resolve_to_loopback(monkeypatch: Any, *suffixes: str) -> None:
    """Make host names ending in ``suffixes`` resolve to 127.0.0.1 in this process (an /etc/hosts
    entry, scoped to the test); TLS still checks the certificate against the original name."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode("ascii")
        if isinstance(host, str) and host.lower().endswith(suffixes):
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
