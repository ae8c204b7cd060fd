"""Governance (concurrency, requests per minute, governanceLimits), fault knobs and the control surface."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from ledgerbridge.sandbox.netsuite.app import create_app
from ledgerbridge.sandbox.netsuite.context import NetSuiteEmulator
from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings
from tests.support.servers import serve

from .support import customer, ns_error, tba_auth

REST = "/services/rest"


def _parallel_gets(base_url: str, settings: EmulatorSettings, count: int) -> list[httpx.Response]:
    def one(_: int) -> httpx.Response:
        with httpx.Client(auth=tba_auth(settings), timeout=30) as http:
            return http.get(f"{base_url}{REST}/record/v1/customer")

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrency_over_the_limit_is_429(
    base_url: str, ns_settings: EmulatorSettings, control: httpx.Client
) -> None:
    # The default limit is 5 (Standard tier); slow requests make 8 of them overlap for sure.
    control.post("/faults", json={"latency_ms": 1500})

    responses = _parallel_gets(base_url, ns_settings, 8)

    refused = [r for r in responses if r.status_code == 429]
    served = [r for r in responses if r.status_code == 200]
    assert len(served) == 5 and len(refused) == 3, [r.status_code for r in responses]
    detail = ns_error(refused[0], 429, "CONCURRENCY_LIMIT_EXCEEDED")
    assert "(5 concurrent requests)" in detail["detail"]
    assert int(refused[0].headers["retry-after"]) >= 1
    stats = control.get("/stats").json()
    assert stats["throttled_total"] == 3
    assert stats["in_flight"] == 0


def test_overload_can_look_like_invalid_login() -> None:
    settings = EmulatorSettings(
        seed="empty", overload_answers_invalid_login=True, account_concurrency_limit=1
    )
    with serve(create_app(settings)) as url:
        httpx.post(f"{url}/_sandbox/faults", json={"latency_ms": 1500})
        statuses = sorted(r.status_code for r in _parallel_gets(url, settings, 3))
    assert statuses == [200, 401, 401]


def test_requests_per_minute_limit_answers_429_with_retry_after(
    client: httpx.Client, control: httpx.Client
) -> None:
    control.post("/faults", json={"requests_per_minute": 3})

    statuses = [client.get("/record/v1/customer").status_code for _ in range(3)]
    over = client.get("/record/v1/customer")

    assert statuses == [200, 200, 200]
    ns_error(over, 429, "REQUEST_LIMIT_EXCEEDED")
    assert 1 <= int(over.headers["retry-after"]) <= 60


def test_seeded_error_rate_is_reproducible(client: httpx.Client, control: httpx.Client) -> None:
    def pattern() -> list[int]:
        control.post("/faults", json={"error_rate": 0.5, "seed": 7})
        return [client.get("/record/v1/customer").status_code for _ in range(20)]

    first, second = pattern(), pattern()

    assert first == second
    assert {200} < set(first) <= {200, 500, 503}
    failed = next(i for i, status in enumerate(first) if status != 200)
    control.post("/faults", json={"error_rate": 0.5, "seed": 7})
    for _ in range(failed):
        client.get("/record/v1/customer")
    ns_error(client.get("/record/v1/customer"), first[failed], "UNEXPECTED_ERROR")


def test_throttle_rate_answers_429(client: httpx.Client, control: httpx.Client) -> None:
    control.post("/faults", json={"throttle_rate": 1.0})

    ns_error(client.get("/record/v1/customer"), 429, "CONCURRENCY_LIMIT_EXCEEDED")

    stats = control.get("/stats").json()
    assert (stats["throttled_total"], stats["faults_injected_total"]) == (1, 1)


def test_drop_after_commit_commits_then_cuts_the_connection(
    client: httpx.Client, control: httpx.Client, ns: NetSuiteEmulator
) -> None:
    control.post("/faults", json={"drop_response_after_commit_rate": 1.0})

    with pytest.raises(httpx.TransportError):
        client.put("/record/v1/customer/eid:DROP-1", json=customer("Dropped"))

    # the write landed although the client never saw the answer: re-sending the upsert is safe
    assert ns.store.list("customer", limit=1000, offset=0)[1] == 1
    assert client.get("/record/v1/customer/eid:DROP-1").status_code == 200
    assert control.get("/stats").json()["faults_injected_total"] == 1
    control.post("/faults", json={"drop_response_after_commit_rate": 0})
    assert client.put("/record/v1/customer/eid:DROP-1", json=customer("Dropped")).status_code == 204
    assert ns.store.list("customer", limit=1000, offset=0)[1] == 1


def test_failed_writes_are_never_dropped(client: httpx.Client, control: httpx.Client) -> None:
    control.post("/faults", json={"drop_response_after_commit_rate": 1.0})

    ns_error(client.post("/record/v1/noninventorysaleitem", json={}), 400, "USER_ERROR")


def test_stats_count_vendor_requests_by_route_but_not_the_control_surface(
    client: httpx.Client, control: httpx.Client
) -> None:
    created = client.post("/record/v1/customer", json=customer("Counted"))
    client.get(created.headers["location"])
    client.get(created.headers["location"])
    control.get("/faults")

    stats = control.get("/stats").json()

    assert stats["requests_total"] == 3
    assert stats["requests_by_route"] == {
        "GET /services/rest/record/v1/{record_type}/{key}": 2,
        "POST /services/rest/record/v1/{record_type}": 1,
    }
    assert stats["records"]["customer"] == 1


def test_governance_limits_follow_the_enforced_limit(client: httpx.Client, control: httpx.Client) -> None:
    assert client.get("/system/v1/governanceLimits").json() == {
        "accountConcurrencyLimit": 5,
        "accountUnallocatedConcurrencyLimit": 5,
        "integrationLimitType": "accountLimit",
    }
    control.post("/faults", json={"concurrency_limit": 15})

    assert client.get("/system/v1/governanceLimits").json()["accountConcurrencyLimit"] == 15


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"account_concurrency_limit": 15, "integration_concurrency_limit": 4},
            {
                "accountConcurrencyLimit": 15,
                "accountUnallocatedConcurrencyLimit": 11,
                "integrationConcurrencyLimit": 4,
                "integrationLimitType": "integrationSpecific",
            },
        ),
    ],
)
def test_integration_specific_limit(overrides: dict[str, Any], expected: dict[str, Any]) -> None:
    settings = EmulatorSettings(seed="empty", **overrides)
    with serve(create_app(settings)) as url:
        response = httpx.get(f"{url}{REST}/system/v1/governanceLimits", auth=tba_auth(settings))
        faults = httpx.get(f"{url}/_sandbox/faults").json()
    assert response.json() == expected
    assert faults["concurrency_limit"] == 4


def test_governance_limits_need_an_administrator() -> None:
    settings = EmulatorSettings(seed="empty", governance_permitted=False)
    with serve(create_app(settings)) as url:
        response = httpx.get(f"{url}{REST}/system/v1/governanceLimits", auth=tba_auth(settings))
    ns_error(response, 403, "INSUFFICIENT_PERMISSION")


@pytest.mark.parametrize("body", [{"error_rate": 2}, {"no_such_knob": 1}, {"concurrency_limit": 0}])
def test_invalid_fault_settings_are_refused(control: httpx.Client, body: dict[str, Any]) -> None:
    response = control.post("/faults", json=body)

    assert response.status_code == 400
    assert response.json()["problems"]


def test_reset_restores_data_counters_and_knobs(
    client: httpx.Client, control: httpx.Client, ns: NetSuiteEmulator
) -> None:
    client.post("/record/v1/customer", json=customer("Gone Soon"))
    control.post("/faults", json={"latency_ms": 5, "concurrency_limit": 9})

    assert control.post("/reset").json() == {"status": "reset"}

    assert ns.store.list("customer", limit=1000, offset=0)[1] == 0
    assert control.get("/stats").json()["requests_total"] == 0
    faults = control.get("/faults").json()
    assert (faults["latency_ms"], faults["concurrency_limit"]) == (0, 5)


def test_seed_loads_a_fixture_through_the_record_rules(control: httpx.Client, client: httpx.Client) -> None:
    loaded = control.post("/seed", json={"customer": [customer("Fixture A"), customer("Fixture B")]})

    assert loaded.status_code == 200
    ids = loaded.json()["loaded"]["customer"]
    assert len(ids) == 2
    assert client.get(f"/record/v1/customer/{ids[1]}").json()["companyName"] == "Fixture B"
    refused = control.post("/seed", json={"customer": [{"subsidiary": {"id": "999"}}]})
    assert refused.status_code == 400
    assert control.post("/seed", params={"name": "nonsense"}).status_code == 400
