"""The flow's settings, read from ``ctx.params`` (the workspace's ``flows[].params``, source, target, batch).

A wrong value stops the run with a message naming the parameter, before anything is read or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledgerbridge.errors import ConfigError

from .members import LISTS

FLOW_NAME = "hierarchy-to-planning"
#: param name of each list's import configuration, and the demo / documented default
CONFIGURATION_PARAMS: dict[str, str] = {name: f"{name.lower()}_configuration" for name in LISTS}


def default_configuration(list_name: str) -> str:
    return f"{FLOW_NAME} · {list_name}"


def _int(params: Mapping[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{FLOW_NAME}: params.{name} must be at least {minimum}, got {value!r}")
    return number


def _lists(params: Mapping[str, Any]) -> tuple[str, ...]:
    raw = params.get("lists")
    if raw is None:
        return LISTS
    if isinstance(raw, str) or not isinstance(raw, list | tuple) or not raw:
        raise ConfigError(
            f"{FLOW_NAME}: params.lists must be a non-empty list, got {raw!r}",
            hint=f"e.g. lists: [{', '.join(LISTS)}]",
        )
    unknown = [str(item) for item in raw if item not in LISTS]
    if unknown:
        raise ConfigError(
            f"{FLOW_NAME}: params.lists has unknown list(s) {', '.join(unknown)}",
            hint=f"choose among {', '.join(LISTS)}",
        )
    return tuple(name for name in LISTS if name in raw)


@dataclass(frozen=True, slots=True)
class HierarchyParams:
    source: str
    target: str
    #: the Pigment lists this workspace keeps in sync (default: all four)
    lists: tuple[str, ...]
    #: import configuration name (or id) per list
    configurations: Mapping[str, str]
    page_size: int
    #: hub rows per executor batch (a list is pushed once per run whatever the batches)
    batch_size: int
    lease_seconds: float
    max_attempts: int

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> HierarchyParams:
        configurations = {
            name: str(params.get(param) or default_configuration(name))
            for name, param in CONFIGURATION_PARAMS.items()
        }
        return cls(
            source=str(params.get("source") or "netsuite"),
            target=str(params.get("target") or "pigment"),
            lists=_lists(params),
            configurations=configurations,
            page_size=_int(params, "page_size", 1000, minimum=1),
            batch_size=_int(params, "batch_size", 1000, minimum=1),
            lease_seconds=float(_int(params, "lease_seconds", 300, minimum=1)),
            max_attempts=_int(params, "max_attempts", 8, minimum=1),
        )
