"""TBA signing (checked with oauthlib's independent server-side verifier) and OAuth 2.0 client credentials."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pytest
import respx
from joserfc import jwt
from joserfc.jwk import RSAKey
from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth1.rfc5849 import signature as oauthlib_signature

from ledgerbridge.connectors.netsuite import NetSuiteClient
from ledgerbridge.connectors.netsuite.auth import OAuth2Authenticator, TbaAuthenticator
from ledgerbridge.connectors.netsuite.config import OAuth2ClientCredentials
from ledgerbridge.errors import Fatal

from .conftest import ACCOUNT, REST, TBA_SECRETS, oauth2_settings, tba_settings

_PARAM = re.compile(r'(\w+)="([^"]*)"')


def oauth_params(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return {key: unquote(value) for key, value in _PARAM.findall(header)}


def oauthlib_verifies(request: httpx.Request, *, with_query: bool = True) -> bool:
    """oauthlib's own server-side HMAC-SHA256 check of a request we signed."""
    header = request.headers["Authorization"]
    url = str(request.url)
    query = urlsplit(url).query if with_query else ""
    params = oauthlib_signature.collect_parameters(
        uri_query=query, headers={"Authorization": header}, exclude_oauth_signature=True
    )
    checked = OAuthlibRequest(url if with_query else url.split("?", 1)[0], request.method)
    checked.params = params
    checked.signature = oauth_params(header)["oauth_signature"]
    return bool(
        oauthlib_signature.verify_hmac_sha256(
            checked, TBA_SECRETS["consumer_secret"], TBA_SECRETS["token_secret"]
        )
    )


async def test_tba_header_carries_realm_hmac_sha256_and_signed_query(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    route = router.get("/record/v1/customer").respond(200, json={"items": [], "hasMore": False})
    ids = [i async for i in client.list("customer", q='companyName START_WITH "Acme & Co"', page_size=50)]
    assert ids == []
    request = route.calls.last.request
    assert dict(parse_qsl(request.url.query.decode()))["q"] == 'companyName START_WITH "Acme & Co"'
    params = oauth_params(request.headers["Authorization"])
    assert params["realm"] == ACCOUNT
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert params["oauth_consumer_key"] == TBA_SECRETS["consumer_key"]
    assert params["oauth_token"] == TBA_SECRETS["token_id"]
    assert params["oauth_version"] == "1.0"
    assert oauthlib_verifies(request)
    # the query parameters are part of the signature: without them the same signature does not verify
    assert not oauthlib_verifies(request, with_query=False)


async def test_tba_json_body_is_sent_but_not_signed(client: NetSuiteClient, router: respx.MockRouter) -> None:
    route = router.put("/record/v1/customer/eid:C-1").respond(
        204, headers={"Location": f"{REST}/record/v1/customer/42"}
    )
    assert await client.upsert("customer", "C-1", {"companyName": "Acme"}) == "42"
    request = route.calls.last.request
    assert json.loads(request.content) == {"companyName": "Acme"}
    assert "oauth_body_hash" not in request.headers["Authorization"]
    assert oauthlib_verifies(request)


def test_tba_nonce_and_timestamp_change_per_request() -> None:
    signer = TbaAuthenticator(tba_settings().auth, realm=ACCOUNT)  # type: ignore[arg-type]
    first = oauth_params(signer.authorization("GET", f"{REST}/record/v1/customer/1"))
    second = oauth_params(signer.authorization("GET", f"{REST}/record/v1/customer/1"))
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert first["oauth_signature"] != second["oauth_signature"]


def test_tba_signature_uses_the_host_header_port() -> None:
    signer = TbaAuthenticator(tba_settings().auth, realm=ACCOUNT)  # type: ignore[arg-type]
    url = "http://127.0.0.1:8701/services/rest/record/v1/customer?limit=5"
    request = httpx.Request("GET", url, headers={"Authorization": signer.authorization("GET", url)})
    assert oauthlib_verifies(request)


def _token_response(token: str = "at-0123456789", expires_in: Any = "3600") -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "expires_in": expires_in, "token_type": "bearer"})


async def test_oauth2_assertion_claims_kid_and_alg(private_pem: str, router: respx.MockRouter) -> None:
    token_route = router.post("/auth/oauth2/v1/token").mock(return_value=_token_response())
    record_route = router.get("/record/v1/customer/7").respond(200, json={"id": "7"})
    settings = oauth2_settings(private_pem)
    async with NetSuiteClient(settings, transport=httpx.MockTransport(router.async_handler)) as ns:
        assert await ns.get("customer", "7") == {"id": "7"}
        assert await ns.get("customer", "7") == {"id": "7"}
        counts = ns.requests_sent.as_dict()
    assert token_route.call_count == 1  # cached for the second call
    assert counts["auth"] == 1
    assert counts["read"] == 2
    assert record_route.calls.last.request.headers["Authorization"] == "Bearer at-0123456789"

    form = dict(parse_qsl(token_route.calls.last.request.content.decode()))
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public = RSAKey.import_key(RSAKey.import_key(private_pem).as_pem(private=False))
    token = jwt.decode(form["client_assertion"], public, algorithms=["PS256"])
    assert token.header == {"typ": "JWT", "alg": "PS256", "kid": "cert-0123456789"}
    claims = token.claims
    assert claims["iss"] == "client-0123456789"
    assert claims["aud"] == settings.token_url
    assert claims["scope"] == ["rest_webservices"]
    assert 0 < claims["exp"] - claims["iat"] <= 3600


async def test_oauth2_token_is_renewed_before_expiry(private_pem: str) -> None:
    now = [1_000_000.0]
    creds = oauth2_settings(private_pem).auth
    assert isinstance(creds, OAuth2ClientCredentials)
    auth = OAuth2Authenticator(creds, token_url=f"{REST}/auth/oauth2/v1/token", clock=lambda: now[0])
    minted: list[str] = []

    async def send(request: httpx.Request) -> httpx.Response:
        minted.append(request.url.path)
        return _token_response(f"at-{len(minted)}", expires_in=3600)

    assert await auth.token(send) == "at-1"
    now[0] += 3000  # still valid beyond the refresh margin
    assert await auth.token(send) == "at-1"
    now[0] += 500  # within the refresh margin of expiry
    assert await auth.token(send) == "at-2"
    assert len(minted) == 2


async def test_oauth2_revoked_token_is_reminted_once(private_pem: str, router: respx.MockRouter) -> None:
    tokens = iter(["at-old", "at-new"])
    router.post("/auth/oauth2/v1/token").mock(side_effect=lambda request: _token_response(next(tokens)))
    route = router.get("/record/v1/customer/7")
    route.side_effect = [
        httpx.Response(
            401, json={"o:errorDetails": [{"detail": "Invalid login", "o:errorCode": "INVALID_LOGIN"}]}
        ),
        httpx.Response(200, json={"id": "7"}),
    ]
    async with NetSuiteClient(
        oauth2_settings(private_pem), transport=httpx.MockTransport(router.async_handler)
    ) as ns:
        assert await ns.get("customer", "7") == {"id": "7"}
        assert ns.requests_sent["auth"] == 2
    assert route.calls.last.request.headers["Authorization"] == "Bearer at-new"


async def test_oauth2_refused_credentials_are_fatal_without_secrets(
    private_pem: str, router: respx.MockRouter
) -> None:
    router.post("/auth/oauth2/v1/token").respond(
        400, json={"error": "invalid_client", "error_description": "bad assertion"}
    )
    async with NetSuiteClient(
        oauth2_settings(private_pem), transport=httpx.MockTransport(router.async_handler)
    ) as ns:
        with pytest.raises(Fatal) as caught:
            await ns.get("customer", "7")
    text = str(caught.value)
    assert "invalid_client" in text
    assert "check the credentials and the role" in text
    assert "BEGIN PRIVATE KEY" not in text
    assert "client-0123456789" not in text


def test_unreadable_private_key_is_fatal_and_not_echoed() -> None:
    bogus = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
    with pytest.raises(Fatal) as caught:
        NetSuiteClient(oauth2_settings(bogus))
    assert "bm90IGEga2V5" not in str(caught.value)


class CountingTransport(httpx.AsyncBaseTransport):
    """Stands in for the engine's limiter: wraps the real transport and sees every request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)


async def test_every_request_goes_through_the_injected_transport(
    private_pem: str, router: respx.MockRouter
) -> None:
    router.post("/auth/oauth2/v1/token").mock(return_value=_token_response())
    router.get("/record/v1/customer/eid:C-1").respond(404, json={"o:errorDetails": []})
    router.post("/query/v1/suiteql").respond(
        200, json={"items": [{"links": [], "id": "1"}], "hasMore": False}
    )
    wrapper = CountingTransport(httpx.MockTransport(router.async_handler))
    async with NetSuiteClient(oauth2_settings(private_pem), transport=wrapper) as ns:
        assert await ns.find_id_by_external_id("customer", "C-1") is None
        assert [row async for row in ns.suiteql("SELECT id FROM customer")] == [{"id": "1"}]
        counts = ns.requests_sent.as_dict()
    assert wrapper.paths[0].endswith("/auth/oauth2/v1/token")  # the token fetch too
    assert len(wrapper.paths) == counts["total"] == 3
    assert len(router.calls) == 3
