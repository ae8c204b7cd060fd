"""The Transaction Hub: what has been sent where, in which state, and why (DESIGN §3).

Import from here: ``HubStore`` and the views and errors it speaks in.
"""

from ledgerbridge.hub.exceptions import ConcurrentChange, LeaseLost, NotFound
from ledgerbridge.hub.states import Cause, IllegalTransition, State, check_transition
from ledgerbridge.hub.store import HubStore
from ledgerbridge.hub.views import (
    AuditEventView,
    ClaimedRecord,
    LinkView,
    Outcome,
    RecordView,
    RunView,
    StagedRecord,
    StageResult,
)

__all__ = [
    "AuditEventView",
    "Cause",
    "ClaimedRecord",
    "ConcurrentChange",
    "HubStore",
    "IllegalTransition",
    "LeaseLost",
    "LinkView",
    "NotFound",
    "Outcome",
    "RecordView",
    "RunView",
    "StageResult",
    "StagedRecord",
    "State",
    "check_transition",
]
