"""System endpoints: governance limits, the OAuth 2.0 token endpoint, token info, and OPTIONS.

- ``GET  /services/rest/system/v1/governanceLimits`` (administrators only on NetSuite)
- ``POST /services/rest/auth/oauth2/v1/token`` — client credentials with a JWT assertion; answers
  ``{"access_token", "expires_in": "3600", "token_type": "bearer"}`` or an RFC 6749 error
  ``{"error": "invalid_grant" | "invalid_request" | "invalid_client" | "invalid_scope" |
  "unsupported_grant_type", "error_description"}`` (the codes clients such as symon-ai's tap parse)
- ``GET  /rest/tokeninfo`` — the restlets-host token introspection the `netsuite` client calls
- ``OPTIONS /services/rest/...`` → 204, no body (old Airbyte used it as a connection check)
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from .._kit.jsonbody import ExactJSONResponse
from .auth import TOKEN_PATH, Principal, TokenRequestError, token_audiences
from .context import NetSuiteEmulator, emulator, require_login
from .errors import NsError
from .governance import governance_limits
from .render import JSON, REST_ROOT

router = APIRouter()


@router.get(f"{REST_ROOT}/system/v1/governanceLimits", dependencies=[Depends(require_login)])
async def get_governance_limits(ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    if not ns.settings.governance_permitted:
        raise NsError(
            403,
            "INSUFFICIENT_PERMISSION",
            "Permission Violation: You need the Administrator role to access the governanceLimits operation.",
        )
    return ExactJSONResponse(governance_limits(ns.settings, ns.kit.faults.settings), media_type=JSON)


@router.post(TOKEN_PATH)
async def oauth2_token(request: Request, ns: NetSuiteEmulator = Depends(emulator)) -> Response:
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" not in content_type:
        return _token_error(
            TokenRequestError(
                "invalid_request", "Send the token request as application/x-www-form-urlencoded."
            )
        )
    raw = (await request.body()).decode("utf-8", errors="replace")
    form = dict(parse_qsl(raw, keep_blank_values=True))
    try:
        token = ns.auth.client_credentials.issue(form, token_audiences(request, ns.settings))
    except TokenRequestError as exc:
        return _token_error(exc)
    return ExactJSONResponse(token, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _token_error(exc: TokenRequestError) -> Response:
    return ExactJSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/rest/tokeninfo")
async def token_info(
    principal: Principal = Depends(require_login), ns: NetSuiteEmulator = Depends(emulator)
) -> Response:
    settings = ns.settings
    return ExactJSONResponse(
        {
            "companyId": settings.account_id,
            "companyName": settings.company_name,
            "entityId": "-5",
            "entityName": "Sandbox Administrator",
            "roleId": "3",
            "roleName": "Administrator",
            "integrationName": "ledgerbridge" if principal.method == "tba" else "ledgerbridge (OAuth 2.0)",
        }
    )


class _OptionsOnlyRoute(APIRoute):
    """Matches OPTIONS only: other methods on unknown paths must stay 404 (not 405)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("method") != "OPTIONS":
            return Match.NONE, {}
        return super().matches(scope)


options_router = APIRouter(route_class=_OptionsOnlyRoute)


@options_router.options(REST_ROOT + "/{path:path}", dependencies=[Depends(require_login)])
async def options(path: str) -> Response:
    return Response(status_code=204)
