"""Nue's error shapes as one exception, raised anywhere in the emulator and rendered by the app.

No error schema is published (reference notes §1.1 GAP); the public Nue CLI reads ``message``, ``error`` and
``errorId`` from error bodies, so the emulator answers ``{"status": "failure", "errorCode", "message",
"errorId", "data"?}``. The codes are the emulator's own and are documented in ``docs/connectors/nue.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class NueError(Exception):
    """An HTTP error in Nue's shape. ``data`` carries details (e.g. the earlier result of a duplicate)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data
        self.headers = dict(headers or {})

    @classmethod
    def invalid(cls, message: str, *, field: str | None = None) -> NueError:
        """400: the request is malformed or misses a required field."""
        return cls(400, "VALIDATION_ERROR", message, data={"field": field} if field else None)

    @classmethod
    def not_found(cls, kind: str, key: str) -> NueError:
        return cls(404, "NOT_FOUND", f"{kind} '{key}' was not found.")

    @classmethod
    def rule(cls, code: str, message: str) -> NueError:
        """422: well-formed, but a business rule refuses it (amount over the balance, wrong customer)."""
        return cls(422, code, message)

    @classmethod
    def state(cls, message: str) -> NueError:
        """422 INVALID_STATE: the record is not in a state that allows this (a draft, a cancelled one)."""
        return cls(422, "INVALID_STATE", message)
