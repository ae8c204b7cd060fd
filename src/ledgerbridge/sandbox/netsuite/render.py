"""NetSuite's JSON shapes on the wire: errors, media types, absolute links.

Every error — ours, the store's, routing's — leaves as NetSuite's error body (notes §1.11)::

    {"type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "title": "Bad Request",
     "status": 400, "o:errorDetails": [{"detail": "...", "o:errorCode": "USER_ERROR", "o:errorPath"?: ...,
     "o:errorQueryParam"?: ...}]}

The ``type`` uses the newer RFC 9110 links seen in recent responses (airbyte #35401, n8n-nodes-netsuite #5);
clients key on ``status`` and ``o:errorCode`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import URL

from .._kit.jsonbody import ExactJSONResponse
from .errors import NsError

SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
JSON = "application/json"
SCHEMA_JSON = "application/schema+json"
SWAGGER_JSON = "application/swagger+json"
REST_ROOT = "/services/rest"

_RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-"
_TYPE_BY_STATUS = {
    400: _RFC9110 + "15.5.1",
    401: _RFC9110 + "15.5.2",
    403: _RFC9110 + "15.5.4",
    404: _RFC9110 + "15.5.5",
    405: _RFC9110 + "15.5.6",
    406: _RFC9110 + "15.5.7",
    409: _RFC9110 + "15.5.10",
    413: _RFC9110 + "15.5.14",
    415: _RFC9110 + "15.5.16",
    429: "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
    500: _RFC9110 + "15.6.1",
    503: _RFC9110 + "15.6.4",
}

# Oracle documents the duplicate-idempotency-key answer with this exact (sic) type/title/status trio.
IDEMPOTENCY_TYPE = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10"
IDEMPOTENCY_DETAIL = (
    "A request with the same idempotency key is already submitted. "
    "Use the Location header to get the status of the previously submitted job."
)
INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


def error_body(error: NsError, *, title: str | None = None, type_url: str | None = None) -> dict[str, Any]:
    """The NetSuite error document for ``error``."""
    status = error.status
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {
        "type": type_url or _TYPE_BY_STATUS.get(status, _RFC9110 + ("15.6.1" if status >= 500 else "15.5.1")),
        "title": title or phrase,
        "status": status,
        "o:errorDetails": [error.as_detail()],
    }


def error_response(
    error: NsError,
    *,
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
    type_url: str | None = None,
) -> ExactJSONResponse:
    return ExactJSONResponse(
        error_body(error, title=title, type_url=type_url),
        status_code=error.status,
        headers=dict(headers or {}),
        media_type=JSON,
    )


def idempotency_error(previous_job_location: str) -> ExactJSONResponse:
    """400 IDEMPOTENCY_ERROR pointing at the job that already owns the key (notes §1.10)."""
    error = NsError(400, "IDEMPOTENCY_ERROR", IDEMPOTENCY_DETAIL)
    return error_response(
        error, headers={"Location": previous_job_location}, title="Conflict", type_url=IDEMPOTENCY_TYPE
    )


def invalid_login() -> NsError:
    return NsError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def base_url(url: URL) -> str:
    """``scheme://host[:port]`` of the request, as the client addressed us (for absolute links)."""
    return f"{url.scheme}://{url.netloc}"


def absolutize_links(value: Any, origin: str) -> Any:
    """Make every relative ``href`` in a store document absolute on the request's origin, in place."""
    if isinstance(value, dict):
        href = value.get("href")
        if isinstance(href, str) and href.startswith("/"):
            value["href"] = origin + href
        for item in value.values():
            if isinstance(item, dict | list):
                absolutize_links(item, origin)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                absolutize_links(item, origin)
    return value


def link(rel: str, href: str) -> dict[str, str]:
    return {"rel": rel, "href": href}


def page_links(
    href: str, params: Mapping[str, str], *, limit: int, offset: int, reachable: int, has_more: bool
) -> list[dict[str, str]]:
    """``first``/``prev`` after page one, ``next``/``last`` while more remain, always ``self``."""

    def at(page_offset: int) -> str:
        query = urlencode({**params, "limit": limit, "offset": page_offset}, quote_via=quote)
        return f"{href}?{query}"

    links = []
    if offset > 0:
        links.append(link("first", at(0)))
        links.append(link("prev", at(max(0, offset - limit))))
    if has_more:
        links.append(link("next", at(offset + limit)))
        links.append(link("last", at(max(0, (reachable - 1) // limit * limit))))
    links.append(link("self", at(offset)))
    return links
