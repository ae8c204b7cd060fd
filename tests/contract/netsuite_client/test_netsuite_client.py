"""The real `netsuite` PyPI client (0.12.0), unchanged, against the emulator with STRICT TBA signatures.

The client builds ``https://<account-slug>.suitetalk.api.netsuite.com/services/rest<subpath>`` itself; every
call also takes ``url=`` (its documented per-call override), which is how these tests point it at the
emulator — first over plain HTTP on loopback, then in TLS mode at the vendor's own host name (resolved to
127.0.0.1, CA trusted through ``SSL_CERT_FILE``), so the signature covers the exact URL the client built.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import netsuite
import pytest
from netsuite.exceptions import NetsuiteAPIRequestError

from ledgerbridge.sandbox.netsuite.app import create_app
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings
from ledgerbridge.sandbox.world import start_sandbox
from tests.integration.sandbox_netsuite_http.support import resolve_to_loopback
from tests.support.servers import serve

ACCOUNT = "1234567_SB1"


def _rest_api(info: dict[str, Any]) -> Any:
    config = netsuite.Config(
        account=ACCOUNT,
        auth=netsuite.TokenAuth(
            consumer_key=info["consumer_key"],
            consumer_secret=info["consumer_secret"],
            token_id=info["token_id"],
            token_secret=info["token_secret"],
        ),
    )
    return netsuite.NetSuite(config).rest_api


@pytest.fixture
def emulator() -> Iterator[tuple[str, dict[str, str]]]:
    settings = EmulatorSettings.generate(seed="empty", strict_signatures=True)
    info = {
        "consumer_key": settings.consumer_key,
        "consumer_secret": settings.consumer_secret.get_secret_value(),
        "token_id": settings.token_id,
        "token_secret": settings.token_secret.get_secret_value(),
    }
    with serve(create_app(settings)) as base_url:
        yield base_url, info


async def test_create_get_upsert_list_and_suiteql(emulator: tuple[str, dict[str, str]]) -> None:
    base_url, info = emulator
    api = _rest_api(info)

    def at(subpath: str) -> str:
        return f"{base_url}/services/rest{subpath}"

    # create: the raw response is the only way this client exposes Location (its PR #81)
    created = await api.request(
        "POST",
        "/record/v1/customer",
        url=at("/record/v1/customer"),
        json={"companyName": "Contract Co", "subsidiary": {"id": "1"}},
    )
    assert created.status_code == 204
    new_id = created.headers["Location"].rsplit("/", 1)[1]

    record = await api.get(f"/record/v1/customer/{new_id}", url=at(f"/record/v1/customer/{new_id}"))
    assert record["companyName"] == "Contract Co"

    # upsert by external id: PUT answers 204, which this client returns as None
    subpath = "/record/v1/customer/eid:CONTRACT-1"
    assert (
        await api.put(subpath, url=at(subpath), json={"companyName": "Upserted", "subsidiary": {"id": "1"}})
        is None
    )
    assert (
        await api.put(subpath, url=at(subpath), json={"companyName": "Upserted 2", "subsidiary": {"id": "1"}})
        is None
    )
    assert (await api.get(subpath, url=at(subpath)))["companyName"] == "Upserted 2"

    # list with signed query parameters (limit, q)
    listing = await api.get(
        "/record/v1/customer",
        url=at("/record/v1/customer"),
        params={"limit": 1, "q": 'companyName START_WITH "Upserted"'},
    )
    assert (listing["totalResults"], listing["count"]) == (1, 1)

    page = await api.suiteql(
        "SELECT id, companyname FROM customer ORDER BY id ASC",
        limit=10,
        offset=0,
        url=at("/query/v1/suiteql"),
    )
    assert [item["companyname"] for item in page["items"]] == ["Contract Co", "Upserted 2"]
    assert all(item["links"] == [] for item in page["items"])

    schema = await api.jsonschema("customer", url=at("/record/v1/metadata-catalog/customer"))
    assert "x-ns-filterable" in schema
    openapi = await api.openapi(["customer"], url=at("/record/v1/metadata-catalog"))
    assert "/customer" in openapi["paths"]


async def test_errors_reach_the_client_as_netsuite_bodies(emulator: tuple[str, dict[str, str]]) -> None:
    base_url, info = emulator
    api = _rest_api(info)
    url = f"{base_url}/services/rest/record/v1/customer"

    with pytest.raises(NetsuiteAPIRequestError) as refused:
        await api.post("/record/v1/customer", url=url, json={"companyName": "x", "subsidiary": {"id": "999"}})
    assert refused.value.status_code == 400
    assert "INVALID_KEY_OR_REF" in refused.value.response_text

    impostor = _rest_api({**info, "token_secret": "wrong"})
    with pytest.raises(NetsuiteAPIRequestError) as unauthorised:
        await impostor.get("/record/v1/customer", url=url)
    assert unauthorised.value.status_code == 401
    assert "INVALID_LOGIN" in unauthorised.value.response_text


async def test_tls_mode_at_the_hostname_the_client_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve_to_loopback(monkeypatch, ".suitetalk.api.netsuite.com")
    with start_sandbox(
        seed="empty", tls=True, port_base=None, workdir=tmp_path, write_files=False
    ) as running:
        info = running.info["netsuite"]
        monkeypatch.setenv("SSL_CERT_FILE", running.info["ca_cert"])
        api = _rest_api(info)
        # the client's own host, plus the sandbox port
        assert api.hostname == "1234567-sb1.suitetalk.api.netsuite.com"
        root = info["vendor_base_url"]
        assert root.startswith(f"https://{api.hostname}:")

        created = await api.request(
            "POST",
            "/record/v1/customer",
            url=f"{root}/services/rest/record/v1/customer",
            json={"companyName": "TLS Co", "subsidiary": {"id": "1"}},
        )
        location = created.headers["Location"]
        record = await api.get("/record/v1/customer", url=location)

    assert created.status_code == 204
    assert location.startswith(f"{root}/services/rest/record/v1/customer/")
    assert record["companyName"] == "TLS Co"
