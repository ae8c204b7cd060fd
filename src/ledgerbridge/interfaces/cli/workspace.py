"""The CLI's view of the workspace: which file, which hub, and turning load errors into exit code 2.

Commands that only read or repair the hub work without a workspace file (they open the default hub,
``.ledgerbridge/hub.db`` in the current folder); commands that talk to other systems need one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
from sqlalchemy.exc import SQLAlchemyError

from ledgerbridge.config.loader import DEFAULT_PATH, load_workspace
from ledgerbridge.config.problems import ConfigErrors
from ledgerbridge.config.workspace import DEFAULT_HUB_URL, Workspace
from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.hub import HubStore
from ledgerbridge.interfaces.cli.render import EXIT_FATAL, err, fail, fail_with

CONFIG_ENV = "LEDGERBRIDGE_CONFIG"


@dataclass(slots=True)
class CliSettings:
    """Global options of one invocation, kept on the root click context by the top-level callback."""

    config_path: Path = DEFAULT_PATH
    json_logs: bool = False
    log_level: str = "WARNING"


def current_settings(ctx: typer.Context) -> CliSettings:
    """This invocation's global options (defaults when a command runs without the top-level callback).

    They live on the root context rather than in a module global, so nothing of one invocation leaks into
    the next (tests and embedders run many invocations in one process).
    """
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliSettings) else CliSettings(config_path=default_config_path())


def config_path(ctx: typer.Context) -> Path:
    return current_settings(ctx).config_path


def print_config_errors(errors: ConfigErrors) -> None:
    for problem in errors.problems:
        err.print(str(problem), markup=False)


def require_workspace(ctx: typer.Context) -> Workspace:
    """Load the workspace file or exit 2 with every problem printed (no traceback)."""
    try:
        workspace = load_workspace(config_path(ctx))
    except ConfigErrors as errors:
        print_config_errors(errors)
        raise SystemExit(EXIT_FATAL) from None
    return workspace


def optional_workspace(ctx: typer.Context) -> Workspace | None:
    """The workspace when its file exists, else None; an invalid file still exits 2."""
    if not config_path(ctx).exists():
        return None
    return require_workspace(ctx)


def hub_url(workspace: Workspace | None) -> str:
    if workspace is not None:
        return workspace.hub.connect_url()
    os.makedirs(".ledgerbridge", exist_ok=True)
    return DEFAULT_HUB_URL


@contextmanager
def open_hub(workspace: Workspace | None = None) -> Iterator[HubStore]:
    """The hub of ``workspace`` (or the default one), closed on exit; hub errors exit 2."""
    try:
        store = HubStore.open(hub_url(workspace))
    except LedgerbridgeError as exc:
        fail_with(exc)
    except SQLAlchemyError as exc:
        fail(
            f"cannot open the hub database: {exc.__class__.__name__}: {getattr(exc, 'orig', None) or exc}",
            hint="check hub.url in ledgerbridge.yaml and that the database is reachable",
        )
    try:
        yield store
    finally:
        store.close()


def default_config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV, str(DEFAULT_PATH)))
