"""The emulator's one error type and how it leaves: a status code and a short plain-text message.

Pigment's OAS declares no error bodies (notes §2.2: "branch on the status code only"), so the emulator
answers each error with the OAS's own description of that status as ``text/plain`` — for example
"Import configuration with the specified ID was not found" — followed by what exactly was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import PlainTextResponse, Response


class PigmentError(Exception):
    """An HTTP error answer: status, message and optional headers (``Retry-After``)."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    @classmethod
    def bad_request(cls, detail: str) -> PigmentError:
        return cls(400, f"Bad request: {detail}")

    @classmethod
    def not_found(cls, what: str) -> PigmentError:
        return cls(404, f"{what} with the specified ID was not found")

    @classmethod
    def unauthorized(cls, detail: str) -> PigmentError:
        return cls(401, f"Unauthorized: {detail}", headers={"WWW-Authenticate": 'Bearer realm="Pigment"'})


def error_response(error: PigmentError) -> Response:
    return PlainTextResponse(error.message, status_code=error.status, headers=error.headers)
