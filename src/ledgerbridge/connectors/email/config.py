"""Typed connection settings for one SMTP relay."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

Security = Literal["none", "starttls", "tls"]


def _check_address(value: str) -> str:
    try:
        address = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise ValueError(f"{value!r} is not an email address") from exc
    if not address.domain:
        raise ValueError(f"{value!r} is not an email address (no domain)")
    return value


class EmailSettings(BaseModel):
    """Where and how to send: host/port, transport security, optional AUTH, sender and recipients."""

    # hide_input_in_errors: a rejected webhook URL or password must not be echoed in the error
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    host: str
    #: 25/587 for ``none``/``starttls``, 465 for ``tls``; the sandbox listens on 127.0.0.1:8725
    port: int = Field(default=587, ge=1, le=65535)
    #: ``starttls`` upgrades a plain connection; ``tls`` is implicit TLS (SMTPS); ``none`` is plaintext
    security: Security = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    #: a display name shown with ``sender`` (``ledgerbridge <close@example.com>``)
    sender_name: str | None = None
    recipients: tuple[str, ...] = ()
    #: a CA bundle to trust (the sandbox's CA); the system store otherwise
    ca_file: Path | None = None
    timeout: float = Field(default=30.0, gt=0)
    #: the name sent in EHLO; None lets smtplib use this machine's FQDN
    local_hostname: str | None = None

    @field_validator("sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        return _check_address(value)

    @field_validator("recipients")
    @classmethod
    def _check_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_address(item) for item in value)

    @model_validator(mode="after")
    def _check_auth(self) -> EmailSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        return self
