"""The workspace file (``ledgerbridge.yaml``) as typed, validated models.

``load_workspace(path)`` returns a :class:`Workspace` or raises :class:`ConfigErrors` listing every problem
as ``file:line: field: message — hint``. Credentials are references (``{env: NAME}`` or
``{file: path, key: dotted.key}``) resolved into :class:`SecretValue` and registered for log redaction the
moment they are read. ``render_default`` and ``render_sandbox`` write new workspace files for ``init``.
"""

from ledgerbridge.config.connections import (
    SYSTEMS,
    Connection,
    EmailConnection,
    Limits,
    NetSuiteConnection,
    NueConnection,
    OAuth2ClientCredentialsAuth,
    PigmentConnection,
    SlackConnection,
    TbaAuth,
)
from ledgerbridge.config.flows import FLOW_NAMES, FLOW_SYSTEMS, FlowConfig, FlowSystems
from ledgerbridge.config.loader import DEFAULT_PATH, load_workspace, parse_workspace_text
from ledgerbridge.config.mappings import MappingConfig, MappingKind
from ledgerbridge.config.problems import ConfigErrors, ConfigProblem
from ledgerbridge.config.secrets import SecretValue
from ledgerbridge.config.templates import render_default, render_example, render_sandbox
from ledgerbridge.config.triggers import Batch, Trigger, parse_duration
from ledgerbridge.config.workspace import HubConfig, LoggingConfig, Workspace, WorkspaceInfo

__all__ = [
    "DEFAULT_PATH",
    "FLOW_NAMES",
    "FLOW_SYSTEMS",
    "SYSTEMS",
    "Batch",
    "ConfigErrors",
    "ConfigProblem",
    "Connection",
    "EmailConnection",
    "FlowConfig",
    "FlowSystems",
    "HubConfig",
    "Limits",
    "LoggingConfig",
    "MappingConfig",
    "MappingKind",
    "NetSuiteConnection",
    "NueConnection",
    "OAuth2ClientCredentialsAuth",
    "PigmentConnection",
    "SecretValue",
    "SlackConnection",
    "TbaAuth",
    "Trigger",
    "Workspace",
    "WorkspaceInfo",
    "load_workspace",
    "parse_duration",
    "parse_workspace_text",
    "render_default",
    "render_example",
    "render_sandbox",
]
