"""The one HTTP path every NetSuite request takes: URL building, authentication, counting, error mapping.

Every request — record calls, SuiteQL pages, batch submissions, job polls and OAuth 2.0 token fetches — goes
through :meth:`NetSuiteSession.send` and therefore through the single ``httpx.AsyncClient`` built on the
transport the caller injected (the engine wraps it in its process-global limiter). Nothing here retries a
failed request: that is the engine's decision, made from the error class (DESIGN §4.4); only idempotent
follow-ups (job polls, keyed batch submissions) are retried by their callers.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any

import httpx

from ledgerbridge.errors import Retriable
from ledgerbridge.log import get_logger, redact, register_secret
from ledgerbridge.money import json_dumps as dumps
from ledgerbridge.money import json_loads as loads

from .auth import Authenticator, build_authenticator
from .config import NetSuiteSettings
from .errors import parse_error, transport_error
from .records import RequestCounts, RequestKind

JSON_CONTENT_TYPE = "application/json"
COLLECTION_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=collection"

_log = get_logger("ledgerbridge.connectors.netsuite")


def build_transport(settings: NetSuiteSettings) -> httpx.AsyncHTTPTransport:
    """The default transport (HTTP/2 when the server offers it over TLS), for callers that wrap it."""
    return httpx.AsyncHTTPTransport(
        http2=settings.http2,
        limits=httpx.Limits(max_connections=max(settings.concurrency * 2, 10), max_keepalive_connections=20),
    )


def _register_credentials(settings: NetSuiteSettings) -> None:
    # The config layer registers secrets when it resolves them; settings built in code (tests, benchmarks,
    # the sandbox) must be covered too, so a credential can never reach a log line.
    for value in settings.auth.model_dump().values():
        if hasattr(value, "get_secret_value"):
            register_secret(value.get_secret_value())


class NetSuiteSession:
    """An authenticated, counted HTTP session against one NetSuite account."""

    def __init__(
        self,
        settings: NetSuiteSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        authenticator: Authenticator | None = None,
    ) -> None:
        _register_credentials(settings)
        self.settings = settings
        self.requests_sent = RequestCounts()
        self._auth: Authenticator = authenticator or build_authenticator(settings)
        self._client = httpx.AsyncClient(
            transport=transport or build_transport(settings),
            timeout=settings.timeout(),
            follow_redirects=False,
            headers={"Accept": JSON_CONTENT_TYPE, "User-Agent": "ledgerbridge-netsuite"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def url(self, path: str) -> str:
        """An absolute URL for a path below ``/services/rest`` — or for a URL NetSuite handed back.

        A URL from a ``Location`` header (an async job, a new record) is re-rooted on our configured origin:
        the emulator and proxies may answer with another host name, and credentials must never be sent to a
        host other than the configured one.
        """
        if path.startswith(("http://", "https://")):
            parsed = httpx.URL(path)
            target = parsed.raw_path.decode("ascii")
            return f"{self.settings.origin}{target}"
        if path.startswith("/services/"):
            return f"{self.settings.origin}{path}"
        return f"{self.settings.rest_root}/{path.lstrip('/')}"

    async def _dispatch(self, kind: RequestKind, request: httpx.Request) -> httpx.Response:
        self.requests_sent.add(kind)
        started = time.perf_counter()
        try:
            response = await self._client.send(request)
        except httpx.HTTPError as exc:  # timeouts, refused/dropped connections, protocol errors
            _log.info(
                "netsuite request failed",
                extra={"method": request.method, "path": request.url.path, "error": type(exc).__name__},
            )
            raise transport_error(exc, request) from None
        _log.debug(
            "netsuite request",
            extra={
                "kind": kind.value,
                "method": request.method,
                "path": redact(request.url.path),
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    async def _send_auth(self, request: httpx.Request) -> httpx.Response:
        return await self._dispatch(RequestKind.AUTH, request)

    async def send(
        self,
        kind: RequestKind,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        content_type: str = JSON_CONTENT_TYPE,
        headers: Mapping[str, str] | None = None,
        allow: Collection[int] = (),
    ) -> httpx.Response:
        """Send one request; return the response if it is 2xx or its status is in ``allow``.

        Any other status raises the classified error (:func:`errors.parse_error`); a transport failure raises
        :class:`~ledgerbridge.errors.Retriable`. An OAuth 2.0 bearer token that NetSuite no longer accepts is
        re-minted once (401), since tokens can be revoked before their stated expiry.
        """
        request_headers = dict(headers or {})
        content: bytes | None = None
        if json is not None:
            content = dumps(json)
            request_headers["Content-Type"] = content_type
        url = self.url(path)
        for attempt in (1, 2):
            request = self._client.build_request(
                method, url, params=dict(params) if params else None, content=content, headers=request_headers
            )
            await self._auth.apply(request, self._send_auth)
            response = await self._dispatch(kind, request)
            await response.aread()
            if response.is_success or response.status_code in allow:
                return response
            if response.status_code == 401 and attempt == 1 and self._auth.refreshable:
                self._auth.invalidate()
                continue
            raise parse_error(response)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    async def send_json(
        self,
        kind: RequestKind,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """:meth:`send` and decode the JSON answer (numbers with a fraction as Decimal)."""
        response = await self.send(kind, method, path, params=params, json=json, headers=headers)
        return decode_json(response)


def decode_json(response: httpx.Response) -> Any:
    """The body of a successful response as JSON; an unreadable body is NetSuite breaking its contract."""
    if not response.content:
        return None
    try:
        return loads(response.content)
    except ValueError:
        # A proxy or load balancer page instead of NetSuite's JSON: transient more often than not.
        raise Retriable(
            f"NetSuite {response.request.method} {response.request.url.path}: answered HTTP "
            f"{response.status_code} with a body that is not JSON"
        ) from None
