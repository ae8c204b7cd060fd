"""Identity conventions shared by the two billing flows (``billing-to-erp`` and ``erp-payments-to-billing``).

Both flows must agree on how a Nue record is named in NetSuite, because the external id is the idempotency
key of every NetSuite write (an upsert by external id never creates a second record) and the only way the
payments flow finds the NetSuite twin of a Nue invoice or credit memo without asking the hub.

External ids have the form ``lb-nue-<kind>-<nue id>``; NetSuite accepts letters, digits, ``_`` and ``-`` in
them, so every other character of the Nue id is replaced with ``-``. Because that replacement is lossy,
:func:`nue_id_from` returns the *sanitised* id: use it to recognise the kind, and the hub's links to get
the exact Nue id when it may contain other characters.

Hub conventions: records read from Nue are staged with ``source_system`` :data:`NUE` and written to
``target_system`` :data:`NETSUITE`; the payments flow stages from :data:`NETSUITE` and writes to :data:`NUE`.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

#: the hub's name for each system (source_system / target_system)
NUE: Final = "nue"
NETSUITE: Final = "netsuite"

#: kinds of Nue record mirrored into NetSuite
Kind = Literal["cust", "prod", "so", "inv", "cm", "ra"]
KINDS: Final[tuple[str, ...]] = get_args(Kind)

#: what each kind is, in words (for messages and docs)
KIND_LABELS: Final[dict[str, str]] = {
    "cust": "customer",
    "prod": "item",
    "so": "sales order",
    "inv": "invoice",
    "cm": "credit memo",
    "ra": "return authorization",
}

PREFIX: Final = "lb-nue-"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PARSE = re.compile(rf"^{re.escape(PREFIX)}({'|'.join(KINDS)})-([A-Za-z0-9_-]+)$")


def sanitise(nue_id: str) -> str:
    """``nue_id`` with every character NetSuite refuses in an external id replaced by ``-``."""
    return _UNSAFE.sub("-", nue_id)


def external_id(kind: Kind | str, nue_id: str) -> str:
    """The NetSuite external id of the Nue record ``nue_id`` of ``kind``, e.g. ``lb-nue-so-ORD-1``.

    Raises ``ValueError`` for an unknown kind or an empty id: both are programming errors, and a wrong
    external id would silently create duplicates in the ERP.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown billing record kind {kind!r}; expected one of {', '.join(KINDS)}")
    text = str(nue_id).strip()
    if not text:
        raise ValueError(f"empty Nue id for a {KIND_LABELS[kind]} external id")
    return f"{PREFIX}{kind}-{sanitise(text)}"


def nue_id_from(eid: str | None) -> tuple[str, str] | None:
    """``(kind, sanitised nue id)`` for an external id made by :func:`external_id`; None for any other id
    (records created in NetSuite by people, or by another integration)."""
    if not eid:
        return None
    match = _PARSE.match(eid)
    if match is None:
        return None
    return match.group(1), match.group(2)
