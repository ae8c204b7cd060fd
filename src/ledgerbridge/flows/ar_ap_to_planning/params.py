"""The flow's settings, read from ``ctx.params`` (the workspace's ``flows[].params``, source, target)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledgerbridge.errors import ConfigError

FLOW_NAME = "ar-ap-to-planning"
DEFAULT_CONFIGURATION = f"{FLOW_NAME} · Open items"


def _int(params: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}")
    number = int(value)
    if number < minimum:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be at least {minimum}, got {value!r}")
    return number


def _as_of(params: Mapping[str, Any]) -> date | None:
    raw = params.get("as_of")
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ConfigError(
            f"{FLOW_NAME}: params.as_of must be an ISO date, got {raw!r}", hint="e.g. as_of: '2026-11-30'"
        ) from None


def _zone(params: Mapping[str, Any]) -> ZoneInfo | None:
    raw = params.get("timezone")
    if not raw:
        return None
    try:
        return ZoneInfo(str(raw))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{FLOW_NAME}: params.timezone {raw!r} is not a time zone",
            hint="use an IANA name, e.g. Europe/Paris",
        ) from None


@dataclass(frozen=True, slots=True)
class OpenItemsParams:
    source: str
    target: str
    configuration: str
    #: the snapshot date; None: today in ``timezone`` (else the NetSuite connection's, else the workspace's)
    as_of: date | None
    timezone: ZoneInfo | None
    page_size: int
    lease_seconds: float
    max_attempts: int

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> OpenItemsParams:
        return cls(
            source=str(params.get("source") or "netsuite"),
            target=str(params.get("target") or "pigment"),
            configuration=str(params.get("import_configuration") or DEFAULT_CONFIGURATION),
            as_of=_as_of(params),
            timezone=_zone(params),
            page_size=_int(params, "page_size", 1000, minimum=1),
            lease_seconds=float(_int(params, "lease_seconds", 300, minimum=1)),
            max_attempts=_int(params, "max_attempts", 8, minimum=1),
        )
