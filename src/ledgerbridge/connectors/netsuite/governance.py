"""Concurrency governance: what NetSuite allows this integration, and how much of it to use.

NetSuite governs concurrency per account, shared by SOAP, REST and RESTlets, and lets an administrator give
an integration its own share; ``GET /services/rest/system/v1/governanceLimits`` reports it, but only to an
administrator role — anyone else gets 403 ``INSUFFICIENT_PERMISSION``, which here means "unknown", not an
error (notes §1.12, §4.1). The engine's limiter is then sized with :func:`recommended_concurrency`,
leaving the configured headroom to the account's other integrations and users.
"""

from __future__ import annotations

import math

from ledgerbridge.errors import Fatal

from .records import GovernanceLimits, RequestKind
from .session import NetSuiteSession, decode_json

GOVERNANCE_PATH = "/services/rest/system/v1/governanceLimits"


async def read_governance_limits(session: NetSuiteSession) -> GovernanceLimits | None:
    """The account's and this integration's concurrency limits, or ``None`` if the role may not read them."""
    response = await session.send(RequestKind.READ, "GET", GOVERNANCE_PATH, allow=(403,))
    if response.status_code == 403:
        return None
    payload = decode_json(response)
    if not isinstance(payload, dict):
        raise Fatal("NetSuite's governanceLimits answer is not a JSON object")
    try:
        return GovernanceLimits.from_json(payload)
    except (ValueError, TypeError) as exc:
        raise Fatal(f"NetSuite's governanceLimits answer is not readable: {exc}") from None


def available_concurrency(limits: GovernanceLimits) -> int:
    """The concurrency this integration may use before headroom.

    ``integrationSpecific``: the share allocated to this integration. Otherwise the integration draws on the
    account's unallocated pool (at least 1 by NetSuite's rules), or the account limit if that is not reported.
    """
    if limits.integration_limit_type == "integrationSpecific" and limits.integration_concurrency_limit:
        return limits.integration_concurrency_limit
    if limits.account_unallocated_concurrency_limit:
        return limits.account_unallocated_concurrency_limit
    return limits.account_concurrency_limit


def recommended_concurrency(limits: GovernanceLimits | None, headroom: float, *, fallback: int = 5) -> int:
    """Concurrent requests to allow: the available limit minus ``headroom`` (a share, 0..0.9), at least 1.

    ``limits`` is ``None`` when the role cannot read them; then ``fallback`` (the configured concurrency)
    is used as the limit.
    """
    if not 0.0 <= headroom < 1.0:
        raise ValueError(f"headroom is a share between 0 and 1, got {headroom}")
    available = available_concurrency(limits) if limits is not None else fallback
    # floor: rounding up would eat into the headroom that other integrations rely on
    return max(1, math.floor(available * (1.0 - headroom) + 1e-9))
