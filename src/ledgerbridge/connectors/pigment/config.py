"""Typed connection settings for one Pigment workspace.

Pigment's API keys are typed (Import, Export, Modeling Metadata; reference notes §2.1) and each is optional:
a connection that only exports needs no import key. What an import configuration expects (its header and
delimiter) is saved in Pigment's UI and is *not* returned by the API (the OAS ``ImportConfiguration`` is
``{id, name}``), so it is declared here as an :class:`ImportLayout` per configuration.
"""

from __future__ import annotations

from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

DEFAULT_BASE_URL = "https://pigment.app"
#: Pigment's documented limits (notes §2.3): 500 requests per 5 minutes; 300 pushes per configuration per hour
PUSHES_PER_CONFIGURATION = 300
PUSH_WINDOW_SECONDS = 3600.0

KeyType = Literal["Import", "Export", "ModelingMetadata"]


class ImportLayout(BaseModel):
    """The file an import configuration was saved with: exact header, delimiter, quote, decimal separator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: tuple[str, ...] = Field(min_length=1)
    delimiter: Literal[";", ",", "\t", "|"] = ";"
    quote: Literal['"', "'"] = '"'
    decimal_separator: Literal[".", ","] = "."
    #: informational: a pivoted file has one column per item of a dimension (e.g. months)
    layout: Literal["flat", "pivoted"] = "flat"

    @field_validator("columns")
    @classmethod
    def _unique_columns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        duplicates = sorted({column for column in value if value.count(column) > 1})
        if duplicates:
            raise ValueError(f"duplicate header column(s): {', '.join(duplicates)}")
        return value

    @model_validator(mode="after")
    def _separators_differ(self) -> ImportLayout:
        if self.decimal_separator == self.delimiter:
            raise ValueError("the decimal separator cannot be the column delimiter")
        return self


class PigmentSettings(BaseModel):
    """Everything the connector needs to talk to one Pigment workspace. Keys never reach logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: scheme + host (+ port); paths add ``/api/v1/...``. A trailing ``/api`` (Pigment's docs) is accepted.
    base_url: str = DEFAULT_BASE_URL
    import_key: SecretStr | None = None
    export_key: SecretStr | None = None
    metadata_key: SecretStr | None = None

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=120.0, gt=0)
    #: a push sends the whole file in one request (no chunked upload in Pigment): allow it time
    write_timeout: float = Field(default=300.0, gt=0)
    pool_timeout: float = Field(default=60.0, gt=0)
    http2: bool = True

    #: status polling: first wait, ceiling of the exponential backoff, and how long to wait in total
    poll_initial_seconds: float = Field(default=1.0, gt=0)
    poll_max_seconds: float = Field(default=15.0, gt=0)
    poll_timeout_seconds: float = Field(default=1800.0, gt=0)

    #: the in-connector push gate (used only when the runtime injects none)
    pushes_per_configuration: int = Field(default=PUSHES_PER_CONFIGURATION, ge=1)
    push_window_seconds: float = Field(default=PUSH_WINDOW_SECONDS, gt=0)

    #: layouts of the import configurations, by configuration id (or name: resolved by discovery)
    import_layouts: dict[str, ImportLayout] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {value!r}")
        value = value.rstrip("/")
        return value.removesuffix("/api")

    def key(self, key_type: KeyType) -> SecretStr | None:
        """The key configured for ``key_type`` (None when that key type is not configured)."""
        return {"Import": self.import_key, "Export": self.export_key, "ModelingMetadata": self.metadata_key}[
            key_type
        ]

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.write_timeout,
            pool=self.pool_timeout,
        )
