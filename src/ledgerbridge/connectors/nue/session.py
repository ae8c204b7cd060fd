"""The one HTTP path every Nue request takes: URL building, the API key, counting, envelopes, errors.

Every request goes through :meth:`NueSession.send` and therefore through the single ``httpx.AsyncClient``
built on the transport the caller injected (the engine wraps it in its connection limiter). Nothing here
retries: that is the engine's decision, made from the error class (DESIGN §4.4).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from ledgerbridge.errors import Fatal, Retriable
from ledgerbridge.log import get_logger, redact, register_secret
from ledgerbridge.money import json_dumps as dumps
from ledgerbridge.money import json_loads as loads

from .config import NueSettings
from .counts import RequestCounts, RequestKind
from .errors import parse_error, transport_error

API_KEY_HEADER = "nue-api-key"
_log = get_logger("ledgerbridge.connectors.nue")


def build_transport(settings: NueSettings) -> httpx.AsyncHTTPTransport:
    """The default transport (HTTP/2 when the server offers it over TLS), for callers that wrap it."""
    return httpx.AsyncHTTPTransport(http2=settings.http2)


class NueSession:
    """An authenticated, counted HTTP session against one Nue tenant."""

    def __init__(self, settings: NueSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        # settings built in code (tests, the sandbox) must be covered too: the key can never reach a log line
        register_secret(settings.api_key.get_secret_value())
        self.settings = settings
        self.requests_sent = RequestCounts()
        self._client = httpx.AsyncClient(
            transport=transport or build_transport(settings),
            timeout=settings.timeout(),
            follow_redirects=False,
            headers={
                API_KEY_HEADER: settings.api_key.get_secret_value(),
                "Accept": "application/json",
                "User-Agent": "ledgerbridge-nue",
            },
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self,
        kind: RequestKind,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str, str]] = (),
        json: Any = None,
    ) -> Any:
        """Send one request and return the decoded JSON body of a 2xx answer.

        ``query`` terms are ``(field, operator, value)``: Nue reads comparisons straight from the query string
        (``balance>0``, ``lastModifiedDate>=...``), which a key/value encoder cannot express.

        Any other status raises the classified error (:func:`errors.parse_error`); a transport failure
        raises :class:`~ledgerbridge.errors.Retriable`.
        """
        headers: dict[str, str] = {}
        content: bytes | None = None
        if json is not None:
            content = dumps(json)
            headers["Content-Type"] = "application/json"
        url = f"{self.settings.root}{path}"
        if query:
            url += "?" + "&".join(
                f"{quote(name, safe='')}{op}{quote(value, safe=',')}" for name, op, value in query
            )
        request = self._client.build_request(method, url, content=content, headers=headers)
        self.requests_sent.add(kind)
        started = time.perf_counter()
        try:
            response = await self._client.send(request)
            await response.aread()
        except httpx.HTTPError as exc:  # timeouts, refused/dropped connections, protocol errors
            _log.info(
                "nue request failed", extra={"method": method, "path": path, "error": type(exc).__name__}
            )
            raise transport_error(exc, request) from None
        _log.debug(
            "nue request",
            extra={
                "kind": kind.value,
                "method": method,
                "path": redact(request.url.path),
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        if not response.is_success:
            raise parse_error(response)
        return decode_json(response)


def decode_json(response: httpx.Response) -> Any:
    """The body of a successful response; a body that is not JSON is a gateway page, most likely transient."""
    if not response.content:
        return None
    try:
        return loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise Retriable(
            f"Nue {response.request.method} {response.request.url.path}: answered HTTP "
            f"{response.status_code} with a body that is not JSON"
        ) from None


def envelope_data(body: Any, where: str) -> Any:
    """``data`` of a ``{status: "success", data}`` envelope (either case of "success" is accepted)."""
    if not isinstance(body, Mapping) or "data" not in body:
        raise Fatal(f"{where}: Nue answered without the {{status, data}} envelope (a broken contract)")
    status = body.get("status")
    if isinstance(status, str) and status.lower() not in ("success", "ok"):
        raise Fatal(f"{where}: Nue answered status {status!r} with HTTP 2xx (a broken contract)")
    return body["data"]
