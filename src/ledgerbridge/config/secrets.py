"""Credentials by reference: ``{env: NAME}``, ``{file: path, key: dotted.key}`` or ``{file: path}``.

A credential never sits in the workspace file itself: the file is committed to git, shared in tickets and
pasted into chats. An inline value is therefore an error (with the fix in the hint), and the value is still
registered for redaction so that even the error path cannot print it.

Resolution happens during validation, so a missing variable, file or key is reported like any other
config error — with the workspace file's line and the field. Every resolved value is registered with
:func:`ledgerbridge.log.register_secret` the moment it is read, before anything could log it.

Secrets files are YAML or JSON (by extension; ``.ledgerbridge/sandbox.json`` is one) and are addressed with
a dotted key. Without ``key`` the whole file is the secret (a PEM private key, a token file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, SecretStr, ValidationInfo
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ledgerbridge.config.base import LoadContext, invalid, load_context
from ledgerbridge.log import MIN_SECRET_LENGTH, register_secret

_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REF_HINT = "write {env: NAME} (an environment variable) or {file: secrets.yaml, key: section.name}"


class SecretValue(SecretStr):
    """A resolved credential that remembers where it came from (``env:NAME``, ``file:path#key``).

    It prints as ``**********`` like any :class:`pydantic.SecretStr`; only ``get_secret_value()`` reveals it.
    """

    def __init__(self, secret_value: str, source: str) -> None:
        super().__init__(secret_value)
        self.source = source

    def __repr__(self) -> str:
        return f"SecretValue('**********', source={self.source!r})"


def _parse_reference(value: Mapping[Any, Any]) -> tuple[str | None, str | None, str | None]:
    """(env, file, key) of a reference, or an error naming the first problem."""
    allowed = {"env", "file", "key"}
    unknown = [str(key) for key in value if key not in allowed]
    if unknown:
        raise invalid(
            f"unknown key '{unknown[0]}' in a secret reference",
            f"a secret reference has either 'env' or 'file' (+ optional 'key'): {_REF_HINT}",
        )
    env, file, key = value.get("env"), value.get("file"), value.get("key")
    for name, item in (("env", env), ("file", file), ("key", key)):
        if item is not None and not isinstance(item, str):
            raise invalid(f"'{name}' of a secret reference must be text", _REF_HINT)
    if (env is None) == (file is None):
        raise invalid("a secret reference needs exactly one of 'env' or 'file'", _REF_HINT)
    if env is not None:
        if key is not None:
            raise invalid(
                "'key' only goes with 'file', not with 'env'", "remove 'key' or use {file: ..., key: ...}"
            )
        if not _ENV_NAME_RE.fullmatch(env):
            raise invalid(
                f"'{env}' is not an environment variable name",
                "use letters, digits and '_' and do not start with a digit, e.g. NETSUITE_TOKEN_SECRET",
            )
    if key is not None and not all(key.split(".")):
        raise invalid(f"'{key}' is not a dotted key", "write it as section.name, e.g. netsuite.token_secret")
    return env, file, key


def _from_env(name: str, ctx: LoadContext) -> str:
    value = ctx.environ.get(name)
    if value is None:
        raise invalid(
            f"environment variable {name} is not set",
            f"export {name}=... in the environment that runs ledgerbridge, or reference a secrets file",
        )
    return value


def _read_secrets_file(path: Path, shown: str, ctx: LoadContext) -> Any:
    if path in ctx.secret_files:
        return ctx.secret_files[path]
    if not path.is_file():
        raise invalid(
            f"secrets file '{shown}' not found",
            f"create it (paths are relative to the workspace file's folder: {ctx.base_dir})",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid(
            f"cannot read secrets file '{shown}': {type(exc).__name__}", "check its permissions"
        ) from None
    # Parse errors are reported by position only: the parser's own message quotes the offending line,
    # and that line may hold a secret.
    data: Any
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise invalid(
                f"secrets file '{shown}' is not valid JSON (line {exc.lineno}, column {exc.colno})",
                "fix the JSON syntax",
            ) from None
    else:
        try:
            data = YAML(typ="safe", pure=True).load(text)
        except MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark is not None else "?"
            raise invalid(
                f"secrets file '{shown}' is not valid YAML (line {line})", "fix the YAML syntax"
            ) from None
        except YAMLError:
            raise invalid(f"secrets file '{shown}' is not valid YAML", "fix the YAML syntax") from None
    ctx.secret_files[path] = data
    return data


def _from_file(file: str, key: str | None, ctx: LoadContext) -> str:
    path = ctx.resolve(file)
    if key is None:
        if not path.is_file():
            raise invalid(
                f"secret file '{file}' not found",
                f"create it (paths are relative to the workspace file's folder: {ctx.base_dir})",
            )
        try:
            return path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise invalid(
                f"cannot read secret file '{file}': {type(exc).__name__}", "check its permissions"
            ) from None
    node: Any = _read_secrets_file(path, file, ctx)
    for depth, part in enumerate(key.split(".")):
        if not isinstance(node, Mapping) or part not in node:
            found = ".".join(key.split(".")[:depth]) or "the top level"
            raise invalid(
                f"key '{key}' not found in secrets file '{file}' (no '{part}' under {found})",
                "check the key's spelling or add it to the secrets file",
            )
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, str | int):
        raise invalid(
            f"key '{key}' in secrets file '{file}' is not a single text value",
            "point the key at the value itself, not at a section or list",
        )
    return str(node)


def resolve_secret(value: object, info: ValidationInfo) -> SecretStr:
    """Validator for credential fields: a reference becomes a registered :class:`SecretValue`."""
    if isinstance(value, SecretStr):
        # built in code with an already-resolved secret (tests, connectors); still make it unprintable
        register_secret(value.get_secret_value())
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        # The user pasted the credential itself. Register it first: the value must not leak from here on.
        register_secret(str(value))
        raise invalid(
            "inline credential: a secret must not be written in the workspace file",
            f"move the value to an environment variable or a secrets file and {_REF_HINT}",
        )
    if not isinstance(value, Mapping):
        raise invalid("expected a secret reference", _REF_HINT)
    ctx = load_context(info)
    env, file, key = _parse_reference(value)
    if env is not None:
        secret, source = _from_env(env, ctx), f"env:{env}"
    else:
        assert file is not None  # guaranteed by _parse_reference
        secret = _from_file(file, key, ctx)
        source = f"file:{file}#{key}" if key else f"file:{file}"
    register_secret(secret)
    if len(secret) < MIN_SECRET_LENGTH:
        raise invalid(
            f"the secret from {source} is shorter than {MIN_SECRET_LENGTH} characters",
            "a value that short cannot be redacted from logs reliably; check that it is the right value",
        )
    return SecretValue(secret, source)


#: a credential field: written as a reference, validated into a :class:`SecretValue`
Secret = Annotated[SecretStr, BeforeValidator(resolve_secret)]
