"""TBA (OAuth 1.0a HMAC-SHA256) verification, strict and lenient, and OAuth 2.0 client credentials."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from authlib.oauth1.rfc5849 import client_auth
from authlib.oauth1.rfc5849.client_auth import ClientAuth
from joserfc import jwk, jwt

from ledgerbridge.sandbox.netsuite.app import create_app
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings
from tests.support.servers import serve

from .support import ns_error, tba_auth

REST = "/services/rest"
TOKEN = "/services/rest/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _signed_headers(settings: EmulatorSettings, method: str, url: str, **overrides: Any) -> dict[str, str]:
    """The Authorization header a client computes for ``url`` (to replay or tamper with)."""
    values: dict[str, Any] = {
        "client_id": settings.consumer_key,
        "client_secret": settings.consumer_secret.get_secret_value(),
        "token": settings.token_id,
        "token_secret": settings.token_secret.get_secret_value(),
        "realm": settings.account_id,
        "signature_method": "HMAC-SHA256",
    }
    values.update(overrides)
    _, headers, _ = ClientAuth(**values).prepare(method, url, {}, b"")
    return dict(headers)


def test_signed_request_with_query_parameters_is_accepted(client: httpx.Client) -> None:
    response = client.get("/record/v1/customer", params={"limit": 5, "q": 'companyName START_WITH "A"'})

    assert response.status_code == 200, response.text


def test_changing_a_signed_query_parameter_is_refused(base_url: str, ns_settings: EmulatorSettings) -> None:
    signed_for = f"{base_url}{REST}/record/v1/customer?limit=5"
    headers = _signed_headers(ns_settings, "GET", signed_for)

    assert httpx.get(signed_for, headers=headers).status_code == 200
    tampered = _signed_headers(ns_settings, "GET", signed_for)
    ns_error(
        httpx.get(f"{base_url}{REST}/record/v1/customer?limit=6", headers=tampered), 401, "INVALID_LOGIN"
    )


def test_replayed_nonce_is_refused(base_url: str, ns_settings: EmulatorSettings) -> None:
    url = f"{base_url}{REST}/record/v1/customer"
    headers = _signed_headers(ns_settings, "GET", url)

    assert httpx.get(url, headers=headers).status_code == 200
    ns_error(httpx.get(url, headers=headers), 401, "INVALID_LOGIN")


def test_realm_must_be_the_account_id_as_netsuite_spells_it(
    base_url: str, ns_settings: EmulatorSettings
) -> None:
    url = f"{base_url}{REST}/record/v1/customer"

    ns_error(
        httpx.get(url, headers=_signed_headers(ns_settings, "GET", url, realm="1234567_sb1")),
        401,
        "INVALID_LOGIN",
    )


@pytest.mark.parametrize("skew", [-3600, 3600])
def test_timestamp_outside_the_window_is_refused(
    base_url: str, ns_settings: EmulatorSettings, monkeypatch: pytest.MonkeyPatch, skew: int
) -> None:
    monkeypatch.setattr(client_auth, "generate_timestamp", lambda: str(int(time.time()) + skew))
    url = f"{base_url}{REST}/record/v1/customer"

    ns_error(httpx.get(url, headers=_signed_headers(ns_settings, "GET", url)), 401, "INVALID_LOGIN")


@pytest.mark.parametrize(
    "overrides",
    [{"client_id": "unknown-consumer"}, {"token": "unknown-token"}, {"signature_method": "HMAC-SHA1"}],
)
def test_wrong_credentials_or_sha1_are_refused(
    base_url: str, ns_settings: EmulatorSettings, overrides: dict[str, str]
) -> None:
    url = f"{base_url}{REST}/record/v1/customer"

    ns_error(
        httpx.get(url, headers=_signed_headers(ns_settings, "GET", url, **overrides)), 401, "INVALID_LOGIN"
    )


def test_no_credentials_is_invalid_login_with_bearer_challenge(base_url: str) -> None:
    response = httpx.get(f"{base_url}{REST}/record/v1/customer")

    ns_error(response, 401, "INVALID_LOGIN")
    assert response.headers["www-authenticate"].startswith('Bearer realm="1234567_SB1"')


def test_lenient_mode_skips_the_signature_but_not_the_keys() -> None:
    settings = EmulatorSettings(seed="empty", strict_signatures=False)
    with serve(create_app(settings)) as url:
        sloppy = tba_auth(settings, token_secret="wrong-secret")
        assert httpx.get(f"{url}{REST}/record/v1/customer", auth=sloppy).status_code == 200
        stranger = tba_auth(settings, client_id="someone-else")
        ns_error(httpx.get(f"{url}{REST}/record/v1/customer", auth=stranger), 401, "INVALID_LOGIN")


# --- OAuth 2.0 client credentials -------------------------------------------------------------------------


def _assertion(settings: EmulatorSettings, aud: str, **changes: Any) -> str:
    assert settings.private_key_pem is not None
    now = int(time.time())
    header = {
        "typ": "JWT",
        "alg": changes.pop("alg", "PS256"),
        "kid": changes.pop("kid", settings.certificate_id),
    }
    iat = now + changes.pop("iat_offset", 0)
    claims = {
        "iss": settings.client_id,
        "scope": ["rest_webservices"],
        "aud": aud,
        "iat": iat,
        "exp": iat + changes.pop("lifetime", 3600),
    }
    claims.update(changes)
    key = jwk.import_key(settings.private_key_pem.get_secret_value(), "RSA")
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def _token_request(base_url: str, assertion: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}{TOKEN}",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion,
        },
    )


def test_client_credentials_round_trip(base_url: str, ns_settings: EmulatorSettings) -> None:
    response = _token_request(base_url, _assertion(ns_settings, f"{base_url}{TOKEN}"))

    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == "3600"
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{base_url}{REST}/record/v1/customer", headers=bearer).status_code == 200
    assert httpx.get(f"{base_url}/rest/tokeninfo", headers=bearer).json()["companyId"] == "1234567_SB1"


def test_the_vendor_token_url_is_an_accepted_audience(base_url: str, ns_settings: EmulatorSettings) -> None:
    aud = f"https://1234567-sb1.suitetalk.api.netsuite.com{TOKEN}"

    assert _token_request(base_url, _assertion(ns_settings, aud)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"kid": "some-other-certificate"}, "invalid_grant"),
        ({"iss": "another-client"}, "invalid_grant"),
        ({"aud": "https://example.test/token"}, "invalid_grant"),
        ({"lifetime": 7200}, "invalid_grant"),
        ({"iat_offset": -900, "lifetime": 300}, "invalid_grant"),
        ({"iat_offset": 3000}, "invalid_grant"),
        ({"scope": ["nothing"]}, "invalid_scope"),
    ],
)
def test_bad_assertions_are_refused(
    base_url: str, ns_settings: EmulatorSettings, changes: dict[str, Any], error: str
) -> None:
    changes.setdefault("aud", f"{base_url}{TOKEN}")
    response = _token_request(base_url, _assertion(ns_settings, **changes))

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_rs256_is_not_an_oracle_algorithm(base_url: str, ns_settings: EmulatorSettings) -> None:
    response = _token_request(base_url, _assertion(ns_settings, f"{base_url}{TOKEN}", alg="RS256"))

    assert response.json()["error"] == "invalid_grant"


def test_wrong_grant_type(base_url: str) -> None:
    response = httpx.post(f"{base_url}{TOKEN}", data={"grant_type": "password"})

    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")


def test_unknown_bearer_token_is_invalid_login_with_challenge(base_url: str) -> None:
    response = httpx.get(f"{base_url}{REST}/record/v1/customer", headers={"Authorization": "Bearer forged"})

    ns_error(response, 401, "INVALID_LOGIN")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
