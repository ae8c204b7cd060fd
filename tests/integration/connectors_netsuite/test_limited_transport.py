"""The engine's limiter wraps the connector's transport: it (and the server) see every request we count."""

from __future__ import annotations

from ledgerbridge.connectors.netsuite import NetSuiteClient, build_transport
from ledgerbridge.engine.limits import ConnectionLimiter, LimitSettings
from ledgerbridge.engine.transport import LimitedTransport

from .conftest import Emulator


async def test_limiter_and_server_see_every_counted_request(emulator: Emulator) -> None:
    settings = emulator.oauth2()
    limiter = ConnectionLimiter("netsuite-it", LimitSettings(concurrency=3))
    before = (await emulator.stats())["requests_total"]
    transport = LimitedTransport(limiter, inner=build_transport(settings))
    async with NetSuiteClient(settings, transport=transport) as ns:
        records = [(f"LIM-{i:03d}", {"companyName": f"Limited {i}"}) for i in range(130)]
        results = await ns.upsert_many("customer", records)
        assert all(r.ok for r in results)
        rows = [row async for row in ns.suiteql_keyset("SELECT id FROM customer", page_size=50)]
        assert len(rows) >= 130
        await ns.governance_limits()
        counts = ns.requests_sent.as_dict()
    after = (await emulator.stats())["requests_total"]
    assert counts["auth"] == 1 and counts["write"] == 2 and counts["poll"] >= 2
    assert limiter.requests_total == counts["total"]
    assert after - before == counts["total"]  # the server saw exactly what we counted
    assert limiter.throttled_total == 0
