"""Host and realm derivation, base_url override, settings validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ledgerbridge.connectors.netsuite import NetSuiteSettings, account_realm, account_slug

from .conftest import TBA_SECRETS, tba_settings


@pytest.mark.parametrize(
    ("account", "host", "realm"),
    [
        ("1234567_SB1", "1234567-sb1.suitetalk.api.netsuite.com", "1234567_SB1"),
        ("1234567-sb1", "1234567-sb1.suitetalk.api.netsuite.com", "1234567_SB1"),
        ("1234567", "1234567.suitetalk.api.netsuite.com", "1234567"),
        ("TSTDRV123_RP", "tstdrv123-rp.suitetalk.api.netsuite.com", "TSTDRV123_RP"),
    ],
)
def test_host_and_realm_from_account_id(account: str, host: str, realm: str) -> None:
    settings = tba_settings(account_id=account)
    assert settings.host == host
    assert settings.realm == realm
    assert settings.rest_root == f"https://{host}/services/rest"
    assert settings.token_url == f"https://{host}/services/rest/auth/oauth2/v1/token"


def test_other_hosts_follow_the_same_slug() -> None:
    assert account_slug("1234567_SB1") == "1234567-sb1"
    assert account_realm("1234567-sb1") == "1234567_SB1"
    settings = tba_settings()
    assert settings.restlets_host == "1234567-sb1.restlets.api.netsuite.com"
    assert settings.app_host == "1234567-sb1.app.netsuite.com"


def test_base_url_override_keeps_the_realm() -> None:
    settings = tba_settings(base_url="http://127.0.0.1:8701/")
    assert settings.origin == "http://127.0.0.1:8701"
    assert settings.rest_root == "http://127.0.0.1:8701/services/rest"
    assert settings.realm == "1234567_SB1"
    assert settings.token_url == "http://127.0.0.1:8701/services/rest/auth/oauth2/v1/token"


@pytest.mark.parametrize("account", ["", "12 34", "1234567_SB1_X", "../etc", "acct.example"])
def test_bad_account_ids_are_refused(account: str) -> None:
    with pytest.raises(ValidationError, match="account id"):
        tba_settings(account_id=account)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("batch_size", 101),
        ("page_size", 1001),
        ("governance_headroom", 0.95),
        ("base_url", "ftp://example.com"),
        ("timezone", "Mars/Olympus"),
    ],
)
def test_out_of_range_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        tba_settings(**{field: value})


def test_credentials_are_secret_in_repr() -> None:
    settings = NetSuiteSettings.model_validate({"account_id": "1", "auth": {"type": "tba", **TBA_SECRETS}})
    text = repr(settings) + str(settings.model_dump())
    for secret in TBA_SECRETS.values():
        assert secret not in text


def test_timeouts_come_from_settings() -> None:
    timeout = tba_settings(connect_timeout=3, read_timeout=45).timeout()
    assert timeout.connect == 3
    assert timeout.read == 45
