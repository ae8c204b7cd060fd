"""The aiosmtpd handler: refuses the configured recipients, injects faults, delivers to the mailbox.

Replies follow RFC 5321 / RFC 3463 enhanced codes so a client can tell a permanent refusal (5xx: this
recipient or message will never be accepted) from a temporary one (4xx: try again later).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword

from .._kit.middleware import SandboxKit
from .mailbox import Envelope, Mailbox
from .settings import SmtpSettings


class MailHandler:
    """aiosmtpd's ``handler`` object: the ``handle_*`` hooks are looked up by name."""

    def __init__(self, settings: SmtpSettings, mailbox: Mailbox, kit: SandboxKit) -> None:
        self.settings = settings
        self.mailbox = mailbox
        self.kit = kit
        self._refused = {address.lower() for address in settings.refused_recipients}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        self.kit.stats.record_request("SMTP RCPT")
        if address.lower() in self._refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.kit.stats.record_request("SMTP DATA")
        faults = self.kit.faults
        if faults.roll(faults.settings.throttle_rate):
            self.kit.stats.record_throttled()
            self.kit.stats.record_fault()
            return "421 4.7.0 Too many messages, slow down (sandbox-injected fault)"
        if faults.roll(faults.settings.error_rate):
            self.kit.stats.record_fault()
            return "451 4.3.0 Temporary local problem, try again later (sandbox-injected fault)"
        raw = envelope.original_content or envelope.content
        content = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        auth = session.auth_data
        user = auth.login.decode("utf-8", "replace") if isinstance(auth, LoginPassword) else None
        parsed = self.mailbox.deliver(
            Envelope(mail_from=str(envelope.mail_from), rcpt_tos=tuple(envelope.rcpt_tos), auth_user=user),
            content,
        )
        return f"250 2.0.0 Message accepted for delivery (id {parsed['id']})"


class Authenticator:
    """Checks AUTH PLAIN/LOGIN against the configured username and password (constant-time)."""

    def __init__(self, settings: SmtpSettings) -> None:
        assert settings.username is not None and settings.password is not None
        self._username = settings.username.encode("utf-8")
        self._password = settings.password.get_secret_value().encode("utf-8")

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        valid = secrets.compare_digest(auth_data.login, self._username) & secrets.compare_digest(
            auth_data.password, self._password
        )
        return AuthResult(success=bool(valid), handled=False, auth_data=auth_data if valid else None)
