"""The record service, OAuth 2.0 and governance through the connector, over real HTTP to the emulator."""

from __future__ import annotations

from ledgerbridge.connectors.netsuite import NetSuiteClient, recommended_concurrency

from .conftest import Emulator


async def test_create_get_update_upsert_delete(client: NetSuiteClient) -> None:
    new_id = await client.create("customer", {"companyName": "Create Co", "externalId": "CRUD-1"})
    assert new_id.isdigit()
    record = await client.get("customer", new_id)
    assert record is not None
    assert record["companyName"] == "Create Co"
    assert await client.find_id_by_external_id("customer", "CRUD-1") == new_id

    assert await client.upsert("customer", "CRUD-1", {"companyName": "Upserted Co"}) == new_id
    assert await client.update("customer", new_id, {"companyName": "Renamed Co"}) == new_id
    record = await client.get("customer", new_id, expand=False)
    assert record is not None and record["companyName"] == "Renamed Co"

    assert await client.delete("customer", new_id) is True
    assert await client.get("customer", new_id) is None
    assert await client.find_id_by_external_id("customer", "CRUD-1") is None
    assert await client.delete("customer", new_id, missing_ok=True) is False


async def test_patch_keeps_the_external_id(client: NetSuiteClient) -> None:
    # a PATCH that does not mention externalId must not clear it, or the next PUT eid: would duplicate
    new_id = await client.upsert("customer", "KEEP-EID-1", {"companyName": "Keep Co"})
    await client.update("customer", new_id, {"companyName": "Keep Co 2"})
    assert await client.find_id_by_external_id("customer", "KEEP-EID-1") == new_id


async def test_upsert_creates_once_then_updates(client: NetSuiteClient) -> None:
    first = await client.upsert("customer", "UPS-1", {"companyName": "One"})
    second = await client.upsert("customer", "UPS-1", {"companyName": "One again"})
    assert first == second
    ids = [i async for i in client.list("customer", page_size=1000)]
    assert ids.count(first) == 1


async def test_list_pages_with_small_pages(client: NetSuiteClient) -> None:
    made = {await client.upsert("customer", f"LST-{i}", {"companyName": f"List {i}"}) for i in range(7)}
    listed = [i async for i in client.list("customer", page_size=3)]
    assert made <= set(listed)
    assert len(listed) == len(set(listed))


async def test_oauth2_client_credentials(emulator: Emulator) -> None:
    async with NetSuiteClient(emulator.oauth2()) as ns:
        made = await ns.upsert("customer", "OAUTH-1", {"companyName": "Bearer Co"})
        assert await ns.find_id_by_external_id("customer", "OAUTH-1") == made
        counts = ns.requests_sent.as_dict()
    assert counts["auth"] == 1  # one token for both calls
    assert counts["write"] == 1 and counts["read"] == 1


async def test_governance_sizes_concurrency(client: NetSuiteClient, emulator: Emulator) -> None:
    limits = await client.governance_limits()
    assert limits is not None
    assert limits.account_concurrency_limit >= 1
    expected = recommended_concurrency(limits, client.settings.governance_headroom)
    assert await client.recommended_concurrency() == expected
    assert 1 <= expected <= limits.account_concurrency_limit
