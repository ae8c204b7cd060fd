"""The sandbox kit's building blocks: exact JSON money, fault draws, the limits, TLS material."""

from __future__ import annotations

import json
import ssl
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509

from ledgerbridge.sandbox._kit.faults import FaultInjector, FaultSettings
from ledgerbridge.sandbox._kit.jsonbody import dumps, loads
from ledgerbridge.sandbox._kit.limits import ConcurrencyGate, RateWindow
from ledgerbridge.sandbox._kit.tls import make_tls_material


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (Decimal("0.1"), "0.1"),
        (Decimal("100.00"), "100.00"),
        (Decimal("-0.30"), "-0.30"),
        (Decimal("1E+3"), "1000"),
        (Decimal("12345678901234567890.123456789"), "12345678901234567890.123456789"),
    ],
)
def test_decimal_is_written_digit_for_digit(value: Decimal, literal: str) -> None:
    encoded = dumps({"amount": value, "lines": [{"rate": value}], "name": "é"})

    assert encoded == f'{{"amount":{literal},"lines":[{{"rate":{literal}}}],"name":"é"}}'.encode()
    assert loads(encoded)["amount"] == value


def test_payloads_without_decimals_take_the_fast_path_and_stay_valid_json() -> None:
    document = {"items": [{"id": "1", "n": 2, "ok": True, "none": None}]}

    assert json.loads(dumps(document)) == document


def test_non_finite_decimals_are_refused() -> None:
    with pytest.raises(ValueError, match="non-finite amount"):
        dumps({"x": Decimal("NaN")})


def test_loads_never_makes_floats() -> None:
    parsed = loads(b'{"a": 0.1, "b": 3, "c": [1.50]}')

    assert parsed == {"a": Decimal("0.1"), "b": 3, "c": [Decimal("1.50")]}


def test_fault_draws_are_reproducible_with_a_seed() -> None:
    injector = FaultInjector(FaultSettings(seed=3))
    first = [injector.roll(0.5) for _ in range(50)]
    injector.configure({"seed": 3})
    second = [injector.roll(0.5) for _ in range(50)]

    assert first == second
    assert True in first and False in first
    assert injector.roll(0.0) is False


def test_fault_configure_merges_and_reset_restores() -> None:
    injector = FaultInjector(FaultSettings(concurrency_limit=5))

    injector.configure({"latency_ms": 10})

    assert (injector.settings.latency_ms, injector.settings.concurrency_limit) == (10, 5)
    assert injector.reset() == FaultSettings(concurrency_limit=5)


def test_concurrency_gate_refuses_at_the_limit() -> None:
    gate = ConcurrencyGate()

    assert [gate.try_enter(2) for _ in range(3)] == [True, True, False]
    gate.leave()
    assert gate.try_enter(2) is True
    assert gate.try_enter(None) is True


def test_rate_window_reports_when_a_slot_frees() -> None:
    now = [1000.0]
    window = RateWindow(clock=lambda: now[0])

    assert [window.try_acquire(2) for _ in range(2)] == [None, None]
    now[0] += 20
    assert window.try_acquire(2) == 40.0
    now[0] += 40
    assert window.try_acquire(2) is None


def test_tls_material_covers_wildcards_and_loopback(tmp_path: Path) -> None:
    material = make_tls_material(
        ["*.suitetalk.api.netsuite.com"], tmp_path / "tls", ca_path=tmp_path / "ca.pem"
    )

    cert = x509.load_pem_x509_certificate(material.server_cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "*.suitetalk.api.netsuite.com" in names.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert oct(material.server_key.stat().st_mode & 0o777) == "0o600"
    context = ssl.create_default_context(cafile=str(material.ca_cert))
    context.load_cert_chain(str(material.server_cert), str(material.server_key))
