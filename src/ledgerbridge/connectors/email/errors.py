"""SMTP failures mapped onto ledgerbridge's error tree (DESIGN §4.4), by reply code class (RFC 5321 §4.2.1).

===========================================  =======================================================
authentication failed (535), AUTH or          Fatal — wrong credentials, or the relay does not offer
STARTTLS not supported, TLS verification      what ``security`` asks for: fix the configuration
sender refused with 5xx                       Fatal — the relay will not send as ``sender``
connection refused/reset, timeouts,           Retriable — the relay is down or busy
disconnects, any 4xx reply (421, 450, 451…)
every recipient refused with 5xx (550…),      RecordRejected — this message/recipient set will never
message refused at DATA with 5xx (552, 554)   be accepted as it is
===========================================  =======================================================

Messages quote the server's reply code and text, never the password (the relay's replies do not contain
it; ``redact`` runs over them anyway).
"""

from __future__ import annotations

import smtplib
import ssl

from ledgerbridge.errors import Fatal, LedgerbridgeError, RecordRejected, Retriable
from ledgerbridge.log import redact


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return redact(f"{code} {message}".strip())[:500]


def _by_code(code: int, reply: str, what: str) -> LedgerbridgeError:
    vendor = str(code)
    if 400 <= code < 500:
        return Retriable(f"the mail server deferred the {what}: {reply}", vendor_code=vendor)
    return RecordRejected(f"the mail server refused the {what}: {reply}", vendor_code=vendor)


def smtp_error(exc: BaseException) -> LedgerbridgeError:
    """The classified error for anything ``smtplib``/``ssl``/the socket layer raised while sending."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return Fatal(
            f"SMTP authentication failed: {_reply(exc.smtp_code, exc.smtp_error)}",
            vendor_code=str(exc.smtp_code),
            hint="check the email username and password",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Fatal(f"the mail server does not support this: {redact(str(exc))}", hint="check `security`")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = {rcpt: (code, text) for rcpt, (code, text) in exc.recipients.items()}
        detail = "; ".join(f"{rcpt}: {_reply(code, text)}" for rcpt, (code, text) in replies.items())
        if replies and all(400 <= code < 500 for code, _ in replies.values()):
            return Retriable(f"the mail server deferred every recipient: {detail}", vendor_code="rcpt")
        first = min(code for code, _ in replies.values()) if replies else 550
        return RecordRejected(f"the mail server refused every recipient: {detail}", vendor_code=str(first))
    if isinstance(exc, smtplib.SMTPSenderRefused):
        reply = _reply(exc.smtp_code, exc.smtp_error)
        if exc.smtp_code >= 500:
            return Fatal(f"the mail server refused the sender: {reply}", vendor_code=str(exc.smtp_code))
        return Retriable(f"the mail server deferred the sender: {reply}", vendor_code=str(exc.smtp_code))
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error), "message")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Retriable("the mail server closed the connection", vendor_code="disconnected")
    if isinstance(exc, smtplib.SMTPConnectError):
        return Retriable(f"cannot connect to the mail server: {exc.smtp_code}", vendor_code="connect")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error), "command")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Fatal(
            f"the mail server's TLS certificate is not trusted: {exc.verify_message}",
            hint="set ca_file to the CA that signed it",
        )
    if isinstance(exc, TimeoutError):
        return Retriable("the mail server did not answer in time", vendor_code="timeout")
    if isinstance(exc, OSError | smtplib.SMTPException):
        return Retriable(f"the mail server could not be reached: {type(exc).__name__}", vendor_code="network")
    raise TypeError(f"not an SMTP failure: {type(exc).__name__}") from exc
