"""money: exact amounts, periods, and the exact-Decimal JSON codec every body goes through."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerbridge.money import Money, Period, json_dumps, json_loads, to_decimal


def test_amounts_are_exact_and_floats_refused() -> None:
    assert to_decimal("1,234.50") == Decimal("1234.50")
    assert to_decimal(7) == Decimal(7)
    with pytest.raises(TypeError, match="floats"):
        to_decimal(0.1)
    with pytest.raises(ValueError, match="not an amount"):
        to_decimal("12 USD")
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money.of("1", "USD") + Money.of("1", "EUR")


def test_periods_step_and_bound() -> None:
    period = Period.parse("2026-12")
    assert str(period + 1) == "2027-01" and (period - 12).start == date(2025, 12, 1)
    assert period.end == date(2026, 12, 31)
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.parse("2026-13")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12))
def test_json_round_trips_every_amount_exactly(amount: Decimal) -> None:
    body = json_dumps({"amount": amount, "lines": [amount, {"rate": amount}]})
    assert json_loads(body) == {"amount": amount, "lines": [amount, {"rate": amount}]}
    assert b"e" not in body.lower().replace(b"lines", b"").replace(b"rate", b"")


def test_json_refuses_floats_unless_allowed_and_writes_dates() -> None:
    with pytest.raises(TypeError, match="floats"):
        json_dumps({"amount": 0.1})
    assert json_dumps({"latency_ms": 1.5}, allow_float=True) == b'{"latency_ms":1.5}'
    moment = datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    assert json_loads(json_dumps({"on": date(2026, 3, 31), "at": moment})) == {
        "on": "2026-03-31",
        "at": "2026-03-31T23:59:00+00:00",
    }
    assert json_dumps({1: Decimal("0.30")}) == b'{"1":0.30}'
    with pytest.raises(ValueError, match="non-finite"):
        json_dumps(Decimal("Infinity"))
