"""governanceLimits reading (403 → None) and sizing the connection's concurrency with headroom."""

from __future__ import annotations

import pytest
import respx

from ledgerbridge.connectors.netsuite import GovernanceLimits, NetSuiteClient, recommended_concurrency
from ledgerbridge.errors import Fatal

from .conftest import error_json


async def test_reads_integration_specific_limits(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.get("/system/v1/governanceLimits").respond(
        200,
        json={
            "accountConcurrencyLimit": 25,
            "accountUnallocatedConcurrencyLimit": 15,
            "integrationConcurrencyLimit": 10,
            "integrationLimitType": "integrationSpecific",
        },
    )
    limits = await client.governance_limits()
    assert limits == GovernanceLimits(25, 15, 10, "integrationSpecific")
    assert await client.recommended_concurrency() == 8  # 10 with the default 20 % headroom
    assert client.requests_sent["read"] == 2


async def test_insufficient_permission_means_unknown(
    client: NetSuiteClient, router: respx.MockRouter
) -> None:
    router.get("/system/v1/governanceLimits").respond(
        403, json=error_json(403, "INSUFFICIENT_PERMISSION", "Administrators only.")
    )
    assert await client.governance_limits() is None
    assert await client.recommended_concurrency() == 4  # the configured 5, minus headroom


async def test_invalid_login_on_governance_is_fatal(client: NetSuiteClient, router: respx.MockRouter) -> None:
    router.get("/system/v1/governanceLimits").respond(401, json=error_json(401, "INVALID_LOGIN", "nope"))
    with pytest.raises(Fatal):
        await client.governance_limits()


@pytest.mark.parametrize(
    ("limits", "headroom", "expected"),
    [
        (GovernanceLimits(5, 3, 2, "integrationSpecific"), 0.0, 2),
        (GovernanceLimits(5, 3, None, "accountLimit"), 0.0, 3),
        (GovernanceLimits(5, 3, None, "accountLimit"), 0.5, 1),
        (GovernanceLimits(65, 40, None, "accountLimit"), 0.25, 30),
        (GovernanceLimits(5, None, None, "internal"), 0.2, 4),
        (GovernanceLimits(1, 1, None, "accountLimit"), 0.9, 1),  # never below one
        (None, 0.2, 4),
    ],
)
def test_recommended_concurrency(limits: GovernanceLimits | None, headroom: float, expected: int) -> None:
    assert recommended_concurrency(limits, headroom, fallback=5) == expected


def test_headroom_must_be_a_share() -> None:
    with pytest.raises(ValueError):
        recommended_concurrency(None, 1.5)
