"""NetSuite governance on the wire: the ``governanceLimits`` document and the 429/5xx refusals.

The limits themselves are enforced by the sandbox kit's middleware (one concurrency gate counted across
every in-flight request, and an optional requests-per-minute window); this module only says them the way
NetSuite does.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .._kit.faults import FaultSettings
from .._kit.middleware import Rejection
from .errors import NsError
from .render import error_response, invalid_login
from .settings import EmulatorSettings

#: unverified in Oracle's docs (notes §4.2) but what every client and forum quotes
CONCURRENCY_CODE = "CONCURRENCY_LIMIT_EXCEEDED"
RATE_CODE = "REQUEST_LIMIT_EXCEEDED"
UNEXPECTED_CODE = "UNEXPECTED_ERROR"


def governance_limits(settings: EmulatorSettings, current: FaultSettings) -> dict[str, Any]:
    """``GET /services/rest/system/v1/governanceLimits`` (Oracle article_0625010817 shapes).

    With an integration-specific limit the enforced limit is the integration's and the account's remainder
    is unallocated; otherwise the enforced limit is the account's.
    """
    enforced = current.concurrency_limit
    if settings.integration_concurrency_limit is not None:
        account = settings.account_concurrency_limit
        integration = enforced if enforced is not None else settings.integration_concurrency_limit
        return {
            "accountConcurrencyLimit": account,
            "accountUnallocatedConcurrencyLimit": max(1, account - integration),
            "integrationConcurrencyLimit": integration,
            "integrationLimitType": "integrationSpecific",
        }
    account = enforced if enforced is not None else settings.account_concurrency_limit
    return {
        "accountConcurrencyLimit": account,
        "accountUnallocatedConcurrencyLimit": account,
        "integrationLimitType": "accountLimit",
    }


def render_rejection(rejection: Rejection, settings: EmulatorSettings, current: FaultSettings) -> Response:
    """The middleware's refusals in NetSuite's error shape."""
    headers: dict[str, str] = {}
    if rejection.retry_after is not None:
        headers["Retry-After"] = str(rejection.retry_after)
    if rejection.kind == "concurrency" and settings.overload_answers_invalid_login:
        return error_response(invalid_login())
    if rejection.kind in ("concurrency", "throttle"):
        limit = current.concurrency_limit
        error = NsError(
            429,
            CONCURRENCY_CODE,
            "The request could not be processed because the account's concurrency limit"
            + (f" ({limit} concurrent requests)" if limit is not None else "")
            + " has been exceeded. Retry the request later.",
        )
    elif rejection.kind == "rate":
        error = NsError(
            429,
            RATE_CODE,
            f"The account's limit of {current.requests_per_minute} requests per minute has been exceeded. "
            f"Retry after {rejection.retry_after} seconds.",
        )
    else:
        error = NsError(
            rejection.status,
            UNEXPECTED_CODE,
            "An unexpected error occurred. Error ID: sandbox-injected-fault",
        )
    return error_response(error, headers=headers)
