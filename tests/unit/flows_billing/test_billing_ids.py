"""External ids shared by the billing flows: deterministic, NetSuite-safe, and parsed back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerbridge.flows.billing_ids import KINDS, external_id, nue_id_from, sanitise


def test_each_kind_has_its_prefix() -> None:
    assert external_id("cust", "C-1") == "lb-nue-cust-C-1"
    assert external_id("prod", "P_1") == "lb-nue-prod-P_1"
    assert external_id("so", "ORD-7") == "lb-nue-so-ORD-7"
    assert external_id("inv", "INV-000123") == "lb-nue-inv-INV-000123"
    assert external_id("cm", "CM 1") == "lb-nue-cm-CM-1"
    assert external_id("ra", "x/y") == "lb-nue-ra-x-y"


def test_unknown_kind_and_empty_id_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown billing record kind"):
        external_id("order", "1")
    with pytest.raises(ValueError, match="empty"):
        external_id("inv", "  ")


def test_foreign_ids_are_not_ours() -> None:
    assert nue_id_from(None) is None
    assert nue_id_from("INV-1") is None
    assert nue_id_from("lb-nue-xx-1") is None
    assert nue_id_from("lb-nue-inv-") is None


@given(kind=st.sampled_from(KINDS), nue_id=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_round_trip_gives_the_sanitised_id(kind: str, nue_id: str) -> None:
    eid = external_id(kind, nue_id)

    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in eid)
    assert nue_id_from(eid) == (kind, sanitise(nue_id.strip()))
