"""Reading the YAML: a round-trip parse that remembers the line of every key and list item.

ruamel.yaml's round-trip loader keeps positions (``.lc``) on every mapping and sequence. :meth:`line_of`
walks a field path down that tree and returns the line of the deepest part that exists — the key itself
for a bad value or an unknown key, the enclosing key or list item for a missing one.
:func:`to_plain` gives model validation ordinary dicts, lists and scalars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ledgerbridge.config.problems import ConfigProblem


@dataclass(frozen=True)
class YamlDocument:
    """A parsed workspace file: the round-trip tree plus the name to show in messages."""

    shown: str
    root: Any

    def line_of(self, path: Sequence[str | int]) -> int:
        """1-based line of the deepest existing part of ``path``."""
        node, line = self.root, 1
        for part in path:
            try:
                if isinstance(node, CommentedMap) and part in node:
                    line = node.lc.key(part)[0] + 1
                    node = node[part]
                    continue
                if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                    line = node.lc.item(part)[0] + 1
                    node = node[part]
                    continue
            except (KeyError, IndexError, TypeError, AttributeError):
                # keys pulled in by a YAML merge (<<:) have no position of their own
                pass
            break
        return line


def _yaml_problem(exc: YAMLError, shown: str) -> ConfigProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    if isinstance(exc, DuplicateKeyError):
        # ruamel's text for this is a page long; the first line names the key
        detail = (exc.problem or "duplicate key").split("\n")[0]
        return ConfigProblem(detail, file=shown, line=line, hint="each key may appear once in a mapping")
    if isinstance(exc, MarkedYAMLError):
        message = f"YAML syntax error: {exc.problem or 'cannot parse'}"
        context_mark = exc.context_mark
        if exc.context and context_mark is not None and context_mark.line + 1 != line:
            # the cause is often where the construct began (an unclosed bracket or quote), so name it too
            message += f" ({exc.context} that starts on line {context_mark.line + 1})"
    else:
        message = f"YAML syntax error: {exc}"
    return ConfigProblem(
        message,
        file=shown,
        line=line,
        hint="check the indentation and quoting on this line and the one before",
    )


def parse_yaml(text: str, shown: str) -> YamlDocument:
    """Parse ``text``; a syntax error becomes a single :class:`ConfigProblem` (raised)."""
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.load(text)
    except YAMLError as exc:
        raise _yaml_problem(exc, shown) from None
    return YamlDocument(shown=shown, root=root)


def to_plain(node: Any) -> Any:
    """The round-trip tree as plain dicts, lists, str, int, float, bool (ruamel's subclasses unwrapped)."""
    if isinstance(node, dict):
        return {to_plain(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(item) for item in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node
