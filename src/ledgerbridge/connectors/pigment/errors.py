"""Pigment's error answers mapped onto the product's error tree (DESIGN §4.4).

Pigment's OAS declares status codes but no error bodies (notes §2.2), so the class is chosen from the
status alone and the body is only quoted, shortened and redacted, as the vendor's message:

=========================  ==========================================================================
401 / 403                  :class:`Fatal` naming the key type the endpoint needs (missing, expired or of
                           the wrong type) — nothing succeeds until someone fixes the key
429                        :class:`Retriable` with ``Retry-After`` (absent: the 5-minute window)
5xx, transport failures    :class:`Retriable`
400 / 404 / 413 / 422      :class:`RecordRejected` with the server's text
other 4xx                  :class:`Fatal` (a request this connector should never send)
=========================  ==========================================================================
"""

from __future__ import annotations

import httpx

from ledgerbridge.connectors.http_errors import parse_retry_after
from ledgerbridge.errors import Fatal, LedgerbridgeError, RecordRejected, Retriable
from ledgerbridge.log import redact

from .config import KeyType
from .records import ImportReport, SkippedData

#: notes §2.3: "Requests can resume once the 5-minute time window resets"; no Retry-After is documented
DEFAULT_RETRY_AFTER = 300.0
_MAX_TEXT = 500
_REJECTED = frozenset({400, 404, 413, 422})


class SkippedRowsError(RecordRejected):
    """An import Completed but skipped rows (or loaded them to a default item): the load is not clean."""

    kind = "rejected"

    def __init__(self, report: ImportReport) -> None:
        reasons = report.skip_reasons
        listed = "; ".join(entry.describe() for entry in reasons) or "no reasons given"
        super().__init__(
            f"Pigment import {report.import_id} skipped {report.skipped} row(s): {listed}",
            vendor_code=reasons[0].reason if reasons else None,
            hint="fix the named items or values (or the mapping) and push again",
        )
        self.report = report
        self.reasons: tuple[SkippedData, ...] = reasons

    @property
    def samples(self) -> tuple[str, ...]:
        return tuple(sample for entry in self.reasons for sample in entry.samples)


class ImportFailedError(RecordRejected):
    """An import ended ``Failed``: nothing was loaded; ``report.errors`` says why."""

    def __init__(self, report: ImportReport) -> None:
        details = "; ".join(f"{e.name}: {e.description}" for e in report.errors) or "no reason given"
        super().__init__(
            f"Pigment import {report.import_id} failed: {shorten(details)}",
            vendor_code=report.errors[0].name if report.errors else None,
        )
        self.report = report


class ImportTimeoutError(Retriable):
    """An import was still ``InProgress`` when the wait ended: wait on ``import_id`` (not re-push)."""

    def __init__(self, import_id: str, waited: float) -> None:
        super().__init__(
            f"Pigment import {import_id} was still InProgress after {waited:.0f} s",
            hint="wait for the same import id again before pushing the file anew",
        )
        self.import_id = import_id


class TruncatedExportError(Retriable):
    """An export stream ended early or malformed (HTTP/1.x reports streaming errors only this way)."""


def shorten(text: str) -> str:
    """Server text fit for a message: one line, bounded, with every known secret redacted."""
    flat = " ".join(text.split())
    if len(flat) > _MAX_TEXT:
        flat = flat[: _MAX_TEXT - 1] + "…"
    return redact(flat)


def retry_after_of(response: httpx.Response) -> float:
    """Seconds from ``Retry-After`` (delta-seconds); Pigment's documented 5-minute window when absent."""
    seconds = parse_retry_after(response.headers.get("Retry-After"))
    return DEFAULT_RETRY_AFTER if seconds is None else seconds


def _body_text(response: httpx.Response) -> str:
    try:
        return response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""


def map_error(response: httpx.Response, *, key_type: KeyType, what: str) -> LedgerbridgeError:
    """The classified error for a non-2xx ``response`` to the request described by ``what``."""
    status = response.status_code
    text = shorten(_body_text(response))
    said = f": {text}" if text else ""
    code = f"HTTP {status}"
    if status in (401, 403):
        return Fatal(
            f"Pigment refused the {key_type} API key for {what} (HTTP {status}){said}",
            vendor_code=code,
            hint=f"check that the {key_type} key is set, not expired, and of type {key_type}; "
            "its owner's access rights apply",
        )
    if status == 429:
        return Retriable(
            f"Pigment throttled {what}{said}", retry_after=retry_after_of(response), vendor_code=code
        )
    if status >= 500:
        return Retriable(f"Pigment failed {what} (HTTP {status}){said}", vendor_code=code)
    if status in _REJECTED:
        return RecordRejected(f"Pigment rejected {what} (HTTP {status}){said}", vendor_code=code)
    return Fatal(f"Pigment answered HTTP {status} to {what}{said}", vendor_code=code)


def transport_error(exc: httpx.HTTPError, what: str) -> Retriable:
    """A timeout, refused or dropped connection, or protocol error: transient by nature."""
    return Retriable(f"Pigment {what}: {type(exc).__name__} ({shorten(str(exc))})")


def missing_key(key_type: KeyType, what: str) -> Fatal:
    field = {"Import": "import_key", "Export": "export_key", "ModelingMetadata": "metadata_key"}[key_type]
    return Fatal(
        f"{what} needs a Pigment {key_type} API key, and none is configured",
        hint=f"set {field} on the Pigment connection",
    )


__all__ = [
    "DEFAULT_RETRY_AFTER",
    "ImportFailedError",
    "ImportTimeoutError",
    "SkippedRowsError",
    "TruncatedExportError",
    "map_error",
    "missing_key",
    "retry_after_of",
    "shorten",
    "transport_error",
]
