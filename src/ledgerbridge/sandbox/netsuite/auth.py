"""Who may call the emulated account: TBA (OAuth 1.0a HMAC-SHA256) and OAuth 2.0 Bearer tokens.

TBA (notes §3.1) is verified with authlib's server side (:class:`ResourceProtector`): it parses the
``Authorization: OAuth ...`` header, rebuilds the RFC 5849 signature base string from the URL the client
addressed (scheme, Host, path *and query parameters*; a JSON body is never part of it), checks the
timestamp window and nonce replay, and calls the registered verifier. authlib ships HMAC-SHA1 only, so
HMAC-SHA256 is registered here on the same base string and key construction. The realm must be the account
id exactly as NetSuite spells it (``1234567_SB1``): a lower-case realm fails as it does on NetSuite.

``strict_signatures=False`` (lenient) still requires the right consumer key and token id but skips the
signature, realm, timestamp and nonce checks — for clients whose signing you are still debugging.

OAuth 2.0 client credentials (notes §3.3): ``POST /services/rest/auth/oauth2/v1/token`` with a JWT
assertion (PS256/ES256 family, ``kid`` = certificate id, ``iss`` = client id, ``aud`` = the token URL,
``exp`` ≤ ``iat`` + 3600) verified with joserfc against the configured public key; the opaque access
token it returns is then accepted as ``Authorization: Bearer <token>``.

Every failure is 401 ``INVALID_LOGIN`` in NetSuite's error shape (Bearer failures add the
``WWW-Authenticate`` header NetSuite sends); the reason is never echoed to the client, as on NetSuite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from authlib.common.encoding import to_bytes
from authlib.oauth1.rfc5849.base_server import BaseServer
from authlib.oauth1.rfc5849.errors import OAuth1Error
from authlib.oauth1.rfc5849.resource_protector import ResourceProtector
from authlib.oauth1.rfc5849.signature import generate_signature_base_string
from authlib.oauth1.rfc5849.util import escape
from authlib.oauth1.rfc5849.wrapper import OAuth1Request
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwk, jwt
from joserfc.errors import JoseError
from starlette.requests import Request

from .errors import NsError
from .render import INVALID_LOGIN_DETAIL
from .settings import EmulatorSettings

logger = logging.getLogger(__name__)

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 3600


class LoginError(NsError):
    """401 INVALID_LOGIN, plus the headers NetSuite adds (``WWW-Authenticate`` for Bearer)."""

    def __init__(self, reason: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)
        #: why we refused (logged at debug level; never sent: NetSuite does not say either)
        self.reason = reason
        self.headers = dict(headers or {})


class TokenRequestError(Exception):
    """An OAuth 2.0 token-endpoint error, answered in RFC 6749 §5.2 shape ``{"error", ...}``."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    method: str  # "tba" | "oauth2"
    subject: str  # consumer key (TBA) or client id (OAuth 2.0)


# --- TBA ------------------------------------------------------------------------------------------


def verify_hmac_sha256(request: OAuth1Request) -> bool:
    """RFC 5849 §3.4.2 with SHA-256 over authlib's base string (what NetSuite requires since 2021.1)."""
    client_secret = request.client_secret
    if not client_secret or not request.signature:
        return False
    base_string = generate_signature_base_string(request)
    key = f"{escape(client_secret)}&{escape(request.token_secret or '')}"
    digest = hmac.new(to_bytes(key), to_bytes(base_string), hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode("ascii")
    return hmac.compare_digest(expected, str(request.signature))


class _Client:
    def __init__(self, secret: str) -> None:
        self._secret = secret

    def get_client_secret(self) -> str:
        return self._secret

    def get_rsa_public_key(self) -> None:
        return None


class _TokenCredential:
    def __init__(self, secret: str) -> None:
        self._secret = secret

    def get_oauth_token_secret(self) -> str:
        return self._secret


class TBAVerifier(ResourceProtector):  # type: ignore[misc]
    """authlib's OAuth 1.0a resource protector bound to the emulator's one integration + token."""

    # A private copy: BaseServer.register_signature_method would mutate the dict shared by every server.
    SIGNATURE_METHODS = {**BaseServer.SIGNATURE_METHODS, "HMAC-SHA256": verify_hmac_sha256}

    def __init__(self, settings: EmulatorSettings, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock
        self.SUPPORTED_SIGNATURE_METHODS = list(settings.signature_methods)
        self.EXPIRY_TIME = settings.timestamp_tolerance_seconds
        self._nonces: dict[tuple[str, str, str, str], float] = {}
        self._nonce_lock = threading.Lock()

    # authlib hooks -----------------------------------------------------------------------------
    def get_client_by_id(self, client_id: str) -> _Client | None:
        if hmac.compare_digest(client_id, self._settings.consumer_key):
            return _Client(self._settings.consumer_secret.get_secret_value())
        return None

    def get_token_credential(self, request: OAuth1Request) -> _TokenCredential | None:
        token = str(request.token or "")
        if hmac.compare_digest(token, self._settings.token_id):
            return _TokenCredential(self._settings.token_secret.get_secret_value())
        return None

    def exists_nonce(self, nonce: str, request: OAuth1Request) -> bool:
        """Record the nonce; True if this (key, token, timestamp, nonce) was seen inside the window."""
        now = self._clock()
        key = (str(request.client_id), str(request.token), str(request.timestamp), nonce)
        with self._nonce_lock:
            if len(self._nonces) > 10_000:
                self._nonces = {k: until for k, until in self._nonces.items() if until > now}
            until = self._nonces.get(key)
            if until is not None and until > now:
                return True
            self._nonces[key] = now + 2 * self._settings.timestamp_tolerance_seconds
            return False

    def validate_timestamp_and_nonce(self, request: OAuth1Request) -> None:
        super().validate_timestamp_and_nonce(request)
        # authlib rejects stale timestamps only; a clock far in the future is as suspicious.
        if int(request.timestamp) - self._clock() > self._settings.timestamp_tolerance_seconds:
            raise LoginError("oauth_timestamp is in the future")

    # entry point --------------------------------------------------------------------------------
    def verify(self, method: str, uri: str, body: bytes | None, headers: Mapping[str, str]) -> Principal:
        try:
            oauth_request = OAuth1Request(method, uri, body, headers)
        except (OAuth1Error, ValueError) as exc:
            raise LoginError(f"malformed OAuth request: {exc}") from None
        if not self._settings.strict_signatures:
            return self._verify_lenient(oauth_request)
        if oauth_request.realm != self._settings.account_id:
            raise LoginError("realm does not name this account")
        try:
            self.validate_request(method, uri, body, headers)
        except OAuth1Error as exc:
            raise LoginError(f"OAuth 1.0a check failed: {exc.error}") from None
        return Principal("tba", self._settings.consumer_key)

    def _verify_lenient(self, oauth_request: OAuth1Request) -> Principal:
        if self.get_client_by_id(str(oauth_request.client_id or "")) is None:
            raise LoginError("unknown consumer key")
        if self.get_token_credential(oauth_request) is None:
            raise LoginError("unknown token")
        return Principal("tba", self._settings.consumer_key)


# --- OAuth 2.0 --------------------------------------------------------------------------------------


class BearerTokens:
    """Access tokens minted by the token endpoint, valid for ``access_token_ttl_seconds``."""

    def __init__(self, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def mint(self, client_id: str) -> str:
        token = secrets.token_urlsafe(48)
        now = self._clock()
        with self._lock:
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            self._tokens[token] = (client_id, now + self._ttl)
        return token

    def client_for(self, token: str) -> str | None:
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


class ClientCredentials:
    """The token endpoint's rules: verify the JWT assertion, mint an access token."""

    def __init__(self, settings: EmulatorSettings, tokens: BearerTokens, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._tokens = tokens
        self._clock = clock
        self._key = _public_key(settings.public_key_pem) if settings.public_key_pem else None

    def issue(self, form: Mapping[str, str], audiences: set[str]) -> dict[str, str]:
        grant_type = form.get("grant_type")
        if grant_type != "client_credentials":
            raise TokenRequestError(
                "unsupported_grant_type", "Only grant_type=client_credentials is supported by the sandbox."
            )
        if form.get("client_assertion_type") != JWT_BEARER:
            raise TokenRequestError("invalid_request", f"client_assertion_type must be {JWT_BEARER}.")
        assertion = form.get("client_assertion")
        if not assertion:
            raise TokenRequestError("invalid_request", "client_assertion is missing.")
        claims = self._verify_assertion(assertion, audiences)
        token = self._tokens.mint(str(claims["iss"]))
        return {
            "access_token": token,
            "expires_in": str(self._settings.access_token_ttl_seconds),
            "token_type": "bearer",
        }

    def _verify_assertion(self, assertion: str, audiences: set[str]) -> dict[str, Any]:
        settings = self._settings
        if self._key is None:
            raise TokenRequestError("invalid_client", "No certificate is mapped for client credentials.")
        try:
            token = jwt.decode(assertion, self._key, algorithms=list(settings.jwt_algorithms))
        except JoseError as exc:
            raise TokenRequestError("invalid_grant", f"The assertion was rejected: {exc.error}.") from None
        if token.header.get("kid") != settings.certificate_id:
            raise TokenRequestError("invalid_grant", "The assertion kid is not a known certificate id.")
        claims = dict(token.claims)
        now = int(self._clock())
        registry = jwt.JWTClaimsRegistry(
            now=now,
            leeway=60,
            iss={"essential": True, "value": settings.client_id},
            aud={"essential": True, "values": sorted(audiences)},
            iat={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise TokenRequestError(
                "invalid_grant", f"The assertion claims are invalid: {exc.error}."
            ) from None
        if int(claims["exp"]) - int(claims["iat"]) > MAX_ASSERTION_LIFETIME:
            raise TokenRequestError("invalid_grant", "The assertion must expire within 3600 s of iat.")
        if int(claims["iat"]) > now + 60:
            raise TokenRequestError("invalid_grant", "The assertion iat is in the future.")
        if not _scopes(claims.get("scope")) & {"rest_webservices", "restlets", "suite_analytics"}:
            raise TokenRequestError("invalid_scope", "The assertion scope must include rest_webservices.")
        return claims


def _public_key(pem: str) -> jwk.RSAKey | jwk.ECKey:
    """The certificate's public key as a JWK of the right type (RSA for PS*, EC for ES*)."""
    loaded = serialization.load_pem_public_key(pem.encode("ascii"))
    if isinstance(loaded, rsa.RSAPublicKey):
        return jwk.RSAKey.import_key(pem)
    if isinstance(loaded, ec.EllipticCurvePublicKey):
        return jwk.ECKey.import_key(pem)
    raise ValueError("the client-credentials certificate must hold an RSA or EC public key")


def _scopes(value: object) -> set[str]:
    if isinstance(value, str):
        return {part for part in value.replace(",", " ").split() if part}
    if isinstance(value, list):
        return {str(part) for part in value}
    return set()


# --- the request gate ----------------------------------------------------------------------------------


class Authenticator:
    """Decides who a vendor-API request comes from (or raises :class:`LoginError`)."""

    def __init__(self, settings: EmulatorSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.tba = TBAVerifier(settings, clock)
        self.tokens = BearerTokens(settings.access_token_ttl_seconds, clock)
        self.client_credentials = ClientCredentials(settings, self.tokens, clock)

    def reset(self) -> None:
        self.tokens.clear()

    async def authenticate(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme = header.split(" ", 1)[0].lower()
        try:
            if scheme == "oauth":
                body = await self._signed_body(request)
                return self.tba.verify(request.method, signed_url(request), body, request.headers)
            if scheme == "bearer":
                return self._bearer(header.split(" ", 1)[1].strip() if " " in header else "")
        except LoginError as exc:
            logger.debug("refused login: %s", exc.reason)
            raise
        raise LoginError("no Authorization header", headers=self._bearer_challenge())

    def _bearer(self, token: str) -> Principal:
        client = self.tokens.client_for(token) if token else None
        if client is None:
            raise LoginError("unknown or expired access token", headers=self._bearer_challenge())
        return Principal("oauth2", client)

    def _bearer_challenge(self) -> dict[str, str]:
        return {
            "WWW-Authenticate": (
                f'Bearer realm="{self.settings.account_id}", error="invalid_token", '
                'error_description="Invalid login attempt."'
            )
        }

    @staticmethod
    async def _signed_body(request: Request) -> bytes | None:
        # RFC 5849 signs form bodies only; a JSON body is never part of the base string.
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            return await request.body()
        return None


def signed_url(request: Request) -> str:
    """The URL exactly as the client addressed it: scheme, Host header, raw path and raw query."""
    scope = request.scope
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) and raw_path else scope["path"]
    path = path.split("?", 1)[0]
    host = request.headers.get("host") or request.url.netloc
    query = scope.get("query_string", b"").decode("latin-1")
    url = f"{request.url.scheme}://{host}{path}"
    return f"{url}?{query}" if query else url


def token_audiences(request: Request, settings: EmulatorSettings) -> set[str]:
    """Accepted ``aud`` values: the token URL as addressed, and the vendor's canonical token URL."""
    host = request.headers.get("host") or request.url.netloc
    return {
        f"{request.url.scheme}://{host}{TOKEN_PATH}",
        f"https://{settings.suitetalk_host}{TOKEN_PATH}",
    }
