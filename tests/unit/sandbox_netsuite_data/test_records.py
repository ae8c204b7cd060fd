"""Record service semantics on the store: CRUD, eid upsert, rendering, sublist merges, validation, lists."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.store import NetSuiteStore

from .conftest import Clock, World

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_create_get_renders_netsuite_body(store: NetSuiteStore) -> None:
    new_id = store.create(
        "customer", {"companyName": "Acme Corp", "externalId": "CUST-1", "custentity_tier": "Gold"}
    )
    body = store.get("customer", new_id)
    assert body["id"] == new_id
    assert body["links"] == [{"rel": "self", "href": f"/services/rest/record/v1/customer/{new_id}"}]
    assert body["externalId"] == "CUST-1"
    assert body["entityId"] == "Acme Corp"
    assert STAMP.match(body["lastModifiedDate"])
    assert body["subsidiary"]["refName"] == "Parent Company"
    assert body["subsidiary"]["links"][0]["href"] == "/services/rest/record/v1/subsidiary/1"
    assert body["custentity_tier"] == "Gold"
    assert body["addressBook"] == {
        "links": [{"rel": "self", "href": f"/services/rest/record/v1/customer/{new_id}/addressBook"}]
    }


def test_record_type_names_are_case_insensitive(store: NetSuiteStore) -> None:
    new_id = store.create("Customer", {"CompanyName": "Case Co"})
    assert store.get("CUSTOMER", new_id)["companyName"] == "Case Co"
    assert store.canonical_type("salesOrder") == "salesorder"
    with pytest.raises(NsError) as err:
        store.get("nosuchtype", "1")
    assert err.value.status == 400


def test_eid_key_and_upsert_create_then_update(store: NetSuiteStore, clock: Clock) -> None:
    first = store.upsert("customer", "eid:CUST-9", {"companyName": "Nine"})
    clock.moment += timedelta(minutes=5)
    before = store.get("customer", "eid:CUST-9")["lastModifiedDate"]
    clock.moment += timedelta(minutes=5)
    second = store.upsert("customer", "CUST-9", {"companyName": "Nine Renamed"})
    assert first == second
    body = store.get("customer", "eid:CUST-9")
    assert body["companyName"] == "Nine Renamed"
    assert body["lastModifiedDate"] > before
    assert store.list("customer")[1] == 1


def test_patch_keeps_external_id_unless_cleared(store: NetSuiteStore) -> None:
    new_id = store.create("customer", {"companyName": "Keep", "externalId": "KEEP-1"})
    store.update("customer", new_id, {"phone": "1"})
    assert store.get("customer", "eid:KEEP-1")["id"] == new_id
    assert store.upsert("customer", "eid:KEEP-1", {"phone": "2"}) == new_id  # no duplicate
    store.update("customer", new_id, {"externalId": None})
    assert "externalId" not in store.get("customer", new_id)


def test_upsert_refuses_illegal_external_id_characters(store: NetSuiteStore) -> None:
    with pytest.raises(NsError) as err:
        store.upsert("customer", "eid:bad|id", {"companyName": "X"})
    assert err.value.status == 400
    assert "letters, digits" in err.value.detail
    with pytest.raises(NsError):
        store.create("customer", {"companyName": "X", "externalId": "has space"})


def test_external_id_is_unique_per_type(store: NetSuiteStore) -> None:
    store.create("customer", {"companyName": "A", "externalId": "SAME"})
    with pytest.raises(NsError) as err:
        store.create("customer", {"companyName": "B", "externalId": "SAME"})
    assert err.value.code == "DUP_RCRD"
    store.create("vendor", {"companyName": "C", "externalId": "SAME"})  # another type may reuse it


def test_missing_mandatory_fields_name_each_field(store: NetSuiteStore) -> None:
    with pytest.raises(NsError) as err:
        store.create("customer", {"isPerson": True})
    assert err.value.code == "USER_ERROR"
    assert err.value.detail.endswith("Please enter value(s) for: First Name, Last Name.")
    with pytest.raises(NsError) as err:
        store.create("invoice", {"item": {"items": []}})
    assert "Customer" in err.value.detail


def test_bad_reference_is_invalid_key_or_ref(world: World) -> None:
    with pytest.raises(NsError) as err:
        world.store.create(
            "invoice",
            {"entity": {"id": "999"}, "item": {"items": [{"item": {"id": world.service}, "amount": 5}]}},
        )
    assert err.value.code == "INVALID_KEY_OR_REF"
    assert err.value.detail == "Invalid entity reference key 999."
    assert err.value.error_path == "entity"
    # a reference to a record of another type is just as invalid
    with pytest.raises(NsError) as err:
        world.store.create(
            "invoice",
            {
                "entity": {"id": world.vendor},
                "item": {"items": [{"item": {"id": world.service}, "amount": 5}]},
            },
        )
    assert err.value.code == "INVALID_KEY_OR_REF"


def test_reference_by_external_id(world: World) -> None:
    invoice = world.store.create(
        "invoice",
        {
            "entity": {"externalId": "CUST-1"},
            "item": {"items": [{"item": {"id": world.service}, "amount": 10}]},
        },
    )
    assert world.store.get("invoice", invoice)["entity"]["id"] == world.customer


def test_duplicate_item_name_names_the_existing_id(world: World) -> None:
    with pytest.raises(NsError) as err:
        world.store.create("noninventorysaleitem", {"itemId": "implementation"})
    assert err.value.code == "DUP_RCRD"
    assert f"internal ID {world.service}" in err.value.detail


def test_patch_null_clears_and_custom_fields_are_kept(store: NetSuiteStore) -> None:
    new_id = store.create("customer", {"companyName": "A", "email": "a@example.com", "custentity_x": "1"})
    store.update("customer", new_id, {"email": None, "phone": "555"})
    body = store.get("customer", new_id)
    assert "email" not in body
    assert body["phone"] == "555"
    assert body["custentity_x"] == "1"


def _order(world: World) -> str:
    return world.store.create(
        "salesorder",
        {
            "entity": {"id": world.customer},
            "tranDate": "2026-03-01",
            "item": {
                "items": [
                    {"item": {"id": world.service}, "quantity": 2, "rate": Decimal("100")},
                    {"item": {"id": world.service}, "quantity": 1, "rate": Decimal("50")},
                ]
            },
        },
    )


def _lines(store: NetSuiteStore, order: str) -> list[dict[str, object]]:
    items = store.get("salesorder", order, expand=True)["item"]["items"]
    assert isinstance(items, list)
    return items


def test_keyed_sublist_merge_updates_matching_line_and_adds_new(world: World) -> None:
    order = _order(world)
    world.store.update(
        "salesorder",
        order,
        {
            "item": {
                "items": [{"line": 1, "quantity": 3}, {"item": {"id": world.saas}, "amount": Decimal("10")}]
            }
        },
    )
    lines = _lines(world.store, order)
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert lines[0]["quantity"] == Decimal(3)
    assert lines[0]["amount"] == Decimal("300.00")  # a new quantity re-prices the line at its rate
    assert world.store.get("salesorder", order)["total"] == Decimal("360.00")


def test_replace_removes_unmatched_keyed_lines(world: World) -> None:
    order = _order(world)
    world.store.update("salesorder", order, {"item": {"items": [{"line": 2}]}}, replace={"item"})
    lines = _lines(world.store, order)
    assert [line["line"] for line in lines] == [2]
    assert world.store.get("salesorder", order)["total"] == Decimal("50")


def test_unknown_line_key_is_refused(world: World) -> None:
    order = _order(world)
    with pytest.raises(NsError) as err:
        world.store.update("salesorder", order, {"item": {"items": [{"line": 9, "quantity": 1}]}})
    assert err.value.code == "USER_ERROR"


def test_non_keyed_sublist_appends_and_replace_replaces(store: NetSuiteStore) -> None:
    new_id = store.create("customer", {"companyName": "A", "addressBook": {"items": [{"label": "HQ"}]}})
    store.update("customer", new_id, {"addressBook": {"items": [{"label": "Warehouse"}]}})
    labels = [a["label"] for a in store.get("customer", new_id, expand=True)["addressBook"]["items"]]
    assert labels == ["HQ", "Warehouse"]
    store.update("customer", new_id, {"addressBook": {"items": [{"label": "Only"}]}}, replace={"addressBook"})
    labels = [a["label"] for a in store.get("customer", new_id, expand=True)["addressBook"]["items"]]
    assert labels == ["Only"]


def test_replace_selected_fields_only_clears_named_fields(store: NetSuiteStore) -> None:
    new_id = store.create("customer", {"companyName": "A", "email": "a@example.com", "phone": "1"})
    store.update(
        "customer", new_id, {"email": None, "phone": None}, replace={"phone"}, replace_selected_fields=True
    )
    body = store.get("customer", new_id)
    assert body["email"] == "a@example.com"
    assert "phone" not in body


def test_sublist_subresource_and_line(world: World) -> None:
    order = _order(world)
    sub = world.store.get_sublist("salesorder", order, "item")
    assert sub["count"] == 2
    line = world.store.get_sublist("salesorder", order, "item", line="2")
    assert line["rate"] == Decimal("50")
    with pytest.raises(NsError) as err:
        world.store.get_sublist("salesorder", order, "item", line="7")
    assert err.value.status == 404


def test_get_fields_filter(world: World) -> None:
    body = world.store.get("customer", world.customer, fields=["companyName"])
    assert set(body) == {"links", "id", "companyName"}


def test_delete_and_not_found(store: NetSuiteStore) -> None:
    new_id = store.create("customer", {"companyName": "Gone"})
    store.delete("customer", new_id)
    with pytest.raises(NsError) as err:
        store.get("customer", new_id)
    assert (err.value.status, err.value.code) == (404, "NONEXISTENT_ID")
    with pytest.raises(NsError):
        store.delete("customer", "eid:nothing")


def test_delete_refused_while_transactions_point_at_customer(world: World) -> None:
    world.invoice()
    with pytest.raises(NsError) as err:
        world.store.delete("customer", world.customer)
    assert "dependent records" in err.value.detail


def test_locked_record_refuses_get_and_writes_but_lists(world: World) -> None:
    world.store.lock("customer", world.customer)
    for call in (
        lambda: world.store.get("customer", world.customer),
        lambda: world.store.update("customer", world.customer, {"phone": "1"}),
        lambda: world.store.delete("customer", world.customer),
    ):
        with pytest.raises(NsError) as err:
            call()
        assert err.value.code == "USER_ERROR"
        assert err.value.detail == "This record has been locked by a user defined workflow."
    assert world.customer in world.store.list("customer")[0]
    world.store.lock("customer", world.customer, locked=False)
    assert world.store.get("customer", world.customer)["id"] == world.customer


def test_transform_sales_order_to_invoice_copies_lines(world: World) -> None:
    order = _order(world)
    invoice = world.store.transform(
        "salesorder", order, "invoice", {"tranDate": "2026-03-02", "memo": "first bill"}
    )
    body = world.store.get("invoice", invoice, expand=True)
    assert body["createdFrom"]["id"] == order
    assert body["memo"] == "first bill"
    assert [line["amount"] for line in body["item"]["items"]] == [Decimal("200"), Decimal("50")]
    assert world.store.get("salesorder", order)["status"]["refName"] == "Billed"


def test_transform_invoice_to_payment_and_credit_memo(world: World) -> None:
    invoice = world.invoice("300.00")
    credit = world.store.transform("invoice", invoice, "creditmemo", {"tranDate": "2026-03-06"})
    assert world.store.get("creditmemo", credit)["createdFrom"]["id"] == invoice
    assert world.store.get("invoice", invoice)["status"]["refName"] == "Paid In Full"  # auto-applied credit
    with pytest.raises(NsError):
        world.store.transform("invoice", invoice, "customerpayment")  # nothing left to pay


def test_unsupported_transform(world: World) -> None:
    with pytest.raises(NsError) as err:
        world.store.transform("customer", world.customer, "invoice")
    assert err.value.code == "INVALID_PARAMETER"


def test_float_amounts_are_refused(world: World) -> None:
    with pytest.raises(TypeError):
        world.store.create(
            "invoice",
            {
                "entity": {"id": world.customer},
                "item": {"items": [{"item": {"id": world.service}, "amount": 1.5}]},
            },
        )


def test_list_paging_and_caps(store: NetSuiteStore) -> None:
    ids = [store.create("customer", {"companyName": f"C{i}"}) for i in range(5)]
    page, total = store.list("customer", limit=2, offset=2)
    assert (page, total) == (ids[2:4], 5)
    with pytest.raises(NsError) as err:
        store.list("customer", limit=2, offset=3)
    assert err.value.query_param == "offset"
    with pytest.raises(NsError):
        store.list("customer", limit=1001)


def test_list_q_filters(store: NetSuiteStore, clock: Clock) -> None:
    old = store.create("customer", {"companyName": "Old Customer", "email": "x@old.example"})
    clock.moment += timedelta(days=2)  # 3/17 local
    new = store.create("customer", {"companyName": "New Customer"})
    assert store.list("customer", q='companyName CONTAIN "new"')[0] == [new]
    assert store.list("customer", q='lastModifiedDate AFTER "3/16/2026"')[0] == [new]
    assert store.list("customer", q='lastModifiedDate BEFORE "3/16/2026"')[0] == [old]
    assert store.list("customer", q='lastModifiedDate ON "3/15/2026" OR email EMPTY')[0] == [old, new]
    assert store.list("customer", q=f"id ANY_OF [{old}, 999]")[0] == [old]
    assert store.list("customer", q='(companyName START_WITH "old" AND isPerson IS false)')[0] == [old]


def test_q_rejects_wrong_date_format_and_unknown_field(store: NetSuiteStore) -> None:
    with pytest.raises(NsError) as err:
        store.list("customer", q='lastModifiedDate AFTER "2026-03-15T00:00:00Z"')
    assert err.value.code == "INVALID_PARAMETER"
    assert 'failed with date format "M/d/yyyy"' in err.value.detail
    with pytest.raises(NsError) as err:
        store.list("customer", q='nosuchfield IS "x"')
    assert (err.value.code, err.value.query_param) == ("NONEXISTENT_FIELD", "q")


def test_account_date_format_is_configurable(clock: Clock) -> None:
    store = NetSuiteStore(account_id="X", clock=clock, date_format="dd.MM.yyyy", timezone="Europe/Berlin")
    new = store.create("customer", {"companyName": "A"})
    assert store.list("customer", q='lastModifiedDate ON "15.03.2026"')[0] == [new]
    assert (
        store.suiteql("SELECT TO_DATE('2026-03-01', 'YYYY-MM-DD') AS d FROM dual").items[0]["d"]
        == "01.03.2026"
    )


def test_schema_lists_filterable_fields_and_ns_link_refs(store: NetSuiteStore) -> None:
    schema = store.schema("invoice")
    assert "lastModifiedDate" in schema["x-ns-filterable"]
    assert schema["properties"]["lastModifiedDate"]["format"] == "date-time"
    assert schema["properties"]["entity"]["$ref"] == "/services/rest/record/v1/metadata-catalog/nsLink"
    assert schema["properties"]["total"]["readOnly"] is True
    assert "item" in schema["properties"]
    assert {"accountingperiod", "budgetimport", "salesorder", "journalentry"} <= set(store.record_types())


def test_accounting_period_is_read_only(store: NetSuiteStore) -> None:
    with pytest.raises(NsError) as err:
        store.create("accountingperiod", {"periodName": "X"})
    assert err.value.code == "USER_ERROR"


def test_load_fixture_creates_and_upserts_all_or_nothing(store: NetSuiteStore) -> None:
    ids = store.load_fixture({"customer": [{"companyName": "A", "externalId": "F-1"}, {"companyName": "B"}]})
    assert len(ids["customer"]) == 2
    again = store.load_fixture({"customer": [{"companyName": "A2", "externalId": "F-1"}]})
    assert again["customer"] == ids["customer"][:1]
    with pytest.raises(NsError):
        store.load_fixture({"customer": [{"companyName": "C"}, {"isPerson": True}]})
    assert store.list("customer")[1] == 2  # the failed fixture left nothing behind


def test_reset_returns_to_the_empty_seed(world: World) -> None:
    world.store.reset()
    counts = world.store.stats_counts()
    assert "customer" not in counts
    assert counts["account"] == 8


def test_file_backed_store_keeps_state(tmp_path: Path, clock: Clock) -> None:
    path = str(tmp_path / "netsuite.db")
    first = NetSuiteStore(account_id="X", path=path, clock=clock)
    new_id = first.create("customer", {"companyName": "Persisted"})
    reopened = NetSuiteStore(account_id="X", path=path, clock=clock)
    assert reopened.get("customer", new_id)["companyName"] == "Persisted"
    assert int(reopened.create("customer", {"companyName": "Next"})) > int(new_id)
