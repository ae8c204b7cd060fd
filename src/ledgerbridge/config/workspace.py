"""The workspace: the typed form of ``ledgerbridge.yaml``.

    version: 1
    workspace:   {name, timezone}
    hub:         {url, password?}            default sqlite:///.ledgerbridge/hub.db beside the file
    logging:     {level, json, file?}
    connections: {<name>: {system: netsuite | nue | pigment | slack | email, ...}}
    mappings:    {<name>: {kind, key_columns?, rows | file}}
    flows:       [{name, enabled, source, target, params, trigger, batch}]

Relative paths (hub database, log file, mapping CSVs, secrets files) are relative to the workspace file's
folder, so a workspace works the same whatever directory ledgerbridge is started from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ledgerbridge.config.base import Name, StrictModel, invalid, load_context
from ledgerbridge.config.checks import FlowRef, reference_problems
from ledgerbridge.config.connections import Connection
from ledgerbridge.config.flows import FlowConfig
from ledgerbridge.config.mappings import MappingConfig
from ledgerbridge.config.secrets import Secret
from ledgerbridge.config.zones import TimeZoneName
from ledgerbridge.log import configure_logging, register_secret

DEFAULT_HUB_URL = "sqlite:///.ledgerbridge/hub.db"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class WorkspaceInfo(StrictModel):
    """Who this workspace is for and which clock its schedules and periods use."""

    name: str = Field(min_length=1, max_length=100, description="a label for logs and the console, e.g. acme")
    timezone: TimeZoneName = Field(
        description="IANA time zone of schedules and periods, e.g. America/New_York"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _check_hub_url(value: str, base_dir: Path) -> URL:
    try:
        url = make_url(value)
    except ArgumentError:
        raise invalid(
            "not a database URL",
            "write sqlite:///path/to/hub.db or postgresql+psycopg://user@host/database",
        ) from None
    if url.password is not None:
        register_secret(str(url.password))
        raise invalid(
            "inline credential: the hub URL contains a password",
            "remove it from the URL and set hub.password: {env: NAME}",
        )
    backend = url.get_backend_name()
    if backend == "postgresql":
        # the product ships psycopg 3; SQLAlchemy's bare `postgresql://` would mean psycopg2
        return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url
    if backend != "sqlite":
        raise invalid(f"unsupported database '{backend}'", "use sqlite:///… or postgresql+psycopg://…")
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        if not path.is_absolute():
            url = url.set(database=str(base_dir / path))
    return url


class HubConfig(StrictModel):
    """Where the Transaction Hub lives."""

    url: str = Field(default=DEFAULT_HUB_URL, description="SQLAlchemy URL without a password")
    password: Secret | None = Field(default=None, description="database password, e.g. {env: HUB_PASSWORD}")

    @field_validator("url")
    @classmethod
    def _resolve_url(cls, value: str, info: ValidationInfo) -> str:
        return _check_hub_url(value, load_context(info).base_dir).render_as_string(hide_password=False)

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    def connect_url(self) -> str:
        """The URL to connect with, password included. Never log it (the password is registered anyway)."""
        url = make_url(self.url)
        if self.password is not None:
            url = url.set(password=self.password.get_secret_value())
        return url.render_as_string(hide_password=False)


class LoggingConfig(StrictModel):
    """Log level and format; ``json: true`` writes one JSON object per line for log shippers."""

    level: LogLevel = "INFO"
    json_lines: bool = Field(default=False, alias="json", description="JSON lines instead of text")
    file: Path | None = Field(default=None, description="also write to this file")

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("file")
    @classmethod
    def _resolve_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else load_context(info).resolve(value)

    def apply(self) -> None:
        """Install the product's (redacting) log handlers with these settings."""
        configure_logging(self.level, json_lines=self.json_lines, file=self.file)


_EMPTY_SECTIONS: dict[str, Any] = {"hub": {}, "logging": {}, "connections": {}, "mappings": {}, "flows": []}


class Workspace(StrictModel):
    """A whole workspace file, validated: every reference resolved and every secret read."""

    version: Literal[1] = Field(description="the file format version; write version: 1")
    workspace: WorkspaceInfo = Field(description="name and time zone, e.g. {name: acme, timezone: UTC}")
    hub: HubConfig
    logging: LoggingConfig
    connections: dict[Name, Connection]
    mappings: dict[Name, MappingConfig]
    flows: list[FlowConfig]

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _fill_sections(cls, data: Any) -> Any:
        # An absent or empty section (`connections:` with only comments under it) means "none". Filling it
        # here rather than with defaults makes hub/logging validate with the loader's context (their
        # relative paths start at the workspace file, not the current directory).
        if not isinstance(data, Mapping):
            return data
        return {**data, **{key: value for key, value in _EMPTY_SECTIONS.items() if data.get(key) is None}}

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Workspace:
        if not load_context(info).check_references:
            return self
        connections: dict[str, str | None] = {name: conn.system for name, conn in self.connections.items()}
        flows = [FlowRef(index, flow.name, flow.source, flow.target) for index, flow in enumerate(self.flows)]
        problems = reference_problems(connections, flows)
        if problems:
            first = problems[0]
            raise invalid(first.message, first.hint, at=first.path)
        return self

    @property
    def source_path(self) -> Path | None:
        """The file this workspace was loaded from (None when built in code)."""
        return self._source

    @property
    def zone(self) -> ZoneInfo:
        return self.workspace.zone

    def connection(self, name: str) -> Connection:
        """The connection called ``name`` (KeyError with the known names if there is none)."""
        try:
            return self.connections[name]
        except KeyError:
            raise KeyError(f"no connection named {name!r}; known: {sorted(self.connections)}") from None

    def flow(self, name: str) -> FlowConfig | None:
        return next((flow for flow in self.flows if flow.name == name), None)

    def enabled_flows(self) -> list[FlowConfig]:
        return [flow for flow in self.flows if flow.enabled]
