"""The mailbox: every accepted message parsed into the fields a test or the demo reads.

Thread-safe (the SMTP handler runs on the server's event loop; ``/_sandbox`` callbacks in worker threads).
With a file path, the whole mailbox is rewritten there after each change (write-then-rename, so a reader
never sees half a file).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Envelope:
    """The SMTP envelope of one message (what MAIL FROM / RCPT TO said, and who logged in)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    auth_user: str | None = None


def parse_message(number: int, envelope: Envelope, content: bytes) -> dict[str, Any]:
    """The JSON form of one message: envelope, addresses, subject, text and HTML bodies, all headers."""
    message = BytesParser(policy=policy.default).parsebytes(content)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return {
        "id": number,
        "received_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "envelope": {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": envelope.auth_user,
        },
        "from": _addresses(message, "from"),
        "to": _addresses(message, "to"),
        "cc": _addresses(message, "cc"),
        "subject": str(message.get("subject", "")),
        "date": str(message.get("date", "")),
        "message_id": str(message.get("message-id", "")),
        "text": _body(message, "plain"),
        "html": _body(message, "html"),
        "headers": [[name, str(value)] for name, value in message.items()],
        "size": len(content),
    }


def _addresses(message: EmailMessage, header: str) -> list[str]:
    return [address for _, address in getaddresses([str(v) for v in message.get_all(header, [])]) if address]


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


class Mailbox:
    """Messages in arrival order, numbered from 1."""

    def __init__(self, file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._next = 1
        self._file = file

    def deliver(self, envelope: Envelope, content: bytes) -> dict[str, Any]:
        with self._lock:
            parsed = parse_message(self._next, envelope, content)
            self._next += 1
            self._messages.append(parsed)
            self._write_locked()
            return parsed

    def messages(self, *, to: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
        """Messages, optionally only those with ``to`` among the recipients / ``subject`` in the subject."""
        with self._lock:
            found = list(self._messages)
        if to is not None:
            wanted = to.lower()
            found = [m for m in found if wanted in (r.lower() for r in m["envelope"]["rcpt_tos"])]
        if subject is not None:
            found = [m for m in found if subject in m["subject"]]
        return found

    def get(self, number: int) -> dict[str, Any] | None:
        with self._lock:
            return next((m for m in self._messages if m["id"] == number), None)

    def clear(self) -> None:
        with self._lock:
            self._messages = []
            self._next = 1
            self._write_locked()

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    def _write_locked(self) -> None:
        if self._file is None:
            return
        self._file.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self._file.parent, prefix=".mailbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"messages": self._messages}, handle, indent=2, ensure_ascii=False)
        os.replace(temp, self._file)
