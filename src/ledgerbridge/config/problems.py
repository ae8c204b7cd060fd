"""The errors ``config check`` reports: one :class:`ConfigProblem` per finding, all of them in
:class:`ConfigErrors`.

Each problem prints as ``ledgerbridge.yaml:14: flows[1].trigger.cron: <what is wrong> — <how to fix it>``
and has a JSON form for ``--json``. Text passes through :func:`ledgerbridge.log.redact` on the way in, so a
problem can be printed or logged as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ledgerbridge.errors import ConfigError, Fatal
from ledgerbridge.log import redact


def format_path(path: Sequence[str | int]) -> str:
    """``("flows", 1, "trigger", "cron")`` → ``flows[1].trigger.cron``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class ConfigProblem(ConfigError):
    """One invalid line of a workspace file: ``file``, ``line`` (1-based, None if unknown) and ``field``."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        location = f"{file}:{line}" if line is not None else file
        super().__init__(
            redact(message), location=location, field=field or None, hint=redact(hint) if hint else None
        )
        self.file = file
        self.line = line

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class ConfigErrors(Fatal):
    """Every problem found in a workspace file (loading never stops at the first one)."""

    kind = "config"

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = sorted(
            problems, key=lambda problem: (problem.file, problem.line or 0, problem.field or "")
        )
        count = len(self.problems)
        files = sorted({problem.file for problem in self.problems})
        noun = "error" if count == 1 else "errors"
        super().__init__(
            f"{count} configuration {noun} in {', '.join(files)}", hint="run `ledgerbridge config check`"
        )

    @property
    def errors(self) -> list[ConfigError]:
        """The problems as the generic :class:`ledgerbridge.errors.ConfigError` type."""
        return list(self.problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *(str(problem) for problem in self.problems)])

    def to_dict(self) -> dict[str, Any]:
        return {"valid": False, "errors": [problem.to_dict() for problem in self.problems]}
