"""Settings of one emulated Pigment workspace: API keys, the two rate limits, import and export knobs.

Where Pigment's behaviour is undocumented (notes/pigment.md §6 and the checklist in §7) it is a setting
here with the most likely default, so a test can flip it.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from .._kit.faults import FaultSettings

SeedName = Literal["empty", "demo"]
#: Pigment's API key types (notes §2.1); each endpoint family accepts one of them
KeyType = Literal["Import", "Export", "ModelingMetadata", "AuditLogs", "SCIM"]
ExportEncoding = Literal["Utf8WithBom", "Utf8WithoutBom"]


def new_key_secret() -> SecretStr:
    """A key in Pigment's current opaque format (the docs show a base64-style string)."""
    return SecretStr(secrets.token_urlsafe(36))


class ApiKeySpec(BaseModel):
    """One API key of the workspace: its secret, type, owner and expiry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: KeyType
    secret: SecretStr = Field(default_factory=new_key_secret)
    #: the key is valid until the day before this date (notes §2.1: the expiry day itself is excluded)
    expires_on: date | None = None
    #: the user the key impersonates; only used in messages and reports
    owner: str = "Integration Service Account"
    #: application names the owner can see (None = every application of the workspace)
    applications: tuple[str, ...] | None = None


def default_keys() -> tuple[ApiKeySpec, ...]:
    """One random key per type a connector needs: import, export, modeling metadata."""
    return (
        ApiKeySpec(name="ledgerbridge import", type="Import"),
        ApiKeySpec(name="ledgerbridge export", type="Export"),
        ApiKeySpec(name="ledgerbridge metadata", type="ModelingMetadata"),
    )


class PigmentSettings(BaseModel):
    """Everything the Pigment emulator needs to know; keys are random unless given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keys: tuple[ApiKeySpec, ...] = Field(default_factory=default_keys)
    seed: SeedName = "empty"
    #: the "today" the demo seed is built around (its months, budget year, switchover); None = today (UTC)
    seed_today: date | None = None

    # --- authentication -----------------------------------------------------------------------------
    #: a key of the wrong type is refused; Pigment's status for that is undocumented (notes §7), and the
    #: OAS lists only 401 on every path, so 401 is the default
    wrong_key_type_status: Literal[401, 403] = 401
    #: False lets any valid key call any endpoint (a connector configured with one key for all)
    enforce_key_types: bool = True
    #: accept ``Authorization: Basic base64(<key>:)`` as Workday's EIB sends it (notes §3)
    accept_basic_auth: bool = True

    # --- rate limits (notes §2.3) -------------------------------------------------------------------
    #: requests allowed per window; the next one is answered 429 with Retry-After
    requests_per_window: int = Field(default=500, ge=1)
    window_seconds: float = Field(default=300.0, gt=0)
    #: Pigment documents the limit per IP; the brief asks for per key (one key = one connection)
    rate_limit_scope: Literal["key", "ip"] = "key"
    #: accepted CSV pushes per import configuration per rolling hour (OAS 429 on push/csv)
    pushes_per_configuration_per_hour: int = Field(default=300, ge=1)
    push_window_seconds: float = Field(default=3600.0, gt=0)

    # --- imports ------------------------------------------------------------------------------------
    #: a pushed body over this size is refused with 400 "Bad request or size limit exceeded"
    max_push_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    #: how long an import stays ``InProgress`` before it runs (makes polling observable)
    import_delay_seconds: float = Field(default=0.0, ge=0.0)
    #: skip reasons keep at most this many sample values each
    max_skip_samples: int = Field(default=5, ge=0)

    # --- exports ------------------------------------------------------------------------------------
    #: a view export over this many cells (rows x columns) is refused with 413
    view_export_max_cells: int = Field(default=1_000_000, ge=1)
    #: the encoding when a request does not name one; real clients decode with utf-8-sig (notes §2.4)
    default_export_encoding: ExportEncoding = "Utf8WithBom"

    #: the sandbox kit's fault knobs at start (error_rate, latency_ms, ...)
    faults: FaultSettings = Field(default_factory=FaultSettings)

    @classmethod
    def generate(cls, **overrides: Any) -> PigmentSettings:
        """Settings with fresh random keys (unless ``keys`` is given)."""
        return cls(**overrides)

    def key_of_type(self, key_type: KeyType) -> ApiKeySpec:
        """The first key of ``key_type`` (``sandbox up`` reports one per type)."""
        for key in self.keys:
            if key.type == key_type:
                return key
        raise LookupError(f"no {key_type} key is configured")
