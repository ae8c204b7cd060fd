"""Workspace connections → clients behind the shared limiter, sized from NetSuite's governanceLimits."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerbridge.config.loader import parse_workspace_text
from ledgerbridge.engine.limits import LimiterRegistry
from ledgerbridge.runtimes.local.connections import EnginePushGate, open_connections
from ledgerbridge.sandbox.netsuite.app import create_app
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings
from ledgerbridge.sandbox.nue.app import create_app as create_nue_app
from ledgerbridge.sandbox.nue.settings import NueEmulatorSettings
from ledgerbridge.sandbox.pigment.app import create_app as create_pigment_app
from ledgerbridge.sandbox.pigment.settings import PigmentSettings as PigmentEmulatorSettings
from tests.support.servers import serve


def _workspace(base_url: str, settings: EmulatorSettings, tmp_path: Path, headroom: str = "0.25") -> str:
    return f"""
version: 1
workspace: {{name: t, timezone: UTC}}
connections:
  netsuite:
    system: netsuite
    base_url: {base_url}
    account_id: {settings.account_id}
    limits: {{concurrency: 3, headroom: {headroom}}}
    auth:
      type: tba
      consumer_key: {{env: NS_CK}}
      consumer_secret: {{env: NS_CS}}
      token_id: {{env: NS_TI}}
      token_secret: {{env: NS_TS}}
"""


def _env(settings: EmulatorSettings) -> dict[str, str]:
    return {
        "NS_CK": settings.consumer_key,
        "NS_CS": settings.consumer_secret.get_secret_value(),
        "NS_TI": settings.token_id,
        "NS_TS": settings.token_secret.get_secret_value(),
    }


@pytest.mark.parametrize(("permitted", "expected"), [(True, 9), (False, 2)])
async def test_concurrency_is_sized_once_from_governance(
    tmp_path: Path, permitted: bool, expected: int
) -> None:
    settings = EmulatorSettings.generate(integration_concurrency_limit=12, governance_permitted=permitted)
    app = create_app(settings)
    with serve(app) as url:
        workspace = parse_workspace_text(
            _workspace(url, settings, tmp_path), shown="ws.yaml", base_dir=tmp_path, environ=_env(settings)
        )
        registry = LimiterRegistry()
        for _ in range(2):  # two runs in one process share the limiter and ask NetSuite once
            async with open_connections(workspace, registry=registry) as clients:
                assert await clients["netsuite"].find_id_by_external_id("customer", "nobody") is None
        limiter = registry.get("netsuite")
        assert limiter is not None
        # readable: 12 allocated to this integration, 25 % headroom → 9; not readable: configured 3 → 2
        assert limiter.effective_concurrency == expected
        assert limiter.requests_total == 3  # one governance read + one lookup per run


async def test_nue_connection_reads_through_the_shared_limiter(tmp_path: Path) -> None:
    settings = NueEmulatorSettings(seed="demo")
    with serve(create_nue_app(settings)) as url:
        text = f"""
version: 1
workspace: {{name: t, timezone: UTC}}
connections:
  billing:
    system: nue
    base_url: {url}
    api_key: {{env: NUE_KEY}}
    limits: {{concurrency: 2, requests_per_minute: 600}}
"""
        workspace = parse_workspace_text(
            text, shown="ws.yaml", base_dir=tmp_path, environ={"NUE_KEY": settings.api_key.get_secret_value()}
        )
        registry = LimiterRegistry()
        async with open_connections(workspace, registry=registry) as clients:
            customers = [customer async for customer in clients["billing"].customers()]
        assert customers, "the demo tenant has customers"
        limiter = registry.get("billing")
        assert limiter is not None and limiter.requests_total == clients["billing"].requests_sent.total


async def test_pigment_connection_uses_engine_limiters_for_requests_and_pushes(tmp_path: Path) -> None:
    emulator = PigmentEmulatorSettings.generate(seed="demo")
    with serve(create_pigment_app(emulator)) as url:
        text = f"""
version: 1
workspace: {{name: t, timezone: UTC}}
connections:
  planning:
    system: pigment
    base_url: {url}
    metadata_key: {{env: PIGMENT_META}}
"""
        environ = {"PIGMENT_META": emulator.key_of_type("ModelingMetadata").secret.get_secret_value()}
        workspace = parse_workspace_text(text, shown="ws.yaml", base_dir=tmp_path, environ=environ)
        registry = LimiterRegistry()
        async with open_connections(workspace, registry=registry) as clients:
            applications = await clients["planning"].list_applications()
            gate = EnginePushGate("planning", registry)
            async with gate.slot("config-1"):
                pass
        assert applications
        requests = registry.get("planning")
        assert requests is not None and requests.requests_total == clients["planning"].requests_sent.total
        # Pigment's 500 requests / 5 minutes, kept as 100 in any minute by default
        assert requests.settings.requests_per_window == 100
        pushes = registry.get("planning:push:config-1")
        assert pushes is not None and pushes.settings.requests_per_window == 300
        assert pushes.settings.window_seconds == 3600.0 and pushes.requests_total == 1
