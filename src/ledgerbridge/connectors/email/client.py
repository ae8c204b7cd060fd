"""``EmailClient``: build a multipart/alternative (text + HTML) message and send it with ``smtplib``.

``smtplib`` blocks, so each send runs in a worker thread (``asyncio.to_thread``) on its own connection:
notifications are a handful per run, so a pooled connection would buy nothing and would have to be kept
alive between runs.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from ledgerbridge.errors import Fatal, LedgerbridgeError
from ledgerbridge.log import register_secret

from .config import EmailSettings
from .errors import smtp_error
from .records import OutgoingEmail, SentEmail

#: headers the client sets itself; callers cannot override them through ``OutgoingEmail.headers``
_RESERVED = frozenset({"from", "to", "subject", "date", "message-id", "content-type", "mime-version"})


class EmailClient:
    """Sends mail through one SMTP relay."""

    def __init__(self, settings: EmailSettings) -> None:
        if settings.password is not None:
            register_secret(settings.password.get_secret_value())
        self.settings = settings

    def build(self, email: OutgoingEmail) -> EmailMessage:
        """The MIME message: ``multipart/alternative`` with the text first (RFC 2046: least rich first)."""
        recipients = email.recipients or self.settings.recipients
        if not recipients:
            raise Fatal("no email recipients given and none configured")
        message = EmailMessage()
        sender = self.settings.sender
        message["From"] = (
            formataddr((self.settings.sender_name, sender)) if self.settings.sender_name else sender
        )
        message["To"] = ", ".join(recipients)
        message["Subject"] = email.subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain=Address(addr_spec=sender).domain)
        for name, value in email.headers:
            if name.lower() in _RESERVED:
                raise ValueError(f"header {name!r} is set by the email client")
            message[name] = value
        message.set_content(email.text)
        if email.html is not None:
            message.add_alternative(email.html, subtype="html")
        return message

    async def send(self, email: OutgoingEmail) -> SentEmail:
        """Send ``email``; raises the classified error (:mod:`.errors`) on failure."""
        message = self.build(email)
        recipients = tuple(email.recipients or self.settings.recipients)
        refused = await asyncio.to_thread(self._send_blocking, message, recipients)
        return SentEmail(
            message_id=str(message["Message-ID"]),
            accepted=tuple(r for r in recipients if r not in refused),
            refused=refused,
        )

    def _send_blocking(self, message: EmailMessage, recipients: tuple[str, ...]) -> dict[str, str]:
        try:
            with self._connect() as smtp:
                if self.settings.security == "starttls":
                    smtp.starttls(context=self._tls_context())
                if self.settings.username is not None and self.settings.password is not None:
                    smtp.login(self.settings.username, self.settings.password.get_secret_value())
                refused = smtp.send_message(message, to_addrs=list(recipients))
        except LedgerbridgeError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            raise smtp_error(exc) from None
        return {rcpt: f"{code} {text.decode('utf-8', 'replace')}" for rcpt, (code, text) in refused.items()}

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.security == "tls":
            return smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                local_hostname=settings.local_hostname,
                timeout=settings.timeout,
                context=self._tls_context(),
            )
        return smtplib.SMTP(
            settings.host, settings.port, local_hostname=settings.local_hostname, timeout=settings.timeout
        )

    def _tls_context(self) -> ssl.SSLContext:
        ca = str(self.settings.ca_file) if self.settings.ca_file is not None else None
        return ssl.create_default_context(cafile=ca)
