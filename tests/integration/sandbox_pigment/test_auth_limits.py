"""Bearer keys with types and expiry, application visibility, both rate limits, and the kit's faults."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from ledgerbridge.sandbox.pigment.settings import ApiKeySpec

from .conftest import TODAY
from .support import Pigment, bearer

IMPORT_SECRET = "import-key-for-tests"
EXPIRED_SECRET = "expired-key-for-tests"
TOMORROW_SECRET = "valid-until-today-key"
OTHER_TEAM_SECRET = "other-team-export-key"
HEADER = "Month;Entity Code;Account Code;Department Code;Amount\n"
GL = "gl-actuals-to-planning · Actuals"


def _keys(**extra: Any) -> dict[str, Any]:
    # Expiry is checked against the real clock (UTC), so it is relative to the day the test runs.
    today = datetime.now(UTC).date()
    keys = (
        ApiKeySpec(name="import", type="Import", secret=SecretStr(IMPORT_SECRET)),
        ApiKeySpec(name="export", type="Export"),
        ApiKeySpec(name="metadata", type="ModelingMetadata"),
        ApiKeySpec(name="expired", type="Export", secret=SecretStr(EXPIRED_SECRET), expires_on=today),
        ApiKeySpec(
            name="last day",
            type="Export",
            secret=SecretStr(TOMORROW_SECRET),
            expires_on=today + timedelta(days=1),
        ),
        ApiKeySpec(
            name="other team", type="Export", secret=SecretStr(OTHER_TEAM_SECRET), applications=("Nobody",)
        ),
    )
    return {"keys": keys, **extra}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return _keys()


def _get(pigment: Pigment, path: str, **headers: str) -> httpx.Response:
    return httpx.get(pigment.base_url + path, headers=headers, timeout=30)


def _export_metric(pigment: Pigment, secret: str) -> httpx.Response:
    metric = pigment.block_id("Actuals")
    return httpx.post(
        f"{pigment.base_url}/api/v1/export/metric/{metric}", headers=bearer(secret), json={}, timeout=30
    )


def test_missing_unknown_and_expired_keys_get_401(pigment: Pigment) -> None:
    missing = _get(pigment, "/api/v1/applications")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert _get(pigment, "/api/v1/applications", Authorization="Bearer nope").status_code == 401
    assert _get(pigment, "/api/v1/applications", Authorization="Token x").status_code == 401

    expired = _export_metric(pigment, EXPIRED_SECRET)
    assert expired.status_code == 401
    assert "expired" in expired.text and EXPIRED_SECRET not in expired.text
    # A key that expires tomorrow is still valid today (the expiry day itself is excluded).
    assert _export_metric(pigment, TOMORROW_SECRET).status_code == 200


def test_each_endpoint_family_takes_its_key_type(pigment: Pigment) -> None:
    assert _export_metric(pigment, IMPORT_SECRET).status_code == 401
    wrong = pigment.exports.get("/api/v1/applications")
    assert wrong.status_code == 401
    assert "Modeling Metadata API key" in wrong.text
    config = pigment.configuration_id(GL)
    push = pigment.exports.post("/api/v1/import/push/csv", params={"configurationId": config}, content=b"x")
    assert push.status_code == 401


@pytest.mark.parametrize("settings_overrides", [_keys(wrong_key_type_status=403)])
def test_wrong_key_type_can_answer_403(pigment: Pigment) -> None:
    assert _export_metric(pigment, IMPORT_SECRET).status_code == 403


@pytest.mark.parametrize("settings_overrides", [_keys(enforce_key_types=False)])
def test_key_types_can_be_relaxed_for_a_single_key_setup(pigment: Pigment) -> None:
    assert _export_metric(pigment, IMPORT_SECRET).status_code == 200


def test_basic_auth_with_the_key_as_user_name_is_accepted(pigment: Pigment) -> None:
    token = base64.b64encode(f"{IMPORT_SECRET}:".encode()).decode()
    response = httpx.post(
        f"{pigment.base_url}/api/import/push/csv",
        params={"configurationId": pigment.configuration_id(GL)},
        content=(HEADER + "Jan 26;US01;6000;100;1.00\n").encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200
    assert pigment.wait(response.json()["importId"])["importStatus"] == "Completed"


def test_a_key_only_sees_its_owners_applications(pigment: Pigment) -> None:
    other = httpx.Client(base_url=pigment.base_url, headers=bearer(OTHER_TEAM_SECRET), timeout=30)
    with other:
        assert _export_metric(pigment, OTHER_TEAM_SECRET).status_code == 404
        view = pigment.view_id("Accounts · all")
        assert other.get(f"/api/v1/export/view/{view}").status_code == 404


@pytest.mark.parametrize("settings_overrides", [_keys(requests_per_window=5, window_seconds=300)])
def test_request_window_per_key_answers_429_with_retry_after(pigment: Pigment) -> None:
    metric = pigment.block_id("Actuals")
    statuses = [pigment.metadata.get("/api/v1/applications").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = pigment.metadata.get("/api/v1/applications")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    assert "5 requests per 5 minutes" in refused.text
    # Another key has its own window.
    other = httpx.post(
        f"{pigment.base_url}/api/v1/export/metric/{metric}", headers=bearer(TOMORROW_SECRET), timeout=30
    )
    assert other.status_code == 200
    assert pigment.control.get("/stats").json()["throttled_total"] == 2


@pytest.mark.parametrize("settings_overrides", [_keys(requests_per_window=3, rate_limit_scope="ip")])
def test_request_window_per_ip_is_shared_by_every_key(pigment: Pigment) -> None:
    metric = pigment.block_id("Actuals")
    assert pigment.metadata.get("/api/v1/applications").status_code == 200
    assert pigment.metadata.get("/api/v1/views").status_code == 200
    assert pigment.exports.post(f"/api/v1/export/metric/{metric}").status_code == 200
    assert pigment.exports.post(f"/api/v1/export/metric/{metric}").status_code == 429


@pytest.mark.parametrize("settings_overrides", [_keys(pushes_per_configuration_per_hour=2)])
def test_pushes_per_configuration_per_hour(pigment: Pigment) -> None:
    config = pigment.configuration_id(GL)
    body = (HEADER + "Jan 26;US01;6000;100;1.00\n").encode()

    def push(configuration: str) -> httpx.Response:
        return pigment.imports.post(
            "/api/v1/import/push/csv", params={"configurationId": configuration}, content=body
        )

    assert [push(config).status_code for _ in range(2)] == [200, 200]
    refused = push(config)
    assert refused.status_code == 429
    # The OAS's own 429 text for this path.
    expected = (
        "Maximum number of reports per configuration per hour exceeded, maximum: 2. Please try again later."
    )
    assert refused.text == expected
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    # The limit is per configuration.
    other = pigment.configuration_id("revenue-to-planning · Revenue")
    assert push(other).status_code == 200


def test_sandbox_faults_apply_to_the_vendor_api_only(pigment: Pigment) -> None:
    assert pigment.control.post("/faults", json={"error_rate": 1, "seed": 1}).status_code == 200
    failed = pigment.metadata.get("/api/v1/applications")
    assert failed.status_code in (500, 503)
    assert "sandbox-injected fault" in failed.text
    assert pigment.control.get("/pigment/model").status_code == 200

    pigment.control.post("/faults", json={"error_rate": 0, "throttle_rate": 1})
    throttled = pigment.metadata.get("/api/v1/applications")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"

    pigment.control.post("/reset")
    assert pigment.metadata.get("/api/v1/applications").status_code == 200


def test_seed_today_pins_the_demo_calendar(pigment: Pigment) -> None:
    versions = pigment.item_ids("Version")
    assert f"Budget FY{TODAY.year % 100}" in versions
