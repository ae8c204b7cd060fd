"""Settings of the emulated mail server: where it listens, who may log in, what it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from .._kit.faults import FaultSettings

TlsMode = Literal["none", "starttls", "tls"]


class SmtpSettings(BaseModel):
    """How the SMTP emulator behaves. Loopback only; the defaults accept any mail without AUTH."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: Literal["127.0.0.1"] = "127.0.0.1"
    #: the SMTP listener's port; 0 picks a free one (read the real one from ``/_sandbox/mail/server``)
    smtp_port: int = Field(default=0, ge=0, le=65535)
    #: the name in the 220 greeting and EHLO reply (aiosmtpd would otherwise do a slow FQDN lookup)
    server_name: str = "smtp.sandbox.ledgerbridge.invalid"
    #: when set, AUTH PLAIN/LOGIN is required with these credentials (535 otherwise)
    username: str | None = None
    password: SecretStr | None = None
    #: "starttls" offers STARTTLS and requires it before MAIL; "tls" is implicit TLS (SMTPS)
    tls_mode: TlsMode = "none"
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    #: recipients answered ``550 5.1.1`` at RCPT (compared case-insensitively)
    refused_recipients: tuple[str, ...] = ()
    #: message size limit announced in EHLO (SIZE) and enforced (552)
    data_size_limit: int = Field(default=10 * 1024 * 1024, ge=1024)
    #: when set, the mailbox is also written there as JSON after every message (and on reset)
    mailbox_file: Path | None = None
    #: ``error_rate`` answers DATA with 451 (temporary), ``throttle_rate`` with 421; others do not apply
    faults: FaultSettings = FaultSettings()

    @model_validator(mode="after")
    def _check(self) -> SmtpSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        if self.tls_mode != "none" and (self.tls_cert_file is None or self.tls_key_file is None):
            raise ValueError(f"tls_mode {self.tls_mode!r} needs tls_cert_file and tls_key_file")
        return self
