"""Bad inputs over real HTTP: the emulator answers in NetSuite's error shape, the connector maps each one.

Where the connector refuses an input before sending it (illegal external ids, paging arguments), the raw
request is also sent — signed like the connector signs — to show what the server itself answers.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from ledgerbridge.connectors.netsuite import NetSuiteClient, parse_error
from ledgerbridge.connectors.netsuite.auth import TbaAuthenticator
from ledgerbridge.connectors.netsuite.config import TbaCredentials
from ledgerbridge.errors import ActionNeeded, Fatal, LedgerbridgeError, RecordRejected

from .conftest import Emulator


async def raw(
    emulator: Emulator,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """A request signed with the emulator's TBA credentials, body sent exactly as given."""
    settings = emulator.tba()
    assert isinstance(settings.auth, TbaCredentials)
    signer = TbaAuthenticator(settings.auth, realm=settings.realm)
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        request = http.build_request(
            method, path, params=params, content=content, headers={"Content-Type": "application/json"}
        )
        request.headers["Authorization"] = signer.authorization(method, str(request.url))
        return await http.send(request)


def netsuite_error(response: httpx.Response, status: int) -> LedgerbridgeError:
    """Assert NetSuite's error document, then classify it as the connector does."""
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "o:errorDetails"} <= body.keys()
    detail = body["o:errorDetails"][0]
    assert detail["detail"] and detail["o:errorCode"]
    return parse_error(response)


async def test_missing_mandatory_field(client: NetSuiteClient) -> None:
    with pytest.raises(RecordRejected) as caught:
        await client.create("invoice", {"memo": "no customer"})
    assert caught.value.vendor_code == "USER_ERROR"
    assert "Please enter value(s)" in caught.value.message


async def test_bad_reference(client: NetSuiteClient) -> None:
    with pytest.raises(RecordRejected) as caught:
        await client.upsert("customer", "BADREF-1", {"companyName": "x", "subsidiary": {"id": "999999"}})
    assert caught.value.vendor_code == "INVALID_KEY_OR_REF"


async def test_illegal_external_id(client: NetSuiteClient, emulator: Emulator) -> None:
    with pytest.raises(RecordRejected, match="letters, digits"):
        await client.upsert("customer", "has space|pipe", {"companyName": "x"})
    assert client.requests_sent.total == 0
    response = await raw(
        emulator,
        "PUT",
        "/services/rest/record/v1/customer/eid:has%20space%7Cpipe",
        content=json.dumps({"companyName": "x"}).encode(),
    )
    assert isinstance(netsuite_error(response, 400), RecordRejected)


async def test_unknown_suiteql_column(client: NetSuiteClient) -> None:
    with pytest.raises(RecordRejected) as caught:
        await client.suiteql_page("SELECT id, nosuchcolumn FROM customer")
    assert "Unknown identifier" in caught.value.message
    assert caught.value.vendor_code == "INVALID_PARAMETER"


@pytest.mark.parametrize(("limit", "offset"), [(10, 15), (1001, 0)])
async def test_bad_suiteql_paging(
    client: NetSuiteClient, emulator: Emulator, limit: int, offset: int
) -> None:
    with pytest.raises(ValueError):
        await client.suiteql_page("SELECT id FROM customer", limit=limit, offset=offset)
    response = await raw(
        emulator,
        "POST",
        "/services/rest/query/v1/suiteql",
        params={"limit": limit, "offset": offset},
        content=json.dumps({"q": "SELECT id FROM customer"}).encode(),
    )
    assert isinstance(netsuite_error(response, 400), RecordRejected)


async def test_malformed_json(emulator: Emulator) -> None:
    response = await raw(
        emulator, "POST", "/services/rest/record/v1/customer", content=b'{"companyName": "x",'
    )
    assert isinstance(netsuite_error(response, 400), RecordRejected)


async def test_bad_signature_is_fatal_and_says_what_to_check(emulator: Emulator) -> None:
    async with NetSuiteClient(emulator.tba(credentials={"token_secret": "0" * 64})) as ns:
        with pytest.raises(Fatal) as caught:
            await ns.get("customer", "1")
    error = caught.value
    assert error.vendor_code == "INVALID_LOGIN"
    text = str(error)
    assert "check the credentials and the role" in text
    assert emulator.settings.token_secret.get_secret_value() not in text
    assert emulator.settings.consumer_secret.get_secret_value() not in text
    assert "0" * 64 not in text


async def test_locked_record_needs_action(client: NetSuiteClient, emulator: Emulator) -> None:
    record_id = await client.upsert("customer", "LOCK-1", {"companyName": "Locked Co"})
    await emulator.control(f"/_sandbox/netsuite/records/customer/{record_id}/lock")
    with pytest.raises(ActionNeeded, match="locked"):
        await client.upsert("customer", "LOCK-1", {"companyName": "Changed"})


async def test_closed_period_needs_action(client: NetSuiteClient, emulator: Emulator) -> None:
    accounts = [row["id"] async for row in client.suiteql("SELECT id FROM account ORDER BY id ASC")]
    subsidiary = (await client.suiteql_page("SELECT id FROM subsidiary ORDER BY id ASC", limit=1)).items[0][
        "id"
    ]
    day = date(date.today().year - 1, 1, 15)
    period = emulator.store.period_for(day)
    await emulator.control(f"/_sandbox/netsuite/periods/{period}/close")
    body = {
        "subsidiary": {"id": subsidiary},
        "tranDate": day.isoformat(),
        "line": {
            "items": [
                {"account": {"id": accounts[0]}, "debit": 100},
                {"account": {"id": accounts[1]}, "credit": 100},
            ]
        },
    }
    with pytest.raises(ActionNeeded, match="closed period"):
        await client.create("journalentry", body)
