"""The one HTTP path every Pigment request takes: the typed key, counting, logging, error mapping.

One ``httpx.AsyncClient`` (HTTP/2 capable: Pigment recommends it for exports, notes §2.4) on the transport
the caller injected — the runtime wraps it in the connection's limiter (500 requests / 5 minutes).
Nothing here retries: the engine decides from the error class (DESIGN §4.4).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from ledgerbridge.errors import Fatal
from ledgerbridge.log import get_logger, register_secret

from .config import KeyType, PigmentSettings
from .counts import RequestCounts, RequestKind
from .errors import map_error, missing_key, transport_error

_log = get_logger("ledgerbridge.connectors.pigment")


def build_transport(settings: PigmentSettings) -> httpx.AsyncHTTPTransport:
    """The default transport (HTTP/2 when the server offers it), for callers that wrap it."""
    return httpx.AsyncHTTPTransport(http2=settings.http2)


class PigmentSession:
    """An HTTP session against one Pigment workspace, sending each request with the key its endpoint needs."""

    def __init__(
        self, settings: PigmentSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        for key in (settings.import_key, settings.export_key, settings.metadata_key):
            if key is not None:  # settings built in code (tests, sandbox) are covered too
                register_secret(key.get_secret_value())
        self.settings = settings
        self.requests_sent = RequestCounts()
        self._client = httpx.AsyncClient(
            transport=transport or build_transport(settings),
            http2=settings.http2,
            timeout=settings.timeout(),
            follow_redirects=False,
            headers={"User-Agent": "ledgerbridge-pigment", "Accept": "*/*"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _request(
        self,
        key_type: KeyType,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        key = self.settings.key(key_type)
        if key is None:
            raise missing_key(key_type, what)
        all_headers = {"Authorization": f"Bearer {key.get_secret_value()}", **(headers or {})}
        return self._client.build_request(
            method, f"{self.settings.base_url}{path}", params=params, content=content, headers=all_headers
        )

    async def send_json(
        self,
        kind: RequestKind,
        key_type: KeyType,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body of a 2xx answer (classified error otherwise)."""
        request = self._request(key_type, method, path, what, params=params, content=content, headers=headers)
        self.requests_sent.add(kind)
        started = time.perf_counter()
        try:
            response = await self._client.send(request)
            await response.aread()
        except httpx.HTTPError as exc:
            raise transport_error(exc, what) from None
        self._log(kind, request, response, started)
        if not response.is_success:
            raise map_error(response, key_type=key_type, what=what)
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise Fatal(f"Pigment answered {what} with a body that is not JSON (a broken contract)") from None

    @asynccontextmanager
    async def stream(
        self,
        kind: RequestKind,
        key_type: KeyType,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> AsyncIterator[httpx.Response]:
        """A streamed 2xx response (its body not read yet); the response is closed on exit."""
        content = None
        headers: dict[str, str] = {}
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = self._request(key_type, method, path, what, params=params, content=content, headers=headers)
        self.requests_sent.add(kind)
        started = time.perf_counter()
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, what) from None
        try:
            self._log(kind, request, response, started)
            if not response.is_success:
                try:
                    await response.aread()
                except httpx.HTTPError:
                    pass  # the status alone classifies the error
                raise map_error(response, key_type=key_type, what=what)
            yield response
        finally:
            await response.aclose()

    def _log(
        self, kind: RequestKind, request: httpx.Request, response: httpx.Response, started: float
    ) -> None:
        # Only the path: query strings carry ids, never keys, but the path is what an operator needs.
        _log.debug(
            "pigment request",
            extra={
                "kind": kind.value,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "http_version": response.http_version,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
