"""The transition table: exactly the moves DESIGN §3 and the hub brief allow, each for its causes."""

from __future__ import annotations

import itertools

import pytest

from ledgerbridge.errors import LedgerbridgeError
from ledgerbridge.hub.states import TRANSITIONS, Cause, IllegalTransition, State, check_transition, is_allowed

S, C = State, Cause

ALLOWED = {
    (S.PENDING, S.IN_FLIGHT, C.CLAIM),
    (S.IN_FLIGHT, S.TRANSFERRED, C.OUTCOME),
    (S.IN_FLIGHT, S.FAILED, C.OUTCOME),
    (S.IN_FLIGHT, S.ACTION_NEEDED, C.OUTCOME),
    (S.IN_FLIGHT, S.SKIPPED, C.OUTCOME),
    (S.IN_FLIGHT, S.TRANSFERRED, C.RECOVERY),
    (S.IN_FLIGHT, S.PENDING, C.RECOVERY),
    (S.IN_FLIGHT, S.PENDING, C.RELEASE),
    (S.FAILED, S.PENDING, C.AUTO_RETRY),
    (S.FAILED, S.PENDING, C.MANUAL_RETRY),
    (S.ACTION_NEEDED, S.PENDING, C.MANUAL_RETRY),
    (S.FAILED, S.SKIPPED, C.RESOLVE),
    (S.ACTION_NEEDED, S.SKIPPED, C.RESOLVE),
    (S.TRANSFERRED, S.PENDING, C.SOURCE_CHANGED),
    (S.SKIPPED, S.PENDING, C.SOURCE_CHANGED),
}


@pytest.mark.parametrize(("frm", "to", "cause"), list(itertools.product(State, State, Cause)))
def test_every_combination_is_allowed_exactly_when_listed(frm: State, to: State, cause: Cause) -> None:
    expected = (frm, to, cause) in ALLOWED
    assert is_allowed(frm, to, cause) is expected
    if expected:
        check_transition(frm, to, cause)
    else:
        with pytest.raises(IllegalTransition):
            check_transition(frm, to, cause, record_id=7)


def test_the_table_has_no_entries_beyond_the_spec() -> None:
    listed = {(frm, to, cause) for (frm, to), causes in TRANSITIONS.items() for cause in causes}
    assert listed == ALLOWED


def test_an_outcome_can_never_quietly_requeue_an_in_flight_record() -> None:
    assert not is_allowed(S.IN_FLIGHT, S.PENDING, C.OUTCOME)
    assert not is_allowed(S.ACTION_NEEDED, S.PENDING, C.AUTO_RETRY)


def test_the_error_says_what_was_refused_and_what_is_possible() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_transition("transferred", "pending", C.MANUAL_RETRY, record_id=12)
    error = caught.value
    assert isinstance(error, LedgerbridgeError)
    assert (error.record_id, error.from_state, error.to_state, error.cause) == (
        12,
        S.TRANSFERRED,
        S.PENDING,
        C.MANUAL_RETRY,
    )
    assert "record 12: transferred → pending is not allowed by manual_retry" in str(error)
    assert "pending (source_changed)" in str(error)


def test_unknown_states_are_rejected() -> None:
    with pytest.raises(ValueError):
        check_transition("sent", "pending", C.RECOVERY)
