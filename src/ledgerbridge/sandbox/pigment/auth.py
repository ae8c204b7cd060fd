"""API keys: ``Authorization: Bearer <key>``, each key with a type, an owner and an expiry (notes §2.1).

* A missing, unknown or expired key is answered 401. A key is valid until the day *before* its expiry
  date ("a key set to expire on July 1 is valid until June 30").
* Each endpoint family takes one key type: imports take an Import key, exports an Export key, the
  metadata endpoints a Modeling Metadata key. A key of another type gets ``wrong_key_type_status``
  (401 by default: the OAS lists no 403).
* Workday's EIB sends the Import key as the Basic-auth user name; that is accepted too.
* Keys are looked up by their SHA-256 digest and only a short fingerprint of it is ever shown, so a key
  never reaches a log line or an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from .errors import PigmentError
from .model import Application
from .settings import ApiKeySpec, KeyType, PigmentSettings

_KEY_TYPE_NAMES = {
    "Import": "an Import API key",
    "Export": "an Export API key",
    "ModelingMetadata": "a Modeling Metadata API key",
    "AuditLogs": "an Audit Logs API key",
    "SCIM": "a SCIM API key",
}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """The key a request was made with (never its secret)."""

    key: ApiKeySpec
    #: the first characters of the key's SHA-256: names the key in rate-limit buckets and messages
    fingerprint: str

    def can_see(self, application: Application) -> bool:
        allowed = self.key.applications
        return allowed is None or application.name in allowed


class KeyRing:
    """The workspace's keys and the checks every vendor route makes."""

    def __init__(self, settings: PigmentSettings, *, today: Callable[[], date] | None = None) -> None:
        self.settings = settings
        self._today = today or (lambda: datetime.now(UTC).date())
        self._keys = {_digest(key.secret.get_secret_value()): key for key in settings.keys}

    def authenticate(self, authorization: str | None) -> Principal:
        secret = self._secret_from(authorization)
        digest = _digest(secret)
        key = self._keys.get(digest)
        if key is None:
            raise PigmentError.unauthorized("the API key is not valid")
        if key.expires_on is not None and self._today() >= key.expires_on:
            raise PigmentError.unauthorized(
                f"the API key {key.name!r} expired on {key.expires_on.isoformat()}"
            )
        return Principal(key=key, fingerprint=digest[:12])

    def authorize(self, principal: Principal, required: KeyType) -> None:
        if not self.settings.enforce_key_types or principal.key.type == required:
            return
        status = self.settings.wrong_key_type_status
        message = (
            f"this endpoint needs {_KEY_TYPE_NAMES[required]}; the key {principal.key.name!r} is "
            f"{_KEY_TYPE_NAMES[principal.key.type]}"
        )
        if status == 401:
            raise PigmentError.unauthorized(message)
        raise PigmentError(403, f"Forbidden: {message}")

    def _secret_from(self, authorization: str | None) -> str:
        if not authorization:
            raise PigmentError.unauthorized("send the API key as 'Authorization: Bearer <key>'")
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer" and credentials:
            return credentials
        if scheme.lower() == "basic" and credentials and self.settings.accept_basic_auth:
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise PigmentError.unauthorized("the Basic credentials are not valid base64") from None
            user, _, _ = decoded.partition(":")
            if user:
                return user
        raise PigmentError.unauthorized("send the API key as 'Authorization: Bearer <key>'")
