"""The record service over real HTTP: CRUD, eid upsert, Location, list paging, q, expansion, transform."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx

from ledgerbridge.sandbox._kit.jsonbody import dumps, loads
from ledgerbridge.sandbox.netsuite.context import NetSuiteEmulator

from .support import customer, location_id, ns_error

SINGULAR = "application/vnd.oracle.resource+json; type=singular"


def test_create_answers_204_with_absolute_location_and_no_body(client: httpx.Client, base_url: str) -> None:
    response = client.post("/record/v1/customer", json=customer("Acme Corp"))

    assert response.status_code == 204
    assert response.content == b""
    location = response.headers["location"]
    assert location.startswith(f"{base_url}/services/rest/record/v1/customer/")
    record = client.get(location).json()
    assert record["companyName"] == "Acme Corp"
    assert record["id"] == location.rsplit("/", 1)[1]


def test_get_returns_singular_media_type_absolute_links_and_netsuite_timestamps(
    client: httpx.Client, base_url: str
) -> None:
    new_id = location_id(client.post("/record/v1/customer", json=customer("Globex", externalId="GLX-1")))

    response = client.get(f"/record/v1/customer/{new_id}")

    assert response.status_code == 200
    assert response.headers["content-type"] == SINGULAR
    record = response.json()
    assert record["externalId"] == "GLX-1"
    assert record["links"][0]["href"] == f"{base_url}/services/rest/record/v1/customer/{new_id}"
    # airbyte parses exactly this format (notes §5b step 6)
    assert len(record["lastModifiedDate"]) == 20 and record["lastModifiedDate"].endswith("Z")
    # references carry absolute links too
    subsidiary_links = record["subsidiary"]["links"]
    assert all(link["href"].startswith(base_url) for link in subsidiary_links)


def test_record_type_path_is_case_insensitive_and_eid_keys_work(client: httpx.Client) -> None:
    new_id = location_id(client.post("/record/v1/Customer", json=customer("Initech", externalId="INI-1")))

    by_eid = client.get("/record/v1/CUSTOMER/eid:INI-1")

    assert by_eid.status_code == 200
    assert by_eid.json()["id"] == new_id


def test_patch_updates_and_null_clears(client: httpx.Client) -> None:
    new_id = location_id(
        client.post("/record/v1/customer", json=customer("Umbrella", email="a@umbrella.test"))
    )

    patched = client.patch(
        f"/record/v1/customer/{new_id}", json={"companyName": "Umbrella plc", "email": None}
    )

    assert patched.status_code == 204
    assert patched.headers["location"].endswith(f"/record/v1/customer/{new_id}")
    record = client.get(f"/record/v1/customer/{new_id}").json()
    assert record["companyName"] == "Umbrella plc"
    assert "email" not in record or record["email"] in (None, "")


def test_put_eid_upserts_create_then_update_same_id(client: httpx.Client, ns: NetSuiteEmulator) -> None:
    first = client.put("/record/v1/customer/eid:CUST-42", json=customer("Hooli"))
    second = client.put("/record/v1/customer/eid:CUST-42", json=customer("Hooli XYZ"))

    assert location_id(first) == location_id(second)
    assert client.get("/record/v1/customer/eid:CUST-42").json()["companyName"] == "Hooli XYZ"
    assert ns.store.list("customer", limit=1000, offset=0)[1] == 1


def test_put_by_internal_id_is_refused(client: httpx.Client) -> None:
    new_id = location_id(client.post("/record/v1/customer", json=customer("Stark")))

    ns_error(client.put(f"/record/v1/customer/{new_id}", json={"companyName": "x"}), 400, "USER_ERROR")


def test_delete_then_get_is_404(client: httpx.Client) -> None:
    new_id = location_id(client.post("/record/v1/customer", json=customer("Wayne")))

    assert client.delete(f"/record/v1/customer/{new_id}").status_code == 204
    ns_error(client.get(f"/record/v1/customer/{new_id}"), 404, "NONEXISTENT_ID")


def test_list_pages_with_absolute_links_and_totals(client: httpx.Client, base_url: str) -> None:
    ids = [location_id(client.post("/record/v1/customer", json=customer(f"Co {n}"))) for n in range(5)]

    first = client.get("/record/v1/customer", params={"limit": 2})
    page = first.json()

    assert first.headers["content-type"] == "application/vnd.oracle.resource+json; type=collection"
    assert (page["count"], page["hasMore"], page["offset"], page["totalResults"]) == (2, True, 0, 5)
    assert [item["id"] for item in page["items"]] == ids[:2]
    assert page["items"][0]["links"] == [
        {"rel": "self", "href": f"{base_url}/services/rest/record/v1/customer/{ids[0]}"}
    ]
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert set(links) == {"next", "last", "self"}
    assert parse_qs(urlsplit(links["next"]).query) == {"limit": ["2"], "offset": ["2"]}
    assert parse_qs(urlsplit(links["last"]).query) == {"limit": ["2"], "offset": ["4"]}

    # follow the links as airbyte does: next offset = offset + count while hasMore
    seen = [item["id"] for item in page["items"]]
    while page["hasMore"]:
        page = client.get(next(link["href"] for link in page["links"] if link["rel"] == "next")).json()
        seen += [item["id"] for item in page["items"]]
    assert seen == ids
    assert {link["rel"] for link in page["links"]} == {"first", "prev", "self"}


def test_list_q_filter_and_unfilterable_field(client: httpx.Client) -> None:
    client.post("/record/v1/customer", json=customer("Test Customer One"))
    client.post("/record/v1/customer", json=customer("Someone Else"))

    found = client.get("/record/v1/customer", params={"q": 'companyName CONTAIN "Test Customer"'}).json()

    assert found["totalResults"] == 1
    assert "q=" in next(link["href"] for link in found["links"] if link["rel"] == "self")
    detail = ns_error(
        client.get("/record/v1/customer", params={"q": "noSuchField IS 1"}), 400, "NONEXISTENT_FIELD"
    )
    assert detail["o:errorQueryParam"] == "q"


def test_expand_subresources_accepts_true_and_capital_true(client: httpx.Client) -> None:
    item_id = location_id(client.post("/record/v1/noninventorysaleitem", json={"itemId": "SKU-1"}))
    customer_id = location_id(client.post("/record/v1/customer", json=customer("Buyer")))
    order = {
        "entity": {"id": customer_id},
        "tranDate": "2026-01-15",
        "item": {"items": [{"item": {"id": item_id}, "quantity": 2, "rate": Decimal("10.10")}]},
    }
    # Decimal amounts travel as exact JSON numbers (the kit's encoder), as a money-safe client sends them
    order_id = location_id(
        client.post(
            "/record/v1/salesorder", content=dumps(order), headers={"Content-Type": "application/json"}
        )
    )

    collapsed = client.get(f"/record/v1/salesOrder/{order_id}").json()
    expanded = client.get(f"/record/v1/salesOrder/{order_id}", params={"expandSubResources": "true"})
    capital = client.get(f"/record/v1/salesOrder/{order_id}", params={"expandSubResources": "True"})

    assert "items" not in collapsed["item"]
    lines = loads(expanded.content)["item"]["items"]
    assert len(lines) == 1
    assert lines[0]["rate"] == Decimal("10.10")  # written as an exact JSON number, not a float
    assert b'"rate":10.10' in expanded.content or b'"rate":10.1' in expanded.content
    assert capital.json()["item"]["items"] == expanded.json()["item"]["items"]
    # the sublist subresource URL
    sublist = client.get(f"/record/v1/salesorder/{order_id}/item").json()
    assert len(sublist["items"]) == 1


def test_fields_parameter_narrows_the_body(client: httpx.Client) -> None:
    new_id = location_id(client.post("/record/v1/customer", json=customer("Narrow", email="n@x.test")))

    record = client.get(f"/record/v1/customer/{new_id}", params={"fields": "email"}).json()

    assert record["email"] == "n@x.test"
    assert "companyName" not in record


def test_transform_creates_the_target_and_answers_its_location(client: httpx.Client) -> None:
    item_id = location_id(client.post("/record/v1/servicesaleitem", json={"itemId": "SVC-1"}))
    customer_id = location_id(client.post("/record/v1/customer", json=customer("Transformer")))
    order_id = location_id(
        client.post(
            "/record/v1/salesorder",
            json={
                "entity": {"id": customer_id},
                "tranDate": "2026-02-01",
                "item": {"items": [{"item": {"id": item_id}, "quantity": 1, "rate": 100}]},
            },
        )
    )

    response = client.post(f"/record/v1/salesorder/{order_id}/!transform/invoice", json={})

    assert response.status_code == 204
    assert "/record/v1/invoice/" in response.headers["location"]
    invoice = client.get(response.headers["location"]).json()
    assert invoice["createdFrom"]["id"] == order_id


def test_options_answers_204_without_body(client: httpx.Client) -> None:
    response = client.options("/record/v1/customer")

    assert response.status_code == 204
    assert response.content == b""


def test_property_name_validation_header_is_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/record/v1/customer",
        json=customer("Header Co"),
        headers={"X-NetSuite-PropertyNameValidation": "error"},
    )

    assert response.status_code == 204
