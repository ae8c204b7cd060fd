"""The record service: ids from Location, eid checks before sending, 404 handling, paging, request counts."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.errors import Fatal, RecordRejected

from .conftest import REST, error_json

NOT_FOUND = error_json(404, "NONEXISTENT_ID", "The record instance does not exist.")


async def test_create_reads_the_id_from_location(client: NetSuiteClient, router: respx.MockRouter) -> None:
    route = router.post("/record/v1/customer").respond(
        204, headers={"Location": f"{REST}/record/v1/customer/647"}
    )
    assert await client.create("customer", {"companyName": "Acme"}) == "647"
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    assert client.requests_sent.as_dict() == {
        "write": 1,
        "read": 0,
        "query": 0,
        "poll": 0,
        "auth": 0,
        "total": 1,
    }


async def test_201_created_is_accepted_too(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.post("/record/v1/customer").respond(
        201, headers={"Location": "/services/rest/record/v1/customer/9"}
    )
    assert await client.create("customer", {"companyName": "Acme"}) == "9"


async def test_write_without_location_is_a_broken_contract(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    router.post("/record/v1/customer").respond(204)
    with pytest.raises(Fatal, match="no Location"):
        await client.create("customer", {"companyName": "Acme"})


async def test_upsert_puts_to_eid(client: NetSuiteClient, router: respx.MockRouter) -> None:
    route = router.put("/record/v1/customer/eid:lb-nue-cust-C_001").respond(
        204, headers={"Location": f"{REST}/record/v1/customer/12"}
    )
    assert await client.upsert("customer", "lb-nue-cust-C_001", {"companyName": "Acme"}) == "12"
    assert json.loads(route.calls.last.request.content) == {"companyName": "Acme"}


@pytest.mark.parametrize("eid", ["has space", "pipe|x", "slash/x", "dot.x", "", "ümlaut", "x" * 256])
async def test_illegal_external_ids_are_rejected_locally(client: NetSuiteClient, eid: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        await client.upsert("customer", eid, {"companyName": "Acme"})
    assert caught.value.vendor_code == "INVALID_EXTERNAL_ID"
    if eid:
        assert "letters, digits, '_' and '-'" in caught.value.message
    with pytest.raises(RecordRejected):
        await client.find_id_by_external_id("customer", eid)
    assert client.requests_sent.total == 0


async def test_get_expands_and_returns_none_on_404(client: NetSuiteClient, router: respx.MockRouter) -> None:
    route = router.get("/record/v1/salesorder/5").respond(
        200, json={"id": "5", "total": 1250.5, "item": {"items": [{"line": 1}]}}
    )
    router.get("/record/v1/salesorder/6").respond(404, json=NOT_FOUND)
    record = await client.get("salesorder", "5")
    assert record is not None
    assert str(record["total"]) == "1250.5"  # a Decimal, not a float
    assert route.calls.last.request.url.params["expandSubResources"] == "true"
    assert await client.get("salesorder", "6") is None


async def test_find_id_by_external_id_is_one_get(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.get("/record/v1/customer/eid:C-1").respond(200, json={"id": "77", "externalId": "C-1"})
    router.get("/record/v1/customer/eid:C-2").respond(404, json=NOT_FOUND)
    assert await client.find_id_by_external_id("customer", "C-1") == "77"
    assert await client.find_id_by_external_id("customer", "C-2") is None
    assert client.requests_sent["read"] == 2


async def test_update_passes_replace_and_returns_id(client: NetSuiteClient, router: respx.MockRouter) -> None:
    route = router.patch("/record/v1/salesorder/5").respond(
        204, headers={"Location": f"{REST}/record/v1/salesorder/5"}
    )
    assert await client.update("salesorder", "5", {"memo": None}, replace=["item"]) == "5"
    request = route.calls.last.request
    assert request.url.params["replace"] == "item"
    assert json.loads(request.content) == {"memo": None}


async def test_sublists(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.get("/record/v1/salesorder/5/item").respond(
        200, json={"links": [], "items": [{"line": 1, "quantity": 2}]}
    )
    patch = router.patch("/record/v1/salesorder/5").respond(
        204, headers={"Location": f"{REST}/record/v1/salesorder/5"}
    )
    assert await client.sublist("salesorder", "5", "item") == [{"line": 1, "quantity": 2}]
    await client.set_sublist("salesorder", "5", "item", [{"item": {"id": "98"}, "quantity": 2}])
    request = patch.calls.last.request
    assert request.url.params["replace"] == "item"
    assert json.loads(request.content) == {"item": {"items": [{"item": {"id": "98"}, "quantity": 2}]}}


async def test_transform_and_delete(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.post("/record/v1/salesorder/5/!transform/invoice").respond(
        204, headers={"Location": f"{REST}/record/v1/invoice/31"}
    )
    router.delete("/record/v1/invoice/31").respond(204)
    router.delete("/record/v1/invoice/32").respond(404, json=NOT_FOUND)
    assert await client.transform("salesorder", "5", "invoice", {"memo": "x"}) == "31"
    assert await client.delete("invoice", "31") is True
    assert await client.delete("invoice", "32", missing_ok=True) is False
    with pytest.raises(RecordRejected, match="not found"):
        await client.delete("invoice", "32")


async def test_list_pages_through_ids(client: NetSuiteClient, router: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        ids = list(range(offset, min(offset + limit, 5)))
        return httpx.Response(
            200,
            json={
                "count": len(ids),
                "hasMore": offset + limit < 5,
                "offset": offset,
                "totalResults": 5,
                "items": [
                    {"links": [{"rel": "self", "href": f"{REST}/record/v1/customer/{i}"}], "id": str(i)}
                    for i in ids
                ],
            },
        )

    route = router.get("/record/v1/customer").mock(side_effect=answer)
    assert [i async for i in client.list("customer", page_size=2)] == ["0", "1", "2", "3", "4"]
    assert [c.request.url.params["offset"] for c in route.calls] == ["0", "2", "4"]


@pytest.mark.parametrize("key", ["abc", "1; DROP", "../1"])
async def test_bad_internal_ids_are_rejected_locally(client: NetSuiteClient, key: str) -> None:
    with pytest.raises(RecordRejected):
        await client.get("customer", key)
    assert client.requests_sent.total == 0


async def test_location_on_another_host_is_rerooted(client: NetSuiteClient) -> None:
    session = client._session
    assert session.url("http://other.example:9/services/rest/async/v1/job/3") == f"{REST}/async/v1/job/3"
    assert session.url("/services/rest/async/v1/job/3") == f"{REST}/async/v1/job/3"
    assert session.url("record/v1/customer") == f"{REST}/record/v1/customer"
