"""The ``ledgerbridge`` command (DESIGN §5). Each command group lives in its own module; this file wires them.

Global options come before the command: ``ledgerbridge --config path/to/ledgerbridge.yaml hub list``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledgerbridge import __version__
from ledgerbridge.interfaces.cli import config_cmds, hub_cmds, run_cmds, sandbox_cmds
from ledgerbridge.interfaces.cli.workspace import CONFIG_ENV, CliSettings, default_config_path
from ledgerbridge.log import configure_logging

app = typer.Typer(
    name="ledgerbridge",
    help="Finance integration engine: Nue ↔ NetSuite ↔ Pigment, with a Transaction Hub and a sandbox.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ledgerbridge {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", envvar=CONFIG_ENV, help="the workspace file (default ledgerbridge.yaml)"
        ),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING, ERROR")] = "WARNING",
    log_json: Annotated[bool, typer.Option("--log-json", help="log JSON lines to stderr")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True)] = False,
) -> None:
    ctx.obj = CliSettings(
        config_path=config or default_config_path(), json_logs=log_json, log_level=log_level.upper()
    )
    configure_logging(ctx.obj.log_level, json_lines=log_json)


config_cmds.register(app)
app.add_typer(hub_cmds.hub_app, name="hub")
app.command("runs")(hub_cmds.runs)
app.command("run")(run_cmds.run)
app.command("start")(run_cmds.start)
app.add_typer(sandbox_cmds.sandbox_app, name="sandbox")
app.command("demo")(sandbox_cmds.demo)


if __name__ == "__main__":
    app()
