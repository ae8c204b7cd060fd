"""Settings of one emulated NetSuite account: identity, credentials, strictness, governance, timings.

Where NetSuite's behaviour is unverified (notes/netsuite.md marks it), it is a setting here with the most
likely default, so a test can flip it.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from .._kit.faults import FaultSettings

SeedName = Literal["empty", "demo", "netsuite2-sample"]

#: Oracle's list for the client-credentials JWT assertion (notes §3.3); RS256 is not on it
ORACLE_JWT_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


def _token() -> str:
    return secrets.token_hex(32)


def _secret() -> SecretStr:
    return SecretStr(secrets.token_hex(32))


class EmulatorSettings(BaseModel):
    """Everything the NetSuite emulator needs to know; credentials are random unless given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str = "1234567_SB1"
    company_name: str = "Ledgerbridge Sandbox Inc."

    # --- Token-based authentication (OAuth 1.0a) --------------------------------------------------
    consumer_key: str = Field(default_factory=_token)
    consumer_secret: SecretStr = Field(default_factory=_secret)
    token_id: str = Field(default_factory=_token)
    token_secret: SecretStr = Field(default_factory=_secret)
    #: verify signature, realm, timestamp window and nonce; False only checks the consumer key and token
    strict_signatures: bool = True
    #: oauth_timestamp must be within this many seconds of now; a nonce is remembered this long
    timestamp_tolerance_seconds: int = Field(default=300, ge=1)
    signature_methods: tuple[str, ...] = ("HMAC-SHA256",)

    # --- OAuth 2.0 client credentials (JWT assertion) ---------------------------------------------
    client_id: str = Field(default_factory=_token)
    certificate_id: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    #: the public key mapped to ``certificate_id``; None = the token endpoint refuses every assertion
    public_key_pem: str | None = None
    #: kept only so ``sandbox up`` can hand it to clients; the emulator never signs with it
    private_key_pem: SecretStr | None = None
    jwt_algorithms: tuple[str, ...] = ORACLE_JWT_ALGORITHMS
    access_token_ttl_seconds: int = Field(default=3600, ge=1)

    # --- account preferences ----------------------------------------------------------------------
    date_format: str = "M/d/yyyy"
    timezone: str = "America/Los_Angeles"
    seed: SeedName = "empty"

    # --- governance -------------------------------------------------------------------------------
    #: the account's concurrent-request limit: 5 on the Standard tier, +10 per SuiteCloud Plus (notes §4.1)
    account_concurrency_limit: int = Field(default=5, ge=1)
    #: a limit allocated to "this" integration record: enforced instead of the account limit, and
    #: governanceLimits then says ``integrationSpecific``
    integration_concurrency_limit: int | None = Field(default=None, ge=1)
    #: requests per rolling minute (NetSuite documents none; off by default)
    requests_per_minute: int | None = Field(default=None, ge=1)
    #: the other fault knobs at start (error_rate, latency_ms, ...); their concurrency_limit and
    #: requests_per_minute, when set, win over the two fields above
    faults: FaultSettings = Field(default_factory=FaultSettings)
    #: governanceLimits is for administrators only; False answers 403 INSUFFICIENT_PERMISSION
    governance_permitted: bool = True
    #: answer concurrency overload with 401 INVALID_LOGIN instead of 429, as NetSuite sometimes does
    #: under load (julbrs/netsuite-api-client#26)
    overload_answers_invalid_login: bool = False
    #: the real catalog can take minutes (airbyte #25223); delay every metadata-catalog answer this long
    metadata_catalog_delay_seconds: float = Field(default=0.0, ge=0.0)

    # --- record service and SuiteQL ---------------------------------------------------------------
    max_page_size: int = Field(default=1000, ge=1)
    max_results: int = Field(default=100_000, ge=1)
    #: a user report, not documented: NetSuite refuses offsets that are not a multiple of the limit
    require_offset_multiple_of_limit: bool = True
    #: every client sends ``Prefer: transient`` on SuiteQL; whether NetSuite insists is unverified
    require_prefer_transient: bool = False

    # --- async jobs -------------------------------------------------------------------------------
    max_batch_items: int = Field(default=100, ge=1)
    #: how long a job stays "pending" before it runs (0 = as soon as the event loop gets to it)
    async_job_delay_seconds: float = Field(default=0.0, ge=0.0)
    #: finished jobs kept (with their idempotency keys); the oldest go first beyond this
    async_job_retention: int = Field(default=10_000, ge=1)

    @classmethod
    def generate(cls, **overrides: Any) -> EmulatorSettings:
        """Fresh random credentials including an RSA key pair for OAuth 2.0 client credentials."""
        if "public_key_pem" not in overrides:
            private_pem, public_pem = generate_rsa_keypair()
            overrides["public_key_pem"] = public_pem
            overrides["private_key_pem"] = SecretStr(private_pem)
        return cls(**overrides)

    def start_faults(self) -> FaultSettings:
        """The knobs the emulator starts with (and returns to on ``POST /_sandbox/reset``)."""
        return self.faults.model_copy(
            update={
                "concurrency_limit": self.faults.concurrency_limit
                or self.integration_concurrency_limit
                or self.account_concurrency_limit,
                "requests_per_minute": self.faults.requests_per_minute or self.requests_per_minute,
            }
        )

    @property
    def account_host_slug(self) -> str:
        """``1234567_SB1`` → ``1234567-sb1`` (the host part every client derives)."""
        return self.account_id.lower().replace("_", "-")

    @property
    def suitetalk_host(self) -> str:
        return f"{self.account_host_slug}.suitetalk.api.netsuite.com"


def generate_rsa_keypair(bits: int = 2048) -> tuple[str, str]:
    """A new RSA key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem
