"""``load_workspace``: file → YAML tree → checks + model validation → :class:`Workspace` or every error.

The order matters for what the user sees: the YAML must parse (a syntax error is the only thing reported if
it does not); then the cross-reference checks on the raw tree and model validation both run, so all their
findings arrive together, each located by line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from ledgerbridge.config.base import LoadContext, make_context
from ledgerbridge.config.checks import Problem, number_problems, raw_views, reference_problems
from ledgerbridge.config.messages import translate
from ledgerbridge.config.problems import ConfigErrors, ConfigProblem, format_path
from ledgerbridge.config.source import YamlDocument, parse_yaml, to_plain
from ledgerbridge.config.workspace import Workspace

DEFAULT_PATH = Path("ledgerbridge.yaml")


def _read(path: Path, shown: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = "run `ledgerbridge init` to create one, or point --path at your workspace file"
        raise ConfigErrors([ConfigProblem("file not found", file=shown, hint=hint)]) from None
    except IsADirectoryError:
        raise ConfigErrors(
            [ConfigProblem("is a directory", file=shown, hint="give the YAML file's path")]
        ) from None
    except UnicodeDecodeError as exc:
        problem = ConfigProblem(
            f"not UTF-8 text (byte {exc.start})", file=shown, hint="save the file as UTF-8"
        )
        raise ConfigErrors([problem]) from None
    except OSError as exc:
        problem = ConfigProblem(
            f"cannot read: {exc.strerror}", file=shown, hint="check the file's permissions"
        )
        raise ConfigErrors([problem]) from None


def _located(problem: Problem, doc: YamlDocument) -> ConfigProblem:
    return ConfigProblem(
        problem.message,
        file=doc.shown,
        line=doc.line_of(problem.path),
        field=format_path(problem.path),
        hint=problem.hint,
    )


def parse_workspace_text(
    text: str, *, shown: str, base_dir: Path, environ: Mapping[str, str] | None = None
) -> Workspace:
    """Validate workspace YAML given as text (``shown`` names it in messages; paths start at ``base_dir``)."""
    try:
        doc = parse_yaml(text, shown)
    except ConfigProblem as syntax_error:
        raise ConfigErrors([syntax_error]) from None
    if doc.root is None:
        hint = "run `ledgerbridge init` to write a commented starting point"
        raise ConfigErrors([ConfigProblem("the file is empty", file=shown, line=1, hint=hint)])
    if not isinstance(doc.root, CommentedMap):
        problem = ConfigProblem(
            "the top level must be a mapping (version:, workspace:, connections:, ...)",
            file=shown,
            line=1,
            hint="start the file with `version: 1` followed by the other sections",
        )
        raise ConfigErrors([problem])

    findings = number_problems(doc.root)
    views = raw_views(doc.root)
    if views is not None:
        findings += reference_problems(*views)
    problems = [_located(finding, doc) for finding in findings]

    # references were just checked with line numbers; the model need not repeat them without
    context = LoadContext(
        base_dir=base_dir, environ=os.environ if environ is None else environ, check_references=False
    )
    try:
        workspace = Workspace.model_validate(to_plain(doc.root), context=make_context(context))
    except ValidationError as exc:
        problems += translate(exc, doc, Workspace)
    if problems:
        raise ConfigErrors(problems)
    return workspace


def load_workspace(path: Path = DEFAULT_PATH, *, environ: Mapping[str, str] | None = None) -> Workspace:
    """Read and validate a workspace file, resolving its secrets and mapping files.

    Raises :class:`ConfigErrors` with every problem found, each naming ``file:line`` and the field.
    ``environ`` replaces ``os.environ`` for ``{env: NAME}`` references (tests, embedding).
    """
    shown = str(path)
    text = _read(path, shown)
    workspace = parse_workspace_text(text, shown=shown, base_dir=path.resolve().parent, environ=environ)
    workspace._source = path.resolve()
    return workspace
