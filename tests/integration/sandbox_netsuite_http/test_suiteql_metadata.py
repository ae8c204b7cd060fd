"""SuiteQL over REST and the metadata catalog, in the shapes real clients parse."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from .support import customer, wait_for_job

TRANSIENT = {"Prefer": "transient"}
CATALOG = "/record/v1/metadata-catalog"


def _three_customers(client: httpx.Client) -> list[str]:
    return [
        client.post("/record/v1/customer", json=customer(name)).headers["location"].rsplit("/", 1)[1]
        for name in ("Alpha", "Beta", "Gamma")
    ]


def test_suiteql_page_shape(client: httpx.Client, base_url: str) -> None:
    ids = _three_customers(client)

    response = client.post(
        "/query/v1/suiteql",
        params={"limit": 2, "offset": 0},
        json={"q": "SELECT id, companyname FROM customer ORDER BY id ASC"},
        headers=TRANSIENT,
    )

    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["count"], page["hasMore"], page["offset"], page["totalResults"]) == (2, True, 0, 3)
    assert page["items"][0] == {"links": [], "id": ids[0], "companyname": "Alpha"}
    assert next(iter(page["items"][0])) == "links"
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert links["self"].startswith(f"{base_url}/services/rest/query/v1/suiteql?")
    assert parse_qs(urlsplit(links["next"]).query) == {"limit": ["2"], "offset": ["2"]}
    last = client.post(
        links["next"], json={"q": "SELECT id, companyname FROM customer ORDER BY id ASC"}
    ).json()
    assert (last["count"], last["hasMore"]) == (1, False)
    assert "next" not in {link["rel"] for link in last["links"]}


def test_suiteql_runs_asynchronously_too(client: httpx.Client) -> None:
    _three_customers(client)

    response = client.post(
        "/query/v1/suiteql",
        json={"q": "SELECT COUNT(*) AS n FROM customer"},
        headers={"Prefer": "respond-async, transient"},
    )

    assert response.status_code == 202
    wait_for_job(client, response.headers["location"])
    result = client.get(
        client.base_url.copy_with(path=response.headers["location"] + "/task/1/result")
    ).json()
    assert result["items"] == [{"links": [], "n": "3"}]


def test_catalog_lists_record_types_with_three_links(client: httpx.Client, base_url: str) -> None:
    catalog = client.get(CATALOG).json()

    names = [item["name"] for item in catalog["items"]]
    assert {"customer", "salesorder", "invoice", "journalentry"} <= set(names)
    entry = next(item for item in catalog["items"] if item["name"] == "customer")
    assert [link["mediaType"] for link in entry["links"]] == [
        "application/json",
        "application/swagger+json",
        "application/schema+json",
    ]
    assert entry["links"][0]["href"] == f"{base_url}/services/rest/record/v1/metadata-catalog/customer"
    narrowed = client.get(CATALOG, params={"select": "Customer,salesOrder"}).json()
    assert [item["name"] for item in narrowed["items"]] == ["customer", "salesorder"]


def test_record_schema_has_filterable_fields_and_absolute_refs(client: httpx.Client) -> None:
    response = client.get(f"{CATALOG}/customer", headers={"Accept": "application/schema+json"})

    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert schema["type"] == "object"
    assert schema["properties"]["lastModifiedDate"]["format"] == "date-time"
    assert "lastModifiedDate" in schema["x-ns-filterable"]
    refs = [prop["$ref"] for prop in schema["properties"].values() if "$ref" in prop]
    assert refs and all(ref.startswith("/services/rest/record/v1/metadata-catalog/") for ref in refs)
    # Airbyte fetches url_base + ref
    assert client.get(f"{CATALOG}/nsLink").status_code == 200


def test_swagger_accept_gives_a_minimal_openapi_document(client: httpx.Client) -> None:
    response = client.get(
        CATALOG, params={"select": "customer"}, headers={"Accept": "application/swagger+json"}
    )

    document = response.json()
    assert response.headers["content-type"] == "application/swagger+json"
    assert document["openapi"].startswith("3.0")
    assert set(document["paths"]) == {"/customer", "/customer/{id}"}
    assert "customer" in document["components"]["schemas"]
    refs = [
        p["$ref"] for p in document["components"]["schemas"]["customer"]["properties"].values() if "$ref" in p
    ]
    assert refs and all(ref.startswith("#/components/schemas/") for ref in refs)
    for ref in refs:
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]


def test_unknown_catalog_type(client: httpx.Client) -> None:
    assert (
        client.get(f"{CATALOG}/nosuchtype", headers={"Accept": "application/schema+json"}).status_code == 400
    )
