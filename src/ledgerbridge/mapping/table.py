"""One mapping table of the workspace, looked up by key, and the set of a workspace's tables."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.errors import ActionNeeded, ConfigError


@dataclass(frozen=True, slots=True)
class MappingTable:
    """A named table of text rows. ``key_column`` identifies a row; ``version`` is the content fingerprint."""

    name: str
    kind: str
    key_column: str
    rows: tuple[Mapping[str, str], ...]
    version: str
    _index: dict[str, Mapping[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Mapping[str, str]] = {}
        for row in self.rows:
            key = row.get(self.key_column, "").strip()
            if key:
                # keys compare case-insensitively: "subscription" and "Subscription" are the same type
                index.setdefault(key.casefold(), row)
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_config(cls, name: str, config: MappingConfig, *, key_column: str) -> MappingTable:
        """The table of one workspace mapping, keyed by ``key_column`` (or its first declared key column)."""
        column = config.key_columns[0] if config.key_columns else key_column
        rows = tuple(dict(row) for row in config.rows)
        if rows and not any(column in row for row in rows):
            raise ConfigError(
                f"mapping '{name}' has no column '{column}'",
                hint=f"give every row of mappings.{name} a '{column}' column",
            )
        return cls(name=name, kind=config.kind, key_column=column, rows=rows, version=config.fingerprint)

    def get(self, key: str) -> Mapping[str, str] | None:
        """The row for ``key``, or None."""
        return self._index.get(key.strip().casefold())

    def value(self, key: str, column: str) -> str | None:
        """The non-empty ``column`` of ``key``'s row, or None when the row or the cell is missing."""
        row = self.get(key)
        if row is None:
            return None
        cell = row.get(column, "").strip()
        return cell or None

    def require(self, key: str, column: str, *, what: str) -> str:
        """Like :meth:`value`, but a missing row or cell is ``ActionNeeded`` naming the key and the table."""
        found = self.value(key, column)
        if found is None:
            raise ActionNeeded(
                f"no {what} for '{key}' in mapping '{self.name}'",
                hint=(
                    f"add a row with {self.key_column}: {key} and {column}: <value> to mappings.{self.name} "
                    "in ledgerbridge.yaml, then retry the record (ledgerbridge hub retry ID)"
                ),
            )
        return found


class MappingTables:
    """The workspace's mapping tables by name, with lookups by kind."""

    def __init__(self, configs: Mapping[str, Any] | None = None) -> None:
        self._configs: dict[str, MappingConfig] = {}
        for name, config in (configs or {}).items():
            if not isinstance(config, MappingConfig):
                raise TypeError(f"mapping {name!r} is a {type(config).__name__}, not a MappingConfig")
            self._configs[str(name)] = config

    def names(self, kind: str) -> list[str]:
        """Names of the mappings of ``kind``, sorted."""
        return sorted(name for name, config in self._configs.items() if config.kind == kind)

    def table(self, kind: str, *, key_column: str, name: str | None = None) -> MappingTable | None:
        """The mapping ``name`` (which must be of ``kind``), or the only mapping of ``kind``; None if none.

        Two mappings of one kind without a name to choose is ambiguous, so it stops the run.
        """
        if name is not None:
            config = self._configs.get(name)
            if config is None:
                raise ConfigError(
                    f"mapping '{name}' is not defined",
                    hint=f"add mappings.{name} (kind: {kind}) to ledgerbridge.yaml or fix the flow's params",
                )
            if config.kind != kind:
                raise ConfigError(f"mapping '{name}' is of kind {config.kind}, expected {kind}")
            return MappingTable.from_config(name, config, key_column=key_column)
        candidates = self.names(kind)
        if not candidates:
            return None
        if len(candidates) > 1:
            raise ConfigError(
                f"several mappings of kind {kind}: {', '.join(candidates)}",
                hint="name the one to use in the flow's params",
            )
        return MappingTable.from_config(candidates[0], self._configs[candidates[0]], key_column=key_column)


def combined_version(versions: Iterable[str | None] | Sequence[str | None]) -> str | None:
    """One version string for several tables (None when no table is involved)."""
    present = sorted(v for v in versions if v)
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return hashlib.sha256("|".join(present).encode()).hexdigest()[:16]
