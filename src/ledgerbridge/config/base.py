"""Shared pieces of the config models: the strict base model, the validation context, custom errors.

Every model refuses unknown keys (``extra="forbid"``) because a misspelt key that is silently ignored is the
most expensive kind of configuration bug: the setting the user *thinks* they made never takes effect.

Validators raise :func:`invalid` errors rather than ``ValueError`` so that each error carries its own hint
(how to fix it) and, optionally, a sub-path (``at``) or a foreign location (a CSV file line) that the loader
turns into ``file:line: field: message — hint``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo
from pydantic_core import PydanticCustomError

#: the error type of every error raised on purpose by the config validators
CUSTOM_ERROR = "ledgerbridge_config"

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")


class StrictModel(BaseModel):
    """Base of every workspace model: unknown keys are errors and a loaded config is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


@dataclass
class LoadContext:
    """What validators need beyond the data itself: where relative paths start and where env vars live.

    ``check_references`` is off when the loader has already checked cross references on the raw YAML
    (with line numbers); models built in code keep it on so a broken reference cannot slip through.
    """

    base_dir: Path = field(default_factory=Path.cwd)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    check_references: bool = True
    #: parsed secrets files, so a file referenced by ten fields is read once
    secret_files: dict[Path, Any] = field(default_factory=dict)

    def resolve(self, path: str | Path) -> Path:
        """``path`` relative to the workspace file's folder (absolute paths stay as they are)."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate)


_CONTEXT_KEY = "ledgerbridge"


def make_context(ctx: LoadContext) -> dict[str, Any]:
    """The ``context=`` argument for ``model_validate``."""
    return {_CONTEXT_KEY: ctx}


def load_context(info: ValidationInfo) -> LoadContext:
    """The loader's context, or defaults (current directory, process env) for models built in code."""
    context = info.context
    if isinstance(context, Mapping):
        found = context.get(_CONTEXT_KEY)
        if isinstance(found, LoadContext):
            return found
    return LoadContext()


def invalid(
    message: str,
    hint: str | None = None,
    *,
    at: tuple[str | int, ...] = (),
    location: str | None = None,
) -> PydanticCustomError:
    """A validation error with a hint.

    ``at`` extends the error's field path (a model validator reporting on one of its keys); ``location``
    replaces ``file:line`` when the problem lives in another file (a mapping CSV).
    The message travels in the context, not the template, so braces in it (``{env: NAME}``) stay literal.
    """
    context: dict[str, Any] = {"message": message, "hint": hint, "at": at, "location": location}
    return PydanticCustomError(CUSTOM_ERROR, "{message}", context)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for a near miss, else None.

    A choice that extends what was typed (``timeout`` → ``timeout_seconds``) beats a merely similar one
    (``timezone``): people shorten names far more often than they misspell them.
    """
    options = list(choices)
    extended = sorted((choice for choice in options if word and choice.startswith(word)), key=len)
    matches = extended or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(f"'{choice}'" for choice in choices)


def _check_name(value: str) -> str:
    if not _NAME_RE.fullmatch(value):
        raise invalid(
            f"'{value}' is not a usable name",
            "start with a letter; use letters, digits, '_' or '-' (at most 63 characters)",
        )
    return value


#: a connection or mapping name: it appears in flow references, hub rows and log lines
Name = Annotated[str, AfterValidator(_check_name)]
