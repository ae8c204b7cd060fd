"""Each Nue error class, produced by the emulator over real HTTP, reaches the caller as the right
ledgerbridge error — and the API key never shows up in an error or a log line."""

from __future__ import annotations

import logging
import socket
from decimal import Decimal

import pytest
from pydantic import SecretStr

from ledgerbridge.connectors.nue import NueClient, NueSettings, PaymentRequest
from ledgerbridge.errors import ActionNeeded, Fatal, RecordRejected, Retriable
from ledgerbridge.sandbox.nue import billing

from .conftest import API_KEY, Tenant
from .helpers import customer_with_invoices

D = Decimal
EMPTY = {"seed": "empty"}


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_a_wrong_key_is_fatal_and_never_printed(
    tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "nue-wrong-key-0000000000"
    async with NueClient(tenant.settings(api_key=wrong)) as client:
        with pytest.raises(Fatal) as caught:
            await client.get_customer("x")
    error = caught.value
    assert error.vendor_code == "UNAUTHORIZED" and "GET /customers/x" in str(error)
    assert wrong not in str(error) and wrong not in caplog.text and API_KEY not in caplog.text
    assert "nue-api-key" not in repr(tenant.settings())


@pytest.mark.parametrize(
    "emulator_overrides", [{"seed": "empty", "read_only_api_key": SecretStr("read-only-key-777")}]
)
async def test_a_read_only_key_cannot_write(tenant: Tenant) -> None:
    customer, (invoice,) = customer_with_invoices(tenant.store, 10)
    async with NueClient(tenant.settings(api_key="read-only-key-777")) as client:
        assert await client.get_invoice(invoice["id"]) is not None
        with pytest.raises(Fatal) as caught:
            await client.pay_invoices([PaymentRequest(invoice["id"], customer, D("1"), "P")])
    assert caught.value.vendor_code == "FORBIDDEN"


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_throttling_and_server_errors_are_retriable(tenant: Tenant, nue: NueClient) -> None:
    tenant.control("/faults", {"throttle_rate": 1, "seed": 1})
    with pytest.raises(Retriable) as throttled:
        [c async for c in nue.customers()]
    assert throttled.value.retry_after == 1.0 and throttled.value.vendor_code == "TOO_MANY_REQUESTS"
    tenant.control("/faults", {"throttle_rate": 0, "error_rate": 1})
    with pytest.raises(Retriable) as failed:
        await nue.get_customer("x")
    assert failed.value.vendor_code == "INTERNAL_ERROR" and "errorId" in str(failed.value)


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_business_rule_failures_reject_the_record(tenant: Tenant, nue: NueClient) -> None:
    customer, (invoice,) = customer_with_invoices(tenant.store, 10)
    with pytest.raises(RecordRejected) as over:
        await nue.pay_invoices([PaymentRequest(invoice["id"], customer, D("10.01"), "P-over")])
    assert over.value.vendor_code == "AMOUNT_EXCEEDS_BALANCE" and "10.01" in over.value.message
    with pytest.raises(RecordRejected) as missing:
        await nue.pay_invoices([PaymentRequest("no-such-invoice", customer, D("1"), "P-missing")])
    assert missing.value.vendor_code == "INVOICE_NOT_FOUND"


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_a_cancelled_invoice_needs_a_person(tenant: Tenant, nue: NueClient) -> None:
    customer, (invoice,) = customer_with_invoices(tenant.store, 10)
    billing.cancel_invoices(tenant.store, {"invoiceIds": [invoice["id"]]})
    with pytest.raises(ActionNeeded) as caught:
        await nue.pay_invoices([PaymentRequest(invoice["id"], customer, D("1"), "P-late")])
    assert caught.value.vendor_code == "INVALID_STATE" and "Canceled" in caught.value.message


@pytest.mark.parametrize("emulator_overrides", [EMPTY])
async def test_a_dropped_answer_is_retriable_and_the_resend_applies_nothing_twice(
    tenant: Tenant, nue: NueClient
) -> None:
    customer, (invoice,) = customer_with_invoices(tenant.store, 100)
    request = PaymentRequest(invoice["id"], customer, D("40.00"), "NS-PMT-drop")
    tenant.control("/faults", {"drop_response_after_commit_rate": 1, "seed": 2})
    with pytest.raises(Retriable):
        await nue.pay_invoices([request])
    tenant.control("/faults", {"drop_response_after_commit_rate": 0})
    result = await nue.pay_invoices([request])
    assert result.applications[0].duplicate
    assert tenant.store.require("invoices", invoice["id"], "Invoice")["balance"] == D("60.00")


async def test_an_unreachable_tenant_is_retriable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = NueSettings(base_url=f"http://127.0.0.1:{port}", api_key=SecretStr(API_KEY), connect_timeout=2)
    async with NueClient(settings) as client:
        with pytest.raises(Retriable) as caught:
            await client.get_customer("x")
    assert "connection failed" in caught.value.message and client.requests_sent["read"] == 1
