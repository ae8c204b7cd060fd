"""Pydantic's validation errors, rewritten as ``file:line: field: message — hint`` a person can act on.

Pydantic reports a location (``loc``) in model terms; for discriminated unions it includes the tag
(``connections.ns.netsuite.auth.tba.token_secret``). Tags are dropped by comparing the path with the YAML
tree (a tag is a part that is not a key there but is the value of ``system:`` or ``type:``), which gives the
field as the user wrote it and, through the tree, its line.

Unknown and missing keys get hints from the models themselves: the keys allowed at that spot (with a
"did you mean" for near misses) and the field's description. Input values are quoted only for plain
scalars, and every text is redacted when the problem is built.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from ledgerbridge.config.base import CUSTOM_ERROR, suggest
from ledgerbridge.config.problems import ConfigProblem, format_path
from ledgerbridge.config.source import YamlDocument

_TAG_KEYS = ("system", "type")
_NOUNS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (indented key: value lines)",
    "model_type": "a mapping (indented key: value lines)",
    "model_attributes_type": "a mapping (indented key: value lines)",
    "list_type": "a list (lines starting with '- ')",
    "path_type": "a file path",
    "literal_error": None,
}
_BOUNDS = {
    "greater_than": ("gt", "greater than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}


def _shown(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- walking the model types along a location ---------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _field(model: type[BaseModel], key: Any) -> tuple[str, FieldInfo] | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return name, info
    return None


def _tagged_member(union: Any, tag: Any) -> Any:
    for member in get_args(union):
        member = _unwrap(member)
        if not _is_model(member):
            continue
        for key in _TAG_KEYS:
            found = _field(member, key)
            if found and get_origin(found[1].annotation) is Literal and tag in get_args(found[1].annotation):
                return member
    return None


def model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model class that validated the mapping at ``loc`` (pydantic's loc, tags included)."""
    annotation: Any = root
    for part in loc:
        if part == "[key]":
            continue
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if _is_model(annotation):
            found = _field(annotation, part)
            if found is None:
                return None
            annotation = found[1].annotation
        elif origin is dict:
            annotation = get_args(annotation)[1]
        elif origin is list:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = _tagged_member(annotation, part)
            if annotation is None:
                return None
        else:
            return None
    annotation = _unwrap(annotation)
    return annotation if _is_model(annotation) else None


def _description(root: type[BaseModel], loc: Sequence[Any]) -> str | None:
    """The description of the field at ``loc``, if the models give one."""
    model = model_at(root, loc[:-1]) if loc else None
    found = _field(model, loc[-1]) if model is not None else None
    if found is None:
        return None
    if _unwrap(found[1].annotation) is SecretStr:
        return "a credential reference: {env: NAME} or {file: path, key: dotted.key}"
    return found[1].description


def _allowed_keys(model: type[BaseModel] | None) -> list[str]:
    return [] if model is None else [info.alias or name for name, info in model.model_fields.items()]


# --- the field path as written in the file -------------------------------------------------------------


def written_path(loc: Sequence[Any], doc: YamlDocument) -> tuple[str | int, ...]:
    """``loc`` without union tags and pydantic's ``[key]`` marker."""
    node: Any = doc.root
    path: list[str | int] = []
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, Mapping):
            if part in node:
                path.append(part)
                node = node[part]
                continue
            if any(node.get(key) == part for key in _TAG_KEYS):
                continue
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
            continue
        path.append(part)
        node = None
    return tuple(path)


# --- one error → message and hint ---------------------------------------------------------------------


def _message(error: ErrorDetails, root: type[BaseModel]) -> tuple[str, str | None]:
    kind, loc = error["type"], error["loc"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    key = str(loc[-1]) if loc else ""
    if kind == CUSTOM_ERROR:
        return str(ctx.get("message")), ctx.get("hint")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model_at(root, loc[:-1]))
        listed = ", ".join(allowed)
        hint = suggest(key, allowed)
        return f"unknown key '{key}'", (
            f"{hint} (allowed here: {listed})" if hint else f"remove it; allowed here: {listed}"
        )
    if kind == "missing":
        description = _description(root, loc)
        return f"missing required key '{key}'", f"add {key}: " + (
            f"({description})" if description else "to this block"
        )
    if kind == "union_tag_invalid":
        tags = str(ctx.get("expected_tags", ""))
        choices = [tag.strip().strip("'") for tag in tags.split(",")]
        near = suggest(str(ctx.get("tag")), choices)
        disc = str(ctx.get("discriminator", "")).strip("'")
        return f"unknown {disc} '{ctx.get('tag')}'", (near + " " if near else "") + f"use one of {tags}"
    if kind == "union_tag_not_found":
        disc = str(ctx.get("discriminator", "")).strip("'")
        return f"missing '{disc}'", f"add {disc}: to say which kind this is"
    if kind == "literal_error":
        return f"{_shown(error.get('input'))} is not allowed here", f"use one of {ctx.get('expected')}"
    if kind in _BOUNDS:
        bound_key, words = _BOUNDS[kind]
        return f"must be {words} {ctx.get(bound_key)}", f"got {_shown(error.get('input'))}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty", f"give at least {ctx.get('min_length', 1)}"
    if kind in ("too_long", "string_too_long"):
        return f"is too long (at most {ctx.get('max_length')})", None
    if kind in _NOUNS:
        description = _description(root, loc)
        hint = f"write {_NOUNS[kind]} here" + (f" ({description})" if description else "")
        return f"expected {_NOUNS[kind]}, got {_shown(error.get('input'))}", hint
    return error["msg"], None


def _split_location(location: str, doc: YamlDocument) -> tuple[str, int | None]:
    """``file:line`` of another file (a mapping CSV), shown relative to where the workspace file is shown."""
    file, _, line = location.rpartition(":")
    file, number = (file, int(line)) if file and line.isdigit() else (location, None)
    folder = PurePath(doc.shown).parent
    if not PurePath(file).is_absolute() and str(folder) != ".":
        file = str(folder / file)
    return file, number


def translate(exc: ValidationError, doc: YamlDocument, root: type[BaseModel]) -> list[ConfigProblem]:
    """Every error of ``exc`` as a located problem (duplicates dropped)."""
    problems: list[ConfigProblem] = []
    seen: set[tuple[str, int | None, str, str]] = set()
    for error in exc.errors(include_url=False):
        message, hint = _message(error, root)
        ctx = error.get("ctx") or {}
        path = written_path(error["loc"], doc) + tuple(ctx.get("at") or ())
        field = format_path(path)
        location = ctx.get("location")
        if isinstance(location, str):
            file, line = _split_location(location, doc)
        else:
            file, line = doc.shown, doc.line_of(path)
        if (file, line, field, message) in seen:
            continue
        seen.add((file, line, field, message))
        problems.append(ConfigProblem(message, file=file, line=line, field=field, hint=hint))
    return problems
