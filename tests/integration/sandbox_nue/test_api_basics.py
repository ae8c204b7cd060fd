"""Auth, envelopes, paging and filters of the Nue emulator over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ledgerbridge.sandbox.nue.app import create_app
from ledgerbridge.sandbox.nue.settings import NueEmulatorSettings
from tests.support.servers import serve

from .support import API_KEY, Api, Book


def test_missing_or_wrong_key_is_401_in_the_error_envelope(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as http:
        missing = http.get("/customers")
        wrong = http.get("/customers", headers={"nue-api-key": "not-the-key"})
    for response, reason in ((missing, "missing"), (wrong, "invalid")):
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == "failure"
        assert body["errorCode"] == "UNAUTHORIZED"
        assert reason in body["message"]
        assert body["errorId"]
    assert "not-the-key" not in wrong.text


@pytest.mark.parametrize("settings_overrides", [{"read_only_api_key": SecretStr("read-only-key-123456")}])
def test_read_only_key_reads_but_cannot_write(base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers={"nue-api-key": "read-only-key-123456"}) as http:
        assert http.get("/customers").status_code == 200
        refused = http.post("/customers", json=[{"name": "X", "recordType": "Business"}])
    assert refused.status_code == 403
    assert refused.json()["errorCode"] == "FORBIDDEN"


def test_success_envelope_and_list_pagination(api: Api, book: Book) -> None:
    for i in range(7):
        book.customer(f"Customer {i}")
    first = api.get("/customers", params={"limit": 3})
    assert first["status"] == "success"
    assert [c["name"] for c in first["data"]] == ["Customer 0", "Customer 1", "Customer 2"]
    assert first["pagination"] == {"page": 1, "limit": 3, "total": 7, "totalPages": 3}
    last = api.get("/customers", params={"limit": 3, "page": 3})
    assert [c["name"] for c in last["data"]] == ["Customer 6"]
    beyond = api.get("/customers", params={"limit": 3, "page": 4})
    assert beyond["data"] == [] and beyond["pagination"]["total"] == 7


@pytest.mark.parametrize(
    "query", [{"limit": 501}, {"limit": 0}, {"page": 0}, {"limit": "x"}, {"predicate": "xor"}]
)
def test_bad_paging_parameters_are_400(api: Api, query: dict[str, Any]) -> None:
    answer = api.get("/customers", params=query, expect=400)
    assert answer["status"] == "failure" and answer["errorCode"] == "VALIDATION_ERROR"


def test_customer_creation_validates_every_entry_before_creating_any(api: Api) -> None:
    answer = api.post("/customers", [{"name": "Good", "recordType": "Business"}, {"name": "Bad"}], expect=400)
    assert "customers[1].recordType" in answer["message"]
    assert api.get("/customers")["pagination"]["total"] == 0
    too_many = [{"name": f"C{i}", "recordType": "Consumer"} for i in range(201)]
    assert "At most 200" in api.post("/customers", too_many, expect=400)["message"]


def test_created_customer_has_account_number_and_stamps(api: Api) -> None:
    created = api.data(
        "POST", "/customers", [{"name": "Acme", "recordType": "business", "email": "a@x.example"}]
    )
    customer = created[0]
    assert customer["recordType"] == "Business"
    assert customer["accountNumber"].startswith("ACC-")
    assert customer["createdDate"].endswith("Z") and customer["lastModifiedDate"] == customer["createdDate"]
    assert api.data("GET", f"/customers/{customer['id']}") == customer


def test_updating_a_customer_bumps_last_modified_date(api: Api, book: Book) -> None:
    customer_id = book.customer("Acme")
    before = api.data("GET", f"/customers/{customer_id}")
    after = api.data("PATCH", f"/customers/{customer_id}", {"customerSince": "2024-12-01"})
    assert after["customerSince"] == "2024-12-01"
    assert after["lastModifiedDate"] > before["lastModifiedDate"]
    assert after["createdDate"] == before["createdDate"]
    assert api.call("PATCH", f"/customers/{customer_id}", {"accountNumber": "X"}, expect=400)


def test_unknown_record_is_404_in_the_error_envelope(api: Api) -> None:
    answer = api.get("/invoices/does-not-exist", expect=404)
    assert answer == {**answer, "status": "failure", "errorCode": "NOT_FOUND"}
    assert api.get("/no/such/path", expect=404)["errorCode"] == "NOT_FOUND"


def test_comparison_filters_predicates_and_legacy_customer_ids(api: Api, book: Book) -> None:
    acme, globex = book.customer("Acme"), book.customer("Globex")
    book.order(acme, book.line("PRO", 2, subscriptionTerm=12))  # 2 * 100 * 12 = 2400
    book.order(globex, book.line("PRO", 1, subscriptionTerm=1))  # 100
    book.order(globex, book.line("TOKEN", 3))  # 136.50
    totals = lambda query: sorted(str(o["totalAmount"]) for o in api.data("GET", f"/orders?{query}"))  # noqa: E731
    assert totals("totalAmount>=136.5") == ["136.50", "2400.00"]
    assert totals("totalAmount>100") == ["136.50", "2400.00"]
    assert totals("totalAmount<=100&totalAmount>0") == ["100.00"]
    assert totals("totalAmount<100&predicate=or&totalAmount>2000") == ["2400.00"]
    assert totals(f"customerId={acme}") == ["2400.00"]
    encoded = httpx.QueryParams({"customerIds": f'["{globex}"]'})
    assert totals(str(encoded)) == ["100.00", "136.50"]
    assert totals("status=activated,draft&orderType!=ChangeOrder") == ["100.00", "136.50", "2400.00"]
    assert totals("subscriptionEndDate>=2025-12-01") == ["2400.00"]
    assert totals("poNumber=null") == ["100.00", "136.50", "2400.00"]


def test_last_modified_filter_and_sort(api: Api, book: Book) -> None:
    ids = [book.customer(f"C{i}") for i in range(4)]
    middle = api.data("GET", f"/customers/{ids[2]}")["lastModifiedDate"]
    api.data("PATCH", f"/customers/{ids[0]}", {"phone": "555"})  # now the newest
    since = api.data("GET", "/customers", params={"lastModifiedDate>": middle, "sort": "lastModifiedDate"})
    assert [c["id"] for c in since] == [ids[2], ids[3], ids[0]]
    newest_first = api.data("GET", "/customers", params={"sort": "-lastModifiedDate", "limit": 2})
    assert [c["id"] for c in newest_first] == [ids[0], ids[3]]


@pytest.mark.parametrize("settings_overrides", [{"last_modified_filter": False}])
def test_last_modified_filter_can_be_refused(api: Api) -> None:
    answer = api.get("/customers", params={"lastModifiedDate>": "2025-01-01"}, expect=400)
    assert "lastModifiedDate" in answer["message"]


def test_unknown_includes_are_refused(api: Api) -> None:
    answer = api.get("/invoices", params={"includes": "everything"}, expect=400)
    assert "everything" in answer["message"]


def test_version_prefix_and_action_punctuation_are_settings() -> None:
    settings = NueEmulatorSettings(api_key=SecretStr(API_KEY), api_prefix="/v1", action_separator="-")
    with (
        serve(create_app(settings)) as url,
        httpx.Client(base_url=url, headers={"nue-api-key": API_KEY}) as http,
    ):
        assert http.get("/v1/customers").status_code == 200
        assert http.get("/customers").status_code == 404
        dashed = http.post("/v1/billing/invoices-activate", json={"invoiceIds": ["nope"]})
        colon = http.post("/v1/billing/invoices:activate", json={"invoiceIds": ["nope"]})
    assert dashed.status_code == 404 and dashed.json()["message"] == "Invoice 'nope' was not found."
    assert colon.status_code == 404 and colon.json()["message"].startswith("No resource")
