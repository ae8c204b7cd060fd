"""One exception tree for the whole product, classified by what the engine must do next.

    LedgerbridgeError                      base; carries a message, an optional vendor code and hint
    ├── Retriable(retry_after)            429, 5xx, timeouts, dropped connections
    │                                     → back off (full jitter, honour retry_after), capped attempts/time
    ├── Fatal                             auth, configuration, a broken contract with a vendor
    │   └── ConfigError                   an invalid workspace file: names file, line and field
    │                                     → the run stops with a clear message; nothing is retried
    ├── RecordRejected                    the target refused this one record (validation, bad reference)
    │                                     → that record goes `failed` with the vendor message; others go on
    └── ActionNeeded                      closed period, locked record, missing mapping
                                          → that record goes `action_needed`; never retried automatically,
                                            a human fixes the cause and retries it

Connectors translate each vendor's error shapes into exactly one of these classes (their ``errors.py``);
the hub stores the class name, message and vendor code; the executor decides from the class alone.
Messages must never contain secret values: the config layer redacts known secrets before they get here,
and vendors' bodies are only quoted from their documented ``detail``/``message`` fields.
"""

from __future__ import annotations

from typing import ClassVar


class LedgerbridgeError(Exception):
    """Base of every error the product raises on purpose."""

    #: the stable name stored in the hub (`error_class` column) and shown in the console
    kind: ClassVar[str] = "error"

    def __init__(self, message: str, *, vendor_code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.vendor_code = vendor_code
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.vendor_code:
            text = f"{text} [{self.vendor_code}]"
        if self.hint:
            text = f"{text} — {self.hint}"
        return text


class Retriable(LedgerbridgeError):
    """A transient failure: try the same thing again later, no sooner than ``retry_after`` seconds."""

    kind = "retriable"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        vendor_code: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, vendor_code=vendor_code, hint=hint)
        self.retry_after = retry_after


class Fatal(LedgerbridgeError):
    """Nothing will succeed until a human changes the configuration or credentials: stop the run."""

    kind = "fatal"


class ConfigError(Fatal):
    """An invalid workspace file. ``location`` is ``file:line`` and ``field`` the dotted path."""

    kind = "config"

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.location = location
        self.field = field

    def __str__(self) -> str:
        prefix = ": ".join(part for part in (self.location, self.field) if part)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return f"{text} — {self.hint}" if self.hint else text


class RecordRejected(LedgerbridgeError):
    """The target refused this record; retrying the same payload will not help."""

    kind = "rejected"


class ActionNeeded(LedgerbridgeError):
    """A condition only a person can clear (closed period, locked record, missing mapping)."""

    kind = "action_needed"


def classify(exc: BaseException) -> str:
    """The hub's error class name for any exception; unknown exceptions count as retriable bugs."""
    if isinstance(exc, LedgerbridgeError):
        return type(exc).kind
    return "unexpected"
