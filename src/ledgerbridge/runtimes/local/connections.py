"""Workspace connections → ready connector clients, each behind its connection's process-global limiter.

This is the one place that knows how a ``connections:`` entry of ledgerbridge.yaml becomes a client: it builds
the connector's runtime settings from the validated config, takes the connection's limiter from the engine's
registry (same name → same limiter, so every flow in the process shares it), and hands the connector an httpx
transport wrapped in :class:`~ledgerbridge.engine.transport.LimitedTransport`. No request can bypass it.

Systems whose connector is not built yet are left out with a log line; a flow that needs one stops with a
clear ``Fatal`` from :meth:`FlowContext.connection`.
"""

from __future__ import annotations

import ssl
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from ledgerbridge.config.connections import (
    ConnectionBase,
    EmailConnection,
    HttpConnection,
    NetSuiteConnection,
    NueConnection,
    OAuth2ClientCredentialsAuth,
    PigmentConnection,
    SlackConnection,
    TbaAuth,
)
from ledgerbridge.config.workspace import Workspace
from ledgerbridge.connectors.email.client import EmailClient
from ledgerbridge.connectors.email.config import EmailSettings
from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.netsuite.config import (
    NetSuiteSettings,
    OAuth2ClientCredentials,
    TbaCredentials,
)
from ledgerbridge.connectors.netsuite.governance import recommended_concurrency
from ledgerbridge.connectors.nue.client import NueClient
from ledgerbridge.connectors.nue.config import NueSettings
from ledgerbridge.connectors.pigment.client import PigmentClient
from ledgerbridge.connectors.pigment.config import PigmentSettings
from ledgerbridge.connectors.slack.client import SlackClient
from ledgerbridge.connectors.slack.config import SlackSettings
from ledgerbridge.connectors.slack.pacing import ChannelPacer
from ledgerbridge.engine.limits import ConnectionLimiter, LimiterRegistry, LimitSettings, default_registry
from ledgerbridge.engine.transport import LimitedTransport
from ledgerbridge.log import get_logger

_log = get_logger("ledgerbridge.runtimes.local.connections")


@dataclass(frozen=True, slots=True)
class ClientParts:
    """Everything a builder may use to make one connection's client."""

    name: str
    connection: Any
    workspace: Workspace
    #: the raw transport already wrapped in the connection's LimitedTransport (None for non-HTTP systems)
    transport: httpx.AsyncBaseTransport | None
    registry: LimiterRegistry


#: builds a client (an async context manager) from its parts
ClientBuilder = Callable[[ClientParts], Any]


def limit_settings(connection: ConnectionBase) -> LimitSettings:
    """The engine's limiter settings for a connection's ``limits:`` block (headroom already applied)."""
    limits = connection.limits
    return LimitSettings(
        concurrency=limits.effective_concurrency,
        requests_per_window=limits.requests_per_minute,
        window_seconds=60.0,
    )


def http_transport(connection: HttpConnection) -> httpx.AsyncHTTPTransport:
    """The raw transport: HTTP/2 where offered, trusting the extra CA (the sandbox's --tls) when given."""
    verify: ssl.SSLContext | bool = True
    if connection.ca_file is not None:
        verify = ssl.create_default_context(cafile=str(connection.ca_file))
    return httpx.AsyncHTTPTransport(http2=True, verify=verify, retries=0)


def netsuite_settings(connection: NetSuiteConnection, workspace: Workspace) -> NetSuiteSettings:
    auth: TbaCredentials | OAuth2ClientCredentials
    if isinstance(connection.auth, TbaAuth):
        auth = TbaCredentials(
            consumer_key=connection.auth.consumer_key,
            consumer_secret=connection.auth.consumer_secret,
            token_id=connection.auth.token_id,
            token_secret=connection.auth.token_secret,
        )
    else:
        assert isinstance(connection.auth, OAuth2ClientCredentialsAuth)
        auth = OAuth2ClientCredentials(
            client_id=connection.auth.client_id,
            certificate_id=connection.auth.certificate_id,
            private_key_pem=connection.auth.private_key,
        )
    timeout = connection.timeout_seconds
    return NetSuiteSettings(
        account_id=connection.account_id,
        auth=auth,
        base_url=connection.base_url,
        read_timeout=max(timeout, 300.0),
        write_timeout=timeout,
        concurrency=connection.limits.effective_concurrency,
        governance_headroom=connection.limits.headroom,
        timezone=connection.timezone or workspace.workspace.timezone,
    )


def _netsuite(parts: ClientParts) -> Any:
    return NetSuiteClient(netsuite_settings(parts.connection, parts.workspace), transport=parts.transport)


def _nue(parts: ClientParts) -> Any:
    connection = parts.connection
    assert isinstance(connection, NueConnection)
    timeout = connection.timeout_seconds
    settings = NueSettings(
        base_url=connection.url, api_key=connection.api_key, read_timeout=timeout, write_timeout=timeout
    )
    return NueClient(settings, transport=parts.transport)


#: Pigment's push limit: 300 pushes per import configuration per hour (notes §2.3)
PIGMENT_PUSHES_PER_HOUR = 300


class EnginePushGate:
    """Pigment's per-configuration push limit, kept by engine limiters so it is process-global too.

    Each import configuration gets its own limiter, ``<connection>:push:<configuration id>``, allowing 300
    pushes in any hour; every flow pushing to that configuration waits on the same one.
    """

    def __init__(self, connection: str, registry: LimiterRegistry) -> None:
        self._connection = connection
        self._registry = registry

    def slot(self, configuration_id: str) -> AbstractAsyncContextManager[Any]:
        limiter = self._registry.limiter_for(
            f"{self._connection}:push:{configuration_id}",
            LimitSettings(concurrency=1, requests_per_window=PIGMENT_PUSHES_PER_HOUR, window_seconds=3600.0),
        )
        return limiter.slot()


def _pigment(parts: ClientParts) -> Any:
    connection = parts.connection
    assert isinstance(connection, PigmentConnection)
    timeout = connection.timeout_seconds
    settings = PigmentSettings(
        base_url=connection.url,
        import_key=connection.import_key,
        export_key=connection.export_key,
        metadata_key=connection.metadata_key,
        read_timeout=max(timeout, 120.0),
        write_timeout=timeout,
    )
    return PigmentClient(
        settings, transport=parts.transport, push_gate=EnginePushGate(parts.name, parts.registry)
    )


# Slack paces messages per channel; one pacer per connection per process, shared like the limiter
_pacers: weakref.WeakKeyDictionary[LimiterRegistry, dict[str, ChannelPacer]] = weakref.WeakKeyDictionary()


def _slack(parts: ClientParts) -> Any:
    connection = parts.connection
    assert isinstance(connection, SlackConnection)
    settings = SlackSettings(
        base_url=connection.url,
        token=connection.token,
        default_channel=connection.default_channel,
        timeout=connection.timeout_seconds,
    )
    pacers = _pacers.setdefault(parts.registry, {})
    pacer = pacers.setdefault(parts.name, ChannelPacer(1.0 / settings.messages_per_second))
    return SlackClient(settings, transport=parts.transport, pacer=pacer)


def _email(parts: ClientParts) -> Any:
    connection = parts.connection
    assert isinstance(connection, EmailConnection)
    return EmailClient(
        EmailSettings(
            host=connection.host,
            port=connection.port,
            security=connection.security,
            username=connection.username,
            password=connection.password,
            sender=connection.sender,
            recipients=tuple(connection.recipients),
            timeout=connection.timeout_seconds,
        )
    )


#: system name → client builder; a new connector registers itself here
BUILDERS: dict[str, ClientBuilder] = {
    "netsuite": _netsuite,
    "nue": _nue,
    "pigment": _pigment,
    "slack": _slack,
    "email": _email,
}

# limiters sized from NetSuite governanceLimits in this process: one request per limiter, not per run
_governed: weakref.WeakKeyDictionary[ConnectionLimiter, int] = weakref.WeakKeyDictionary()


async def size_from_governance(
    client: NetSuiteClient, connection: NetSuiteConnection, limiter: ConnectionLimiter
) -> int:
    """Set the limiter's ceiling from the account's governance limits minus the configured headroom.

    NetSuite's concurrency is shared by every integration on the account, so the account's own figure is
    authoritative; ``limits.concurrency`` is the fallback when the role may not read governanceLimits (it is
    administrator-only). Done once per limiter per process.
    """
    if limiter in _governed:
        return _governed[limiter]
    limits = await client.governance_limits()
    ceiling = recommended_concurrency(
        limits, connection.limits.headroom, fallback=connection.limits.concurrency
    )
    limiter.set_ceiling(ceiling)
    _governed[limiter] = ceiling
    _log.info(
        "connection netsuite: concurrency %d (%s, headroom %.0f%%)",
        ceiling,
        "from governanceLimits" if limits is not None else "governanceLimits not readable; configured limit",
        connection.limits.headroom * 100,
    )
    return ceiling


@asynccontextmanager
async def open_connections(
    workspace: Workspace,
    *,
    names: Mapping[str, Any] | None = None,
    registry: LimiterRegistry | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Open a client for each connection (or only ``names``), closed when the block ends.

    ``transports`` replaces the raw transport of named connections (tests run emulators in-process with
    ``httpx.ASGITransport``); the limiter still wraps it.
    """
    registry = registry or default_registry()
    clients: dict[str, Any] = {}
    async with AsyncExitStack() as stack:
        for name, connection in workspace.connections.items():
            if names is not None and name not in names:
                continue
            builder = BUILDERS.get(connection.system)
            if builder is None:
                _log.info("connection %s: no %s connector in this version; left out", name, connection.system)
                continue
            transport: LimitedTransport | None = None
            if isinstance(connection, HttpConnection):
                inner = (transports or {}).get(name) or http_transport(connection)
                transport = LimitedTransport(registry.limiter_for(name, limit_settings(connection)), inner)
            client = builder(ClientParts(name, connection, workspace, transport, registry))
            if isinstance(client, AbstractAsyncContextManager):
                client = await stack.enter_async_context(client)
            clients[name] = client
            if isinstance(connection, NetSuiteConnection) and transport is not None:
                await size_from_governance(client, connection, transport.limiter)
        yield clients
