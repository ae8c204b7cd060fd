"""``ledgerbridge init`` and ``ledgerbridge config check``.

Both speak to people who are editing a file, so every failure is one plain line per problem —
``ledgerbridge.yaml:14: flows[1].trigger.cron: <what> — <how to fix>`` — and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ledgerbridge.config import (
    ConfigErrors,
    Workspace,
    load_workspace,
    render_default,
    render_sandbox,
)
from ledgerbridge.errors import ConfigError
from ledgerbridge.interfaces.cli.workspace import config_path
from ledgerbridge.log import redact

#: where `ledgerbridge sandbox up` leaves its state, relative to the directory it runs in
SANDBOX_STATE_DIR = Path(".ledgerbridge")
EXIT_INVALID = 2

PathOption = Annotated[
    Path | None,
    typer.Option("--path", "-p", help="The workspace file (default: --config).", dir_okay=False),
]


def _out() -> Console:
    # created per call so that the current sys.stdout is used (the CLI test runner swaps it)
    return Console(file=sys.stdout, markup=False, highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(file=sys.stderr, markup=False, highlight=False, soft_wrap=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _summary(workspace: Workspace) -> dict[str, Any]:
    return {
        "connections": len(workspace.connections),
        "mappings": len(workspace.mappings),
        "flows": len(workspace.flows),
        "enabled_flows": len(workspace.enabled_flows()),
    }


def _fail(message: str, hint: str | None = None) -> typer.Exit:
    _err().print(f"error: {redact(message)}" + (f" — {redact(hint)}" if hint else ""))
    return typer.Exit(EXIT_INVALID)


def _print_problems(errors: ConfigErrors) -> None:
    out = _out()
    for problem in errors.problems:
        out.print(str(problem))
    _err().print(errors.message)


def check(
    ctx: typer.Context,
    path: PathOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Validate the workspace file: every error names file:line and the field, and says how to fix it."""
    path = path or config_path(ctx)
    try:
        workspace = load_workspace(path)
    except ConfigErrors as errors:
        if json_output:
            typer.echo(json.dumps(errors.to_dict(), indent=2))
        else:
            _print_problems(errors)
        raise typer.Exit(EXIT_INVALID) from None
    except Exception as exc:  # a bug must still not show a traceback to someone editing a YAML file
        raise _fail(f"unexpected failure while checking {path}: {type(exc).__name__}: {exc}") from None
    summary = _summary(workspace)
    if json_output:
        typer.echo(json.dumps({"valid": True, "errors": [], "summary": summary}, indent=2))
        return
    _out().print(
        f"{path}: valid — {_plural(summary['connections'], 'connection')}, "
        f"{_plural(summary['mappings'], 'mapping')}, {_plural(summary['flows'], 'flow')} "
        f"({summary['enabled_flows']} enabled)"
    )


def _sandbox_text(path: Path) -> str:
    state_dir = SANDBOX_STATE_DIR.resolve()
    sandbox_file = state_dir / "sandbox.json"
    if not sandbox_file.is_file():
        raise _fail(
            f"no sandbox found ({SANDBOX_STATE_DIR / 'sandbox.json'} is missing)",
            "run `ledgerbridge sandbox up` (it stays in the foreground: use another terminal), "
            "then `ledgerbridge init --sandbox`",
        )
    try:
        sandbox = json.loads(sandbox_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(
            f"cannot read {sandbox_file}: {type(exc).__name__}", "re-run `ledgerbridge sandbox up`"
        ) from None
    if not isinstance(sandbox, dict):
        raise _fail(f"{sandbox_file} is not a JSON object", "re-run `ledgerbridge sandbox up`")
    # the workspace refers to the sandbox's files relative to its own folder
    relative = Path(os.path.relpath(state_dir, path.resolve().parent)).as_posix()
    try:
        return render_sandbox(sandbox, state_dir=relative)
    except ConfigError as exc:
        raise _fail(exc.message, exc.hint) from None


def init(
    ctx: typer.Context,
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Point the workspace at `ledgerbridge sandbox up`.")
    ] = False,
    path: PathOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a workspace file: a commented starting point, or (--sandbox) one wired to the local sandbox."""
    path = path or config_path(ctx)
    if path.exists() and not force:
        raise _fail(f"{path} already exists", "pass --force to overwrite it")
    text = _sandbox_text(path) if sandbox else render_default()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # atomic: an interrupted init never leaves half a file behind
    try:
        workspace = load_workspace(path)
    except ConfigErrors as errors:
        _print_problems(errors)
        raise _fail(f"wrote {path}, but it does not validate", "fix the lines above") from None
    summary = _summary(workspace)
    counts = f"{_plural(summary['connections'], 'connection')}, {_plural(summary['flows'], 'flow')}"
    _out().print(f"wrote {path} ({counts}); next: edit it, then `ledgerbridge config check`")


def register(app: typer.Typer) -> None:
    """Add ``init`` and the ``config`` command group (``config check``) to the ledgerbridge CLI."""
    app.command("init")(init)
    config_app = typer.Typer(help="Inspect and validate the workspace file.", no_args_is_help=True)
    config_app.command("check")(check)
    app.add_typer(config_app, name="config")
