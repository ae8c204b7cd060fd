"""SMTP error classification and the MIME message the email client builds (no network)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from pydantic import ValidationError

from ledgerbridge.connectors.email.client import EmailClient
from ledgerbridge.connectors.email.config import EmailSettings
from ledgerbridge.connectors.email.errors import smtp_error
from ledgerbridge.connectors.email.records import OutgoingEmail
from ledgerbridge.errors import Fatal, RecordRejected, Retriable


@pytest.mark.parametrize(
    ("exc", "expected", "code"),
    [
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"), Fatal, "535"),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), Fatal, None),
        (smtplib.SMTPRecipientsRefused({"a@x.com": (550, b"5.1.1 unknown")}), RecordRejected, "550"),
        (smtplib.SMTPRecipientsRefused({"a@x.com": (450, b"4.2.1 mailbox busy")}), Retriable, "rcpt"),
        (smtplib.SMTPSenderRefused(553, b"not allowed", "s@x.com"), Fatal, "553"),
        (smtplib.SMTPSenderRefused(451, b"try later", "s@x.com"), Retriable, "451"),
        (smtplib.SMTPDataError(554, b"5.6.0 message refused"), RecordRejected, "554"),
        (smtplib.SMTPDataError(421, b"4.7.0 slow down"), Retriable, "421"),
        (smtplib.SMTPServerDisconnected("gone"), Retriable, "disconnected"),
        (ConnectionRefusedError(111, "Connection refused"), Retriable, "network"),
        (TimeoutError("timed out"), Retriable, "timeout"),
    ],
)
def test_smtp_failures_map_to_classes(
    exc: BaseException, expected: type[Exception], code: str | None
) -> None:
    error = smtp_error(exc)
    assert type(error) is expected
    assert error.vendor_code == code


def _settings(**overrides: object) -> EmailSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "security": "none",
        "sender": "close@ledgerbridge.example",
        "recipients": ("cfo@example.com",),
    }
    values.update(overrides)
    return EmailSettings.model_validate(values)


def test_build_makes_multipart_alternative_text_first() -> None:
    client = EmailClient(_settings(sender_name="ledgerbridge"))
    message = client.build(OutgoingEmail(subject="Close", text="plain", html="<b>rich</b>"))

    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message["From"] == "ledgerbridge <close@ledgerbridge.example>"
    assert message["To"] == "cfo@example.com"
    assert str(message["Message-ID"]).endswith("@ledgerbridge.example>")


def test_build_text_only_and_guards() -> None:
    client = EmailClient(_settings(recipients=()))
    with pytest.raises(Fatal, match="no email recipients"):
        client.build(OutgoingEmail(subject="s", text="t"))
    message = client.build(OutgoingEmail(subject="s", text="t", recipients=("x@example.com",)))
    assert isinstance(message, EmailMessage) and message.get_content_type() == "text/plain"
    with pytest.raises(ValueError, match="set by the email client"):
        client.build(
            OutgoingEmail(subject="s", text="t", recipients=("x@example.com",), headers=(("To", "y"),))
        )


def test_settings_validation() -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        _settings(sender="not-an-address")
    with pytest.raises(ValidationError, match="username and password"):
        _settings(username="only")
