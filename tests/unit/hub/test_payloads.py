"""Canonical JSON: one spelling per value, Decimals as strings, hashes stable across key order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledgerbridge.hub.payloads import canonical_json, load_object, payload_hash
from ledgerbridge.hub.states import State


def test_keys_sorted_tight_and_decimals_exact() -> None:
    text = canonical_json({"b": Decimal("1234.50"), "a": [1, "x"], "c": {"z": None, "y": True}})
    assert text == '{"a":[1,"x"],"b":"1234.50","c":{"y":true,"z":null}}'
    assert load_object(text)["b"] == "1234.50"


def test_equal_payloads_hash_equal_whatever_the_key_order() -> None:
    one = canonical_json({"amount": Decimal("10.00"), "currency": "EUR", "lines": [{"q": 1, "p": "2"}]})
    two = canonical_json({"lines": [{"p": "2", "q": 1}], "currency": "EUR", "amount": Decimal("10.00")})
    assert payload_hash(one) == payload_hash(two)
    assert len(payload_hash(one)) == 64
    assert payload_hash(one) != payload_hash(canonical_json({"amount": Decimal("10.01")}))


def test_dates_enums_tuples_and_unicode() -> None:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    text = canonical_json(
        {"d": date(2026, 3, 31), "t": moment, "s": State.PENDING, "l": ("a", "b"), "n": "Zürich"}
    )
    assert (
        text == '{"d":"2026-03-31","l":["a","b"],"n":"Zürich","s":"pending","t":"2026-03-01T09:30:00+00:00"}'
    )


@pytest.mark.parametrize("bad", [object(), float("nan"), b"bytes"])
def test_values_json_cannot_hold_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        canonical_json({"x": bad})


def test_load_object_refuses_non_objects() -> None:
    assert load_object(None) == {}
    with pytest.raises(ValueError):
        load_object("[1, 2]")
