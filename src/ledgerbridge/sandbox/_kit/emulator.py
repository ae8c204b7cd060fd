"""What an emulator hands to ``sandbox up``: its ASGI app, what clients need to reach it, its TLS names.

Each emulator package exposes one factory ``(EmulatorContext) -> EmulatorBuild``; registering it in
:data:`ledgerbridge.sandbox.world.EMULATORS` is all it takes for ``sandbox up`` to serve it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp


@dataclass(frozen=True, slots=True)
class EmulatorContext:
    """How the sandbox is being started."""

    #: the world seed: ``demo`` | ``empty`` | ``netsuite2-sample`` (each emulator maps it to its own)
    seed: str
    tls: bool
    #: fixed credentials for this emulator (random ones are generated for anything missing)
    credentials: Mapping[str, str] = field(default_factory=dict)
    #: the sandbox's port base; None when every port is picked free (tests). Emulators that listen on a
    #: second, non-HTTP port (SMTP) take theirs from it.
    port_base: int | None = None


@dataclass(frozen=True, slots=True)
class EmulatorBuild:
    """A ready-to-serve emulator."""

    app: ASGIApp
    #: connection facts for ``.ledgerbridge/sandbox.json`` (``sandbox up`` adds ``base_url``)
    info: Mapping[str, Any]
    #: host names clients hard-code (wildcards allowed), added to the sandbox TLS certificate
    tls_hosts: tuple[str, ...] = ()
    #: the vendor host a client would address, for ``vendor_base_url`` in TLS mode (None = none)
    vendor_host: str | None = None
    #: the emulator's own state object, for tests and the in-process demo
    handle: Any = None


EmulatorFactory = Callable[[EmulatorContext], EmulatorBuild]
