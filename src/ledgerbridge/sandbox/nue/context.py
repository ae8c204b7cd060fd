"""The emulated tenant as the routes see it, and the ``nue-api-key`` check every vendor route makes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.responses import Response

from .._kit.jsonbody import loads
from .._kit.middleware import SandboxKit
from .envelope import success
from .errors import NueError
from .events import WebhookDispatcher
from .settings import NueEmulatorSettings
from .store import NueStore

API_KEY_HEADER = "nue-api-key"
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class NueEmulator:
    """One emulated Nue tenant; ``create_app`` puts it on ``app.state.nue``."""

    settings: NueEmulatorSettings
    store: NueStore
    kit: SandboxKit
    webhooks: WebhookDispatcher

    def ok(self, data: Any, **kwargs: Any) -> Response:
        """A success envelope around a snapshot of ``data`` (taken under the store lock)."""
        return success(self.settings, self.store.snapshot(data), **kwargs)


def emulator(request: Request) -> NueEmulator:
    """FastAPI dependency: the tenant behind this app."""
    found = request.app.state.nue
    if not isinstance(found, NueEmulator):  # pragma: no cover - wiring error
        raise RuntimeError("app.state.nue is not a NueEmulator")
    return found


def authenticate(request: Request) -> None:
    """Every vendor route: the ``nue-api-key`` header must hold the tenant's key (401), and a read-only key
    may not write (403). Keys are compared in constant time and never echoed."""
    settings = emulator(request).settings
    given = request.headers.get(API_KEY_HEADER, "")
    if given and secrets.compare_digest(given.encode(), settings.api_key.get_secret_value().encode()):
        return
    read_only = settings.read_only_api_key
    if (
        given
        and read_only is not None
        and secrets.compare_digest(given.encode(), read_only.get_secret_value().encode())
    ):
        if request.method in _READ_METHODS:
            return
        raise NueError(403, "FORBIDDEN", "This API key's role may read but not write.")
    reason = "missing" if not given else "invalid"
    raise NueError(401, "UNAUTHORIZED", f"The {API_KEY_HEADER} header is {reason}.")


async def json_body(request: Request, *, required: bool = True) -> Any:
    """The body as JSON (non-integer numbers as Decimal); 400 in Nue's shape when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise NueError.invalid("The request body is empty; send JSON.")
        return {}
    try:
        return loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NueError.invalid(f"The request body is not valid JSON: {exc}.") from None
