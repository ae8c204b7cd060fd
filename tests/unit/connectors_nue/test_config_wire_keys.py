"""Connection settings, exact JSON on the wire, and deterministic idempotency keys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from ledgerbridge.connectors.nue import (
    CreditMemoLine,
    CreditMemoRequest,
    CreditRequest,
    NueSettings,
    PaymentRequest,
    idempotency_key,
)
from ledgerbridge.money import json_dumps as dumps
from ledgerbridge.money import json_loads as loads


def test_settings_defaults_and_paths() -> None:
    settings = NueSettings(api_key="k" * 12)  # type: ignore[arg-type]
    assert settings.root == "https://api.nue.io"
    assert settings.action_path("invoices", "pay") == "/billing/invoices:pay"
    dashed = NueSettings(
        api_key="k" * 12, base_url="http://127.0.0.1:8702/", api_prefix="/v1/", action_separator="-"
    )  # type: ignore[arg-type]
    assert dashed.root == "http://127.0.0.1:8702/v1"
    assert dashed.action_path("credit-memos", "apply") == "/billing/credit-memos-apply"
    assert "kkkk" not in repr(settings)


@pytest.mark.parametrize(
    "overrides",
    [
        {"base_url": "ftp://x"},
        {"base_url": "nohost"},
        {"api_prefix": "v1"},
        {"page_size": 501},
        {"page_size": 0},
    ],
)
def test_invalid_settings_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        NueSettings(api_key="k" * 12, **overrides)  # type: ignore[arg-type]


def test_wire_keeps_money_exact_and_refuses_floats() -> None:
    body = {
        "amount": Decimal("0.10") + Decimal("0.20"),
        "big": Decimal("1E+3"),
        "n": 2,
        "on": date(2025, 1, 2),
    }
    assert dumps(body) == b'{"amount":0.30,"big":1000,"n":2,"on":"2025-01-02"}'
    assert loads(b'{"amount": 0.30, "n": 2}') == {"amount": Decimal("0.30"), "n": 2}
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert dumps([moment, None, True]) == b'["2025-01-02T03:04:05+00:00",null,true]'
    with pytest.raises(TypeError, match="floats"):
        dumps({"amount": 0.1})
    with pytest.raises(ValueError):
        dumps(Decimal("NaN"))


def test_idempotency_keys_are_deterministic_and_safe() -> None:
    assert idempotency_key("pay", "NS-PMT-7", "inv-1") == "lb-pay-NS-PMT-7-inv-1"
    assert idempotency_key("pay", "7", "inv-1", None, 2) == "lb-pay-7-inv-1-2"
    assert idempotency_key("pay", "a b/c", "x") == "lb-pay-a_b_c-x"
    long_key = idempotency_key("pay", "x" * 300, "inv")
    assert len(long_key) == 120 and long_key == idempotency_key("pay", "x" * 300, "inv")
    assert long_key != idempotency_key("pay", "x" * 300, "inv2")
    with pytest.raises(ValueError):
        idempotency_key("pay", "")


def test_requests_carry_their_keys() -> None:
    payment = PaymentRequest("inv-1", "cust-1", Decimal("100.00"), "NS-PMT-7", payment_date=date(2025, 1, 3))
    body = payment.body()
    assert body["idempotencyKey"] == payment.key == "lb-pay-NS-PMT-7-inv-1"
    assert body["paymentReference"] == "NS-PMT-7" and body["paymentDate"] == "2025-01-03"
    credit = CreditRequest("inv-1", "cm-1", Decimal("5"), "NS-CM-3")
    assert credit.body()["idempotencyKey"] == "lb-credit-NS-CM-3-cm-1-inv-1"
    assert credit.key("uncredit") != credit.key()
    memo = CreditMemoRequest("cust-1", "NS-CM-3", (CreditMemoLine(Decimal("250.00"), "Refund"),))
    assert memo.body() == {
        "customerId": "cust-1",
        "items": [{"amount": Decimal("250.00"), "description": "Refund"}],
        "activate": True,
        "idempotencyKey": "lb-cm-NS-CM-3",
    }
    with pytest.raises(ValueError):
        PaymentRequest("inv-1", "cust-1", Decimal("0"), "x")
    with pytest.raises(ValueError):
        CreditMemoRequest("cust-1", "x", ())
