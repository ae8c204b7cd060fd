"""SuiteQL over REST: ``POST /services/rest/query/v1/suiteql?limit&offset`` (notes §2).

Body ``{"q": "SELECT ..."}``, header ``Prefer: transient``. Answer::

    {"links": [self, next?, last?], "count", "hasMore", "offset", "totalResults",
     "items": [{"links": [], <lower-cased column>: <string value>, ...}]}

The store runs the query and enforces the page (1,000) and result (100,000) caps.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .context import NetSuiteEmulator, emulator, require_login
from .dispatch import execute
from .errors import NsError
from .jobs import Outcome
from .params import int_param, json_object, prefer_tokens
from .render import REST_ROOT, base_url, page_links

SUITEQL_PATH = f"{REST_ROOT}/query/v1/suiteql"

router = APIRouter(dependencies=[Depends(require_login)])


@router.post(SUITEQL_PATH)
async def suiteql(request: Request, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    settings = ns.settings
    if settings.require_prefer_transient and "transient" not in prefer_tokens(request):
        raise NsError.invalid_parameter("SuiteQL requests must send the header Prefer: transient.")
    limit = int_param(request, "limit", settings.max_page_size, minimum=1)
    offset = int_param(request, "offset", 0)
    body = await json_object(request)
    query = body.get("q")
    if not isinstance(query, str) or not query.strip():
        raise NsError(
            400, "INVALID_PARAMETER", 'The request body must carry the SuiteQL query in "q".', error_path="q"
        )
    origin = base_url(request.url)

    def operation() -> Outcome:
        page = ns.store.suiteql(query, limit=limit, offset=offset)
        reachable = min(page.total, settings.max_results)
        items: list[dict[str, Any]] = []
        for row in page.items:
            # NetSuite puts an empty links array first in every row.
            item: dict[str, Any] = {"links": []}
            item.update((key, value) for key, value in row.items() if key != "links")
            items.append(item)
        document = {
            "links": page_links(
                origin + SUITEQL_PATH,
                {},
                limit=limit,
                offset=offset,
                reachable=reachable,
                has_more=page.has_more,
            ),
            "count": len(items),
            "hasMore": page.has_more,
            "offset": offset,
            "totalResults": page.total,
            "items": items,
        }
        return Outcome(200, document)

    return await execute(request, ns, operation)
