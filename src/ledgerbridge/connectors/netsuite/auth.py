"""Request authentication for NetSuite: TBA (OAuth 1.0a HMAC-SHA256) and OAuth 2.0 client credentials.

TBA (notes §3.1): authlib's OAuth 1.0a client (``ClientAuth``, the engine of its ``OAuth1Auth``) builds the
signature base string from the method, the normalised URL *including the query parameters* and the oauth_*
parameters; the realm is the account id in NetSuite's spelling and is not signed. JSON bodies are not signed —
NetSuite ignores them and signing them is the classic cause of ``INVALID_LOGIN``. authlib ships HMAC-SHA1 only
(which NetSuite dropped in 2021.1), so HMAC-SHA256 is registered on our signer instance, not globally.
We do not use ``authlib.integrations.httpx_client.OAuth1Auth`` itself because its auth flow replaces a
non-form body by an empty one unless ``force_include_body`` is set, which in turn adds an ``oauth_body_hash``.

OAuth 2.0 client credentials (notes §3.3): a JWT assertion (``alg`` PS256 by default, ``kid`` = certificate
id, ``iss`` = client id, ``aud`` = the token URL, ``scope`` list, ``exp`` ≤ ``iat`` + 3600) signed with
joserfc (authlib's JOSE successor), exchanged at ``/services/rest/auth/oauth2/v1/token`` for a one-hour
access token. The token is cached until shortly before it expires; the exchange goes through the same
httpx client as every other request, so the engine's limiter sees it too.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from authlib.oauth1 import ClientAuth
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from ledgerbridge.errors import Fatal, LedgerbridgeError
from ledgerbridge.log import register_secret
from ledgerbridge.money import json_loads as loads

from .config import NetSuiteSettings, OAuth2ClientCredentials, TbaCredentials
from .errors import parse_error

SIGNATURE_HMAC_SHA256 = "HMAC-SHA256"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

#: sends one request through the connector's shared httpx client (counted as an ``auth`` request)
SendFn = Callable[[httpx.Request], Awaitable[httpx.Response]]


def hmac_sha256_signature(base_string: str, client_secret: str, token_secret: str | None) -> str:
    """RFC 5849 §3.4.2 with SHA-256: key = escaped consumer secret & escaped token secret."""
    key = f"{escape(client_secret or '')}&{escape(token_secret or '')}"
    digest = hmac.new(key.encode("utf-8"), base_string.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _sign_hmac_sha256(client: Any, request: Any) -> str:
    base_string = generate_signature_base_string(request)
    return hmac_sha256_signature(str(base_string), client.client_secret, client.token_secret)


class Authenticator(Protocol):
    """Adds credentials to a request just before it is sent."""

    #: True when a 401 may mean "token expired/revoked" and one fresh attempt is worthwhile
    refreshable: bool

    async def apply(self, request: httpx.Request, send: SendFn) -> None: ...

    def invalidate(self) -> None:
        """Forget any cached token (after a 401), so the next request fetches a fresh one."""


class TbaAuthenticator:
    """Signs each request with OAuth 1.0a HMAC-SHA256 (token-based authentication)."""

    refreshable = False

    def __init__(self, credentials: TbaCredentials, *, realm: str) -> None:
        self._signer = ClientAuth(
            client_id=credentials.consumer_key.get_secret_value(),
            client_secret=credentials.consumer_secret.get_secret_value(),
            token=credentials.token_id.get_secret_value(),
            token_secret=credentials.token_secret.get_secret_value(),
            signature_method=SIGNATURE_HMAC_SHA256,
            realm=realm,
        )
        # Per-instance method table: registering on ClientAuth itself would change it for the whole process.
        self._signer.SIGNATURE_METHODS = {
            **ClientAuth.SIGNATURE_METHODS,
            SIGNATURE_HMAC_SHA256: _sign_hmac_sha256,
        }
        self.realm = realm

    def authorization(self, method: str, url: str, host: str | None = None) -> str:
        """The ``Authorization`` header value for a request (a fresh nonce and timestamp each time)."""
        headers: dict[str, str] = {"Host": host} if host else {}
        # An empty body: JSON is never part of NetSuite's signature base string.
        _, signed, _ = self._signer.sign(method, url, headers, b"")
        return str(signed["Authorization"])

    async def apply(self, request: httpx.Request, send: SendFn) -> None:
        request.headers["Authorization"] = self.authorization(
            request.method, str(request.url), request.headers.get("Host")
        )

    def invalidate(self) -> None:
        """TBA tokens do not expire; nothing is cached."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    expires_at: float


class OAuth2Authenticator:
    """Bearer tokens from the client-credentials grant, minted with a signed JWT assertion and cached."""

    refreshable = True

    def __init__(
        self,
        credentials: OAuth2ClientCredentials,
        *,
        token_url: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credentials = credentials
        self._token_url = token_url
        self._clock = clock
        self._key = _load_private_key(credentials)
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    def assertion(self, now: float | None = None) -> str:
        """A signed client assertion JWT for the token request."""
        issued = int(self._clock() if now is None else now)
        creds = self._credentials
        header = {"typ": "JWT", "alg": creds.algorithm, "kid": creds.certificate_id.get_secret_value()}
        claims = {
            "iss": creds.client_id.get_secret_value(),
            "scope": list(creds.scopes),
            "aud": self._token_url,
            "iat": issued,
            "exp": issued + creds.assertion_lifetime_seconds,
        }
        return jwt.encode(header, claims, self._key, algorithms=[creds.algorithm])

    @property
    def cached_token(self) -> AccessToken | None:
        return self._token

    def _fresh(self) -> AccessToken | None:
        token = self._token
        margin = self._credentials.refresh_margin_seconds
        if token is not None and self._clock() < token.expires_at - margin:
            return token
        return None

    async def token(self, send: SendFn) -> str:
        """A valid access token, fetching one when none is cached or it is about to expire."""
        cached = self._fresh()
        if cached is not None:
            return cached.value
        async with self._lock:  # one fetch for many concurrent callers
            cached = self._fresh()
            if cached is not None:
                return cached.value
            self._token = await self._fetch(send)
            return self._token.value

    async def _fetch(self, send: SendFn) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.assertion(),
        }
        request = httpx.Request("POST", self._token_url, data=form, headers={"Accept": "application/json"})
        started = self._clock()
        response = await send(request)
        if response.status_code != 200:
            raise _token_error(response)
        try:
            payload = loads(response.content)
            value = str(payload["access_token"])
            # NetSuite sends expires_in as a string ("3600"); be liberal in what we accept
            lifetime = float(payload.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise Fatal(
                "NetSuite's OAuth 2.0 token endpoint answered without a usable access_token",
                hint="check base_url: it must point at the account's SuiteTalk host (or the sandbox)",
            ) from None
        register_secret(value)
        return AccessToken(value=value, expires_at=started + lifetime)

    async def apply(self, request: httpx.Request, send: SendFn) -> None:
        request.headers["Authorization"] = f"Bearer {await self.token(send)}"

    def invalidate(self) -> None:
        self._token = None


def _load_private_key(credentials: OAuth2ClientCredentials) -> RSAKey | ECKey:
    pem = credentials.private_key_pem.get_secret_value()
    try:
        if credentials.algorithm.startswith("ES"):
            return ECKey.import_key(pem)
        return RSAKey.import_key(pem)
    except (JoseError, ValueError, TypeError):
        # never echo the key material
        raise Fatal(
            "the NetSuite OAuth 2.0 private key could not be read",
            hint=(
                f"private_key_pem must be a PEM {'EC' if credentials.algorithm.startswith('ES') else 'RSA'} "
                f"private key matching algorithm {credentials.algorithm} and the uploaded certificate"
            ),
        ) from None


def _token_error(response: httpx.Response) -> LedgerbridgeError:
    if response.status_code == 429 or response.status_code >= 500:
        return parse_error(response)
    try:
        payload = loads(response.content)
    except ValueError:
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str):
        return Fatal(
            f"NetSuite refused the OAuth 2.0 client credentials (HTTP {response.status_code}, {error})",
            vendor_code=error,
            hint=(
                "check the credentials and the role: client id, certificate id (the JWT kid), that the "
                "private key matches the uploaded certificate, and the client-credentials mapping to an "
                "entity and role"
            ),
        )
    return parse_error(response)


def build_authenticator(settings: NetSuiteSettings) -> TbaAuthenticator | OAuth2Authenticator:
    """The authenticator for the settings' credentials."""
    auth = settings.auth
    if isinstance(auth, TbaCredentials):
        return TbaAuthenticator(auth, realm=settings.realm)
    return OAuth2Authenticator(auth, token_url=settings.token_url)
