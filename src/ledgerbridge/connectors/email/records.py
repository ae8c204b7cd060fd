"""Typed records the email connector takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One message: a subject, a plain-text body and (optionally) an HTML alternative of the same content.

    ``recipients`` overrides the configured ones; ``headers`` are extra headers (e.g. ``X-Ledgerbridge-Run``).
    """

    subject: str
    text: str
    html: str | None = None
    recipients: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SentEmail:
    """The relay accepted the message for ``accepted``; ``refused`` maps each refused recipient to the
    server's reply (only when others were accepted — if every recipient is refused, the send raises)."""

    message_id: str
    accepted: tuple[str, ...]
    refused: dict[str, str] = field(default_factory=dict)
