"""The sync_record state machine: every allowed transition, and the cause that makes it legal.

    (staged) ──► pending ──claim──► in_flight ──outcome──► transferred | failed | action_needed | skipped
                   ▲                   │  │
                   │     recovery /    │  └─recovery (lookup found it)──► transferred
                   └──── release ──────┘
    failed        ──auto_retry (next_attempt_at due) / manual_retry──► pending
    action_needed ──manual_retry (a human fixed the cause)──────────► pending
    failed | action_needed ──resolve (a human, with a reason)──────► skipped
    transferred | skipped  ──source_changed (new payload hash)─────► pending

A transition is legal only as the pair (from → to) *and* for the right cause: ``in_flight → pending`` is
allowed through recovery or release but never as an outcome, so a writer can't quietly re-queue a record
it may already have sent. :func:`check_transition` is the single gate; the hub's transition writer
(``hub/transitions.py``) calls it before every ``state`` update.
"""

from __future__ import annotations

from enum import StrEnum

from ledgerbridge.errors import LedgerbridgeError


class State(StrEnum):
    """Where one sync_record stands."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    TRANSFERRED = "transferred"
    FAILED = "failed"
    ACTION_NEEDED = "action_needed"
    SKIPPED = "skipped"


class Cause(StrEnum):
    """Why a record changes state; also the ``action`` written to its audit event."""

    CLAIM = "claim"
    OUTCOME = "outcome"
    AUTO_RETRY = "auto_retry"
    MANUAL_RETRY = "manual_retry"
    RECOVERY = "recovery"
    RELEASE = "release"
    SOURCE_CHANGED = "source_changed"
    RESOLVE = "resolve"


_S = State
_C = Cause

#: (from, to) → the causes under which that move is legal. Anything absent is illegal.
TRANSITIONS: dict[tuple[State, State], frozenset[Cause]] = {
    (_S.PENDING, _S.IN_FLIGHT): frozenset({_C.CLAIM}),
    (_S.IN_FLIGHT, _S.TRANSFERRED): frozenset({_C.OUTCOME, _C.RECOVERY}),
    (_S.IN_FLIGHT, _S.FAILED): frozenset({_C.OUTCOME}),
    (_S.IN_FLIGHT, _S.ACTION_NEEDED): frozenset({_C.OUTCOME}),
    (_S.IN_FLIGHT, _S.SKIPPED): frozenset({_C.OUTCOME}),
    (_S.IN_FLIGHT, _S.PENDING): frozenset({_C.RECOVERY, _C.RELEASE}),
    (_S.FAILED, _S.PENDING): frozenset({_C.AUTO_RETRY, _C.MANUAL_RETRY}),
    (_S.ACTION_NEEDED, _S.PENDING): frozenset({_C.MANUAL_RETRY}),
    (_S.FAILED, _S.SKIPPED): frozenset({_C.RESOLVE}),
    (_S.ACTION_NEEDED, _S.SKIPPED): frozenset({_C.RESOLVE}),
    (_S.TRANSFERRED, _S.PENDING): frozenset({_C.SOURCE_CHANGED}),
    (_S.SKIPPED, _S.PENDING): frozenset({_C.SOURCE_CHANGED}),
}

#: states a human may send back to pending with ``hub retry``
RETRYABLE: frozenset[State] = frozenset({_S.FAILED, _S.ACTION_NEEDED})
#: states a human may close with ``hub resolve``
RESOLVABLE: frozenset[State] = frozenset({_S.FAILED, _S.ACTION_NEEDED})


class IllegalTransition(LedgerbridgeError):
    """A state change the state machine forbids (a bug, or a human asking for something impossible)."""

    def __init__(self, record_id: int | None, from_state: State, to_state: State, cause: Cause) -> None:
        allowed = sorted(
            f"{to.value} ({', '.join(sorted(c.value for c in causes))})"
            for (frm, to), causes in TRANSITIONS.items()
            if frm == from_state
        )
        who = f"record {record_id}" if record_id is not None else "record"
        super().__init__(
            f"{who}: {from_state.value} → {to_state.value} is not allowed by {cause.value}",
            hint=f"from {from_state.value} a record may go to: {', '.join(allowed) or 'nowhere'}",
        )
        self.record_id = record_id
        self.from_state = from_state
        self.to_state = to_state
        self.cause = cause


def is_allowed(from_state: State, to_state: State, cause: Cause) -> bool:
    """Whether ``cause`` may move a record from ``from_state`` to ``to_state``."""
    return cause in TRANSITIONS.get((from_state, to_state), frozenset())


def check_transition(
    from_state: State | str, to_state: State | str, cause: Cause, *, record_id: int | None = None
) -> None:
    """Raise :class:`IllegalTransition` unless the move is allowed for this cause."""
    frm, to = State(from_state), State(to_state)
    if not is_allowed(frm, to, cause):
        raise IllegalTransition(record_id, frm, to, cause)
