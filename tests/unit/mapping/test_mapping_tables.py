"""Mapping tables: lookups, versions, ActionNeeded naming the key and the mapping; typed views."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ActionNeeded, ConfigError
from ledgerbridge.mapping import (
    STANDARD_ITEM_TYPES,
    GlAccountMapping,
    MappingTable,
    MappingTables,
    RecordTypeMapping,
    combined_version,
)


def _config(kind: str, rows: list[dict[str, Any]], **extra: Any) -> MappingConfig:
    return MappingConfig.model_validate({"kind": kind, "rows": rows, **extra})


def _table(kind: str, rows: list[dict[str, Any]], key: str, name: str = "m") -> MappingTable:
    return MappingTable.from_config(name, _config(kind, rows), key_column=key)


def test_lookup_is_case_insensitive_and_missing_key_names_the_mapping() -> None:
    table = _table("custom", [{"k": "Subscription", "v": "x"}, {"k": "Asset", "v": ""}], "k", name="types")

    assert table.value("subscription", "v") == "x"
    assert table.value("Asset", "v") is None  # an empty cell counts as missing
    with pytest.raises(ActionNeeded) as caught:
        table.require("Entitlement", "v", what="record type")
    assert "'Entitlement'" in str(caught.value) and "mapping 'types'" in str(caught.value)
    assert caught.value.hint is not None and "mappings.types" in caught.value.hint


def test_version_is_the_fingerprint_and_changes_with_content() -> None:
    a = _table("custom", [{"k": "a", "v": "1"}], "k")
    b = _table("custom", [{"k": "a", "v": "2"}], "k")

    assert a.version == _config("custom", [{"k": "a", "v": "1"}]).fingerprint
    assert a.version != b.version
    assert combined_version([a.version, None]) == a.version
    assert combined_version([None]) is None
    assert combined_version([a.version, b.version]) == combined_version([b.version, a.version]) != a.version


def test_tables_find_the_only_mapping_of_a_kind_or_the_named_one() -> None:
    tables = MappingTables(
        {
            "types": _config("item_types", [{"product_type": "Asset", "record_type": "inventoryitem"}]),
            "gl": _config("gl_accounts", [{"name": "clearing", "account": "3"}]),
        }
    )

    found = tables.table("item_types", key_column="product_type")
    assert found is not None and found.name == "types"
    assert tables.table("accounts", key_column="x") is None
    with pytest.raises(ConfigError, match="not defined"):
        tables.table("item_types", key_column="product_type", name="nope")
    with pytest.raises(ConfigError, match="kind gl_accounts"):
        tables.table("item_types", key_column="product_type", name="gl")


def test_two_mappings_of_one_kind_need_a_name() -> None:
    row = [{"product_type": "Asset", "record_type": "inventoryitem"}]
    tables = MappingTables({"a": _config("item_types", row), "b": _config("item_types", row)})

    with pytest.raises(ConfigError, match="several mappings"):
        tables.table("item_types", key_column="product_type")
    assert tables.table("item_types", key_column="product_type", name="b") is not None


def test_standard_record_types_apply_without_a_mapping() -> None:
    standard = RecordTypeMapping(None)

    assert {t: standard.record_type(t) for t in STANDARD_ITEM_TYPES} == {
        "Subscription": "noninventorysaleitem",
        "Entitlement": "servicesaleitem",
        "Asset": "inventoryitem",
    }
    with pytest.raises(ActionNeeded, match="'Bundle'"):
        standard.record_type("Bundle")


def test_record_type_mapping_uses_its_rows_then_the_default_row() -> None:
    rows = [{"product_type": "Subscription", "record_type": "ServiceSaleItem"}]
    without_default = RecordTypeMapping(_table("item_types", rows, "product_type", name="types"))
    with_default = RecordTypeMapping(
        _table(
            "item_types", [*rows, {"product_type": "*", "record_type": "otherchargesaleitem"}], "product_type"
        )
    )

    assert without_default.record_type("Subscription") == "servicesaleitem"
    with pytest.raises(ActionNeeded) as caught:
        without_default.record_type("Asset")
    assert "'Asset'" in str(caught.value) and "'types'" in str(caught.value)
    assert with_default.record_type("Asset") == "otherchargesaleitem"


def test_a_mapped_value_that_is_not_an_item_record_type_is_action_needed() -> None:
    table = _table("item_types", [{"product_type": "Asset", "record_type": "invoice"}], "product_type")

    with pytest.raises(ActionNeeded, match="not an item record type"):
        RecordTypeMapping(table).record_type("Asset")


def test_gl_accounts_per_product_type_and_clearing() -> None:
    rows = [
        {"name": "subscription_income", "account": "40"},
        {"name": "subscription_deferred_revenue", "account": "25"},
        {"name": "clearing", "account": "3"},
    ]
    gl = GlAccountMapping(_table("gl_accounts", rows, "name", name="gl"))

    assert gl.income_account("Subscription") == "40"
    assert gl.deferred_revenue_account("Subscription") == "25"
    assert gl.deferred_revenue_account("Entitlement") is None  # optional
    assert gl.clearing_account() == "3"
    with pytest.raises(ActionNeeded, match="entitlement_income"):
        gl.income_account("Entitlement")
    unset = GlAccountMapping(None)
    assert (unset.income_account("Asset"), unset.clearing_account(), unset.version) == (None, None, None)
