"""Issue 3's bad inputs, and every other refusal, answer in NetSuite's error shape and codes."""

from __future__ import annotations

import httpx
import pytest

from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings

from .support import customer, ns_error, tba_auth


def test_missing_mandatory_field_is_user_error(client: httpx.Client) -> None:
    detail = ns_error(
        client.post("/record/v1/noninventorysaleitem", json={"displayName": "x"}), 400, "USER_ERROR"
    )

    assert "Please enter value(s) for" in detail["detail"]


def test_bad_reference_is_invalid_key_or_ref(client: httpx.Client) -> None:
    response = client.post("/record/v1/customer", json=customer("Ref Co") | {"subsidiary": {"id": "999"}})

    detail = ns_error(response, 400, "INVALID_KEY_OR_REF")
    assert "999" in detail["detail"]


def test_illegal_external_id_characters(client: httpx.Client) -> None:
    detail = ns_error(
        client.put("/record/v1/customer/eid:BAD$ID", json=customer("Eid Co")), 400, "INVALID_PARAMETER"
    )

    assert "BAD$ID" in detail["detail"] or "letters" in detail["detail"]


def test_unknown_suiteql_column(client: httpx.Client) -> None:
    response = client.post(
        "/query/v1/suiteql", json={"q": "SELECT nosuchcol FROM customer"}, headers={"Prefer": "transient"}
    )

    assert "Unknown identifier 'nosuchcol'" in ns_error(response, 400, "INVALID_PARAMETER")["detail"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"limit": 3, "offset": 2}, "offset"), ({"limit": 1001}, "limit"), ({"limit": "abc"}, "limit")],
)
def test_list_paging_rules(client: httpx.Client, params: dict[str, object], parameter: str) -> None:
    detail = ns_error(client.get("/record/v1/customer", params=params), 400, "INVALID_PARAMETER")

    assert detail["o:errorQueryParam"] == parameter


@pytest.mark.parametrize("params", [{"limit": 3, "offset": 2}, {"limit": 1001, "offset": 0}])
def test_suiteql_paging_rules(client: httpx.Client, params: dict[str, object]) -> None:
    response = client.post(
        "/query/v1/suiteql",
        params=params,
        json={"q": "SELECT id FROM customer"},
        headers={"Prefer": "transient"},
    )

    ns_error(response, 400, "INVALID_PARAMETER")


@pytest.mark.parametrize("body", [b'{"companyName": "x",', b"not json at all", b"\xff\xfe"])
def test_malformed_json_body(client: httpx.Client, body: bytes) -> None:
    response = client.post("/record/v1/customer", content=body, headers={"Content-Type": "application/json"})

    assert "Invalid content in the request body" in ns_error(response, 400, "INVALID_CONTENT")["detail"]


def test_body_that_is_not_an_object(client: httpx.Client) -> None:
    ns_error(client.post("/record/v1/customer", json=[1, 2]), 400, "INVALID_CONTENT")


def test_bad_signature_is_invalid_login(base_url: str, ns_settings: EmulatorSettings) -> None:
    wrong = tba_auth(ns_settings, token_secret="not-the-secret")
    with httpx.Client(base_url=base_url, auth=wrong) as http:
        response = http.get("/services/rest/record/v1/customer")

    detail = ns_error(response, 401, "INVALID_LOGIN")
    assert "Invalid login attempt" in detail["detail"]


def test_unknown_route_is_404_in_netsuite_shape(client: httpx.Client) -> None:
    ns_error(client.get("/nothing/here"), 404, "NOT_FOUND")


def test_wrong_method_is_405_in_netsuite_shape(client: httpx.Client) -> None:
    response = client.delete("/query/v1/suiteql")

    ns_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["allow"]


def test_unknown_record_type(client: httpx.Client) -> None:
    ns_error(client.get("/record/v1/nosuchrecord"), 400, "INVALID_PARAMETER")


def test_missing_record_is_404_nonexistent_id(client: httpx.Client) -> None:
    ns_error(client.get("/record/v1/customer/424242"), 404, "NONEXISTENT_ID")


def test_suiteql_without_query(client: httpx.Client) -> None:
    detail = ns_error(client.post("/query/v1/suiteql", json={}), 400, "INVALID_PARAMETER")

    assert detail["o:errorPath"] == "q"


def test_locked_record_refuses_reads(client: httpx.Client, control: httpx.Client) -> None:
    response = client.post("/record/v1/customer", json=customer("Locked Co"))
    new_id = response.headers["location"].rsplit("/", 1)[1]

    assert control.post(f"/netsuite/records/customer/{new_id}/lock", json={"locked": True}).status_code == 200

    detail = ns_error(client.get(f"/record/v1/customer/{new_id}"), 400, "USER_ERROR")
    assert "locked by a user defined workflow" in detail["detail"]
    control.post(f"/netsuite/records/customer/{new_id}/lock", json={"locked": False})
    assert client.get(f"/record/v1/customer/{new_id}").status_code == 200
