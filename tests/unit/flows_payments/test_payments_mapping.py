"""The pure parts of erp-payments-to-billing: settings, the SuiteQL window, hub rows, Nue resolution and the
writer's decisions. The HTTP path is covered end to end in tests/e2e/erp_payments_to_billing."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledgerbridge.connectors.nue.records import Invoice
from ledgerbridge.connectors.nue.writes import CreditRequest, PaymentRequest
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import ActionNeeded, ConfigError, RecordRejected
from ledgerbridge.flows import registry
from ledgerbridge.flows.erp_payments_to_billing import FLOW_NAME, ErpPaymentsToBilling, PaymentsParams
from ledgerbridge.flows.erp_payments_to_billing.decisions import already_applied, invoice_problem, reversal
from ledgerbridge.flows.erp_payments_to_billing.memos import memo_request
from ledgerbridge.flows.erp_payments_to_billing.resolve import Skip, Target, resolve
from ledgerbridge.flows.erp_payments_to_billing.source import (
    ApplicationLine,
    ChangedTransaction,
    DocumentRef,
    MemoLine,
    TransactionDetail,
    window_query,
)
from ledgerbridge.flows.erp_payments_to_billing.staging import removed_lines, staged, staged_records
from ledgerbridge.hub import ClaimedRecord, RecordView, State

PACIFIC = ZoneInfo("America/Los_Angeles")


def test_the_flow_is_registered_under_its_stable_name() -> None:
    registry.discover()
    assert registry.get(FLOW_NAME) is ErpPaymentsToBilling


# --- params ------------------------------------------------------------------------------------------
def test_params_default_and_take_the_batch_size_from_the_flow_batch() -> None:
    params = PaymentsParams.from_mapping({"source": "ns", "target": "billing", "batch": {"size": 25}})
    assert (params.source, params.target, params.batch_size) == ("ns", "billing", 25)
    assert params.lookback == timedelta(minutes=10) and params.start_from is None


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"lookback_minutes": "soon"}, "params.lookback_minutes must be a number"),
        ({"batch_size": 0}, "params.batch_size must be at least 1"),
        ({"start_from": "yesterday"}, "params.start_from must be an ISO datetime"),
        ({"start_from": "2026-11-01T00:00:00"}, "needs a UTC offset"),
    ],
)
def test_bad_params_stop_the_run_naming_the_parameter(params: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        PaymentsParams.from_mapping(params)
    assert words in caught.value.message


# --- the SuiteQL window --------------------------------------------------------------------------------
def test_the_window_is_written_in_the_account_time_zone_to_the_second() -> None:
    start = datetime(2026, 3, 7, 10, 30, 15, 900_000, tzinfo=UTC)  # 02:30:15 PST (UTC-8)
    sql = window_query(start, PACIFIC)
    assert "lastmodifieddate >= TO_TIMESTAMP('2026-03-07 02:30:15', 'YYYY-MM-DD HH24:MI:SS')" in sql
    assert "type IN ('CustPymt', 'CustCred')" in sql


def test_without_a_start_the_window_is_everything() -> None:
    assert "lastmodifieddate >=" not in window_query(None, PACIFIC)


def test_cursor_ties_order_ids_numerically() -> None:
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=PACIFIC)
    nine, ten = (ChangedTransaction(i, "customerpayment", None, None, moment) for i in ("9", "10"))
    assert nine.cursor < ten.cursor


# --- hub rows -------------------------------------------------------------------------------------------
def _line(record_type: str = "customerpayment", amount: str = "150.00") -> ApplicationLine:
    txn = ChangedTransaction("1133", record_type, "PYMT1137", None, datetime(2026, 3, 1, 9, tzinfo=PACIFIC))
    return ApplicationLine(txn, "1132", D(amount), "INV1150", date(2026, 3, 1))


def test_one_hub_row_per_application_line_named_after_the_netsuite_line() -> None:
    row = staged(_line())
    assert (row.source_system, row.source_type, row.source_id) == (
        "netsuite",
        "customerpayment.apply",
        "1133:1132",
    )
    assert (row.target_system, row.target_type) == ("nue", "payment_application")
    assert row.external_id == "lb-ns-pay-1133-1132"
    assert row.payload["amount"] == D("150.00") and row.payload["date"] == "2026-03-01"
    credit = staged(_line("creditmemo"))
    assert (credit.source_type, credit.target_type) == ("creditmemo.apply", "credit_application")


def test_the_same_line_read_twice_gives_the_same_payload() -> None:
    assert staged(_line()).payload == staged(_line()).payload
    assert staged(_line()).payload != staged(_line(amount="151.00")).payload


# --- resolution --------------------------------------------------------------------------------------------
@dataclass
class _Mirrored:
    source_system: str
    source_id: str


class _Hub:
    """Only what resolve() asks of the hub: the billing-to-erp row behind an external id."""

    def __init__(self, rows: dict[str, _Mirrored]) -> None:
        self.rows = rows

    def find_by_external_id(self, external_id: str) -> _Mirrored | None:
        return self.rows.get(external_id)


def _claimed(line: ApplicationLine) -> ClaimedRecord:
    row = staged(line)
    payload = {**row.payload, "amount": str(row.payload["amount"])}  # as the hub hands it back
    return ClaimedRecord(
        7, FLOW_NAME, row.source_system, row.source_type, row.source_id, row.external_id,
        row.target_system, row.target_type, None, payload, "hash", 1,
    )  # fmt: skip


INVOICE = DocumentRef("1132", "CustInvc", "INV1150", "lb-nue-inv-INV-9")


def test_a_mirrored_invoice_resolves_to_the_exact_nue_id_the_hub_knows() -> None:
    hub = _Hub({"lb-nue-inv-INV-9": _Mirrored("nue", "INV/9")})
    target = resolve(_claimed(_line()), {"1132": INVOICE}, hub)  # type: ignore[arg-type]
    assert isinstance(target, Target)
    assert (target.invoice_id, target.amount, target.label) == ("INV/9", D("150.00"), "PYMT1137 → INV1150")


def test_without_a_hub_row_the_external_id_names_the_nue_invoice() -> None:
    target = resolve(_claimed(_line()), {"1132": INVOICE}, _Hub({}))  # type: ignore[arg-type]
    assert isinstance(target, Target) and target.invoice_id == "INV-9"


@pytest.mark.parametrize(
    ("docs", "record_type", "words"),
    [
        ({}, "customerpayment", "no longer exists"),
        ({"1132": DocumentRef("1132", "CustInvc", "INV7", "hand-made")}, "customerpayment", "not mirrored"),
        ({"1132": DocumentRef("1132", "CustCred", "CM7", None)}, "customerpayment", "consumes credit memo"),
        (
            {"1132": INVOICE, "1133": DocumentRef("1133", "CustCred", "CM1", "lb-nue-inv-X")},
            "creditmemo",
            "not a credit memo",
        ),
    ],
)
def test_lines_without_a_nue_counterpart_are_skipped_with_the_reason(
    docs: dict[str, DocumentRef], record_type: str, words: str
) -> None:
    outcome = resolve(_claimed(_line(record_type)), docs, _Hub({}))  # type: ignore[arg-type]
    assert isinstance(outcome, Skip) and words in outcome.reason


def test_a_credit_memo_made_in_netsuite_is_applied_through_its_own_nue_copy() -> None:
    docs = {"1132": INVOICE, "1133": DocumentRef("1133", "CustCred", "CM1", None)}
    target = resolve(_claimed(_line("creditmemo")), docs, _Hub({}))  # type: ignore[arg-type]
    assert isinstance(target, Target)
    assert (target.netsuite_memo, target.credit_memo_id) == ("1133", None)
    mirrored = {"1132": INVOICE, "1133": DocumentRef("1133", "CustCred", "CM1", "lb-nue-cm-M-1")}
    target = resolve(_claimed(_line("creditmemo")), mirrored, _Hub({}))  # type: ignore[arg-type]
    assert isinstance(target, Target)
    assert (target.netsuite_memo, target.credit_memo_id) == (None, "M-1")


def _detail(external_id: str | None, lines: tuple[MemoLine, ...]) -> TransactionDetail:
    txn = ChangedTransaction(
        "1133", "creditmemo", "CM1", external_id, datetime(2026, 3, 1, 9, tzinfo=PACIFIC)
    )
    application = ApplicationLine(txn, "1132", D("40.00"), "INV1150", date(2026, 3, 1))
    return TransactionDetail(txn, "77", D("100.00"), date(2026, 3, 1), lines, (application,))


def test_a_credit_memo_made_in_netsuite_gets_its_own_row_before_its_lines() -> None:
    rows = staged_records(_detail(None, (MemoLine(D("100.00"), "Service credit"),)))
    assert [(r.source_type, r.source_id) for r in rows] == [
        ("creditmemo", "1133"),
        ("creditmemo.apply", "1133:1132"),
    ]
    memo = rows[0]
    assert (memo.target_type, memo.external_id) == ("credit_memo", "lb-ns-cm-1133")
    assert memo.payload["total"] == D("100.00") and memo.payload["netsuite_customer_id"] == "77"
    # a memo mirrored from Nue is already there: only its lines are staged
    assert [r.source_type for r in staged_records(_detail("lb-nue-cm-M-1", ()))] == ["creditmemo.apply"]


def _memo_row(total: str, lines: list[dict[str, str]]) -> ClaimedRecord:
    payload = {
        "kind": "memo", "netsuite_transaction_id": "1133", "netsuite_transaction_number": "CM1",
        "netsuite_customer_id": "77", "total": total, "date": "2026-03-01", "lines": lines,
    }  # fmt: skip
    return ClaimedRecord(
        8, FLOW_NAME, "netsuite", "creditmemo", "1133", "lb-ns-cm-1133", "nue", "credit_memo", None, payload,
        "hash", 1,
    )  # fmt: skip


def test_the_nue_memo_request_keeps_netsuite_lines_that_add_up_and_folds_the_rest_into_one() -> None:
    request = memo_request(_memo_row("100.00", [{"amount": "60.00"}, {"amount": "40.00"}]), "C-1")
    assert request is not None
    assert [line.amount for line in request.lines] == [D("60.00"), D("40.00")]
    assert request.key == "lb-cm-ns1133" and request.credit_memo_date == date(2026, 3, 1)
    folded = memo_request(_memo_row("100.00", [{"amount": "110.00"}, {"amount": "-10.00"}]), "C-1")
    assert folded is not None and [line.amount for line in folded.lines] == [D("100.00")]
    assert memo_request(_memo_row("0", []), "C-1") is None


# --- the writer's decisions ----------------------------------------------------------------------------
def _invoice(status: str = "Active", applications: list[dict[str, Any]] | None = None) -> Invoice:
    return Invoice.model_validate(
        {
            "id": "INV-9",
            "name": "INV-00000009",
            "customerId": "C-1",
            "status": status,
            "amount": "200.00",
            "balance": "200.00",
            "paymentApplications": applications or [],
        }
    )


def _target() -> Target:
    target = resolve(_claimed(_line()), {"1132": INVOICE}, _Hub({}))  # type: ignore[arg-type]
    assert isinstance(target, Target)
    return target


def test_a_cancelled_invoice_needs_a_person_and_the_message_says_what_to_do() -> None:
    problem = invoice_problem(_target(), _invoice("Canceled"))
    assert isinstance(problem, ActionNeeded)
    assert "INV-00000009 is Canceled" in problem.message and "hub retry" in problem.message


def test_a_mirror_pointing_at_nothing_is_rejected() -> None:
    assert isinstance(invoice_problem(_target(), None), RecordRejected)
    assert invoice_problem(_target(), _invoice()) is None


def test_a_line_nue_already_holds_is_done_and_a_changed_amount_needs_a_person() -> None:
    held = {"id": "PA-1", "invoiceId": "INV-9", "amount": "150.00", "idempotencyKey": "k"}
    done = already_applied(_target(), _invoice(applications=[held]), "k")
    assert done is not None and done.target_id == "PA-1"
    assert already_applied(_target(), _invoice(applications=[held]), "other") is None
    changed = already_applied(_target(), _invoice(applications=[{**held, "amount": "120.00"}]), "k")
    assert changed is not None and isinstance(changed.error, ActionNeeded)
    assert "NetSuite now applies 150.00 but Nue already holds 120.00" in changed.error.message


# --- lines removed in NetSuite ---------------------------------------------------------------------------
def _view(source_id: str, payload: dict[str, Any], source_type: str = "creditmemo.apply") -> RecordView:
    moment = datetime(2026, 3, 1, 9, tzinfo=UTC)
    return RecordView(
        1, FLOW_NAME, "netsuite", source_type, source_id, f"lb-ns-credit-{source_id}", "nue",
        "credit_application", "CA-1", State.TRANSFERRED, 1, None, None, None, None, None, None, "1",
        payload, "hash", None, None, moment, moment, None,
    )  # fmt: skip


def test_a_line_the_hub_holds_but_netsuite_no_longer_shows_is_restaged_as_removed() -> None:
    detail = _detail("lb-nue-cm-M-1", ())  # NetSuite still applies 1133 → 1132 only
    gone = _view("1133:1200", {"kind": "credit", "amount": "10.00"})
    known = [
        _view("1133:1132", {"kind": "credit"}),  # still applied
        gone,
        _view("11133:1200", {"kind": "credit"}),  # another transaction the text search also found
        _view("1133:1300", {"kind": "credit", "removed": True}),  # already marked
        _view("1133", {"kind": "memo"}, source_type="creditmemo"),
    ]
    (row,) = removed_lines(detail, known)
    assert (row.source_id, row.external_id) == ("1133:1200", gone.external_id)
    assert row.payload == {"kind": "credit", "amount": "10.00", "removed": True}


def _removed_target(kind: str) -> Target:
    base = _target()
    return dataclasses.replace(
        base, kind=kind, credit_memo_id="M-1" if kind == "credit" else None, removed=True
    )


def test_reversing_a_removed_line_depends_on_what_nue_holds() -> None:
    payment, credit = _removed_target("payment"), _removed_target("credit")
    assert isinstance(reversal(payment, _invoice()), WriteResult)  # never reached Nue: nothing to undo
    pay_key = PaymentRequest("INV-9", "C-1", D("150.00"), "ns1133", "1132").key
    held = {"id": "PA-1", "invoiceId": "INV-9", "amount": "150.00", "idempotencyKey": pay_key}
    asks = reversal(payment, _invoice(applications=[held]))
    assert isinstance(asks, WriteResult) and isinstance(asks.error, ActionNeeded)
    credit_key = CreditRequest("INV-9", "M-1", D("150.00"), "ns1133", "1132").key()
    applied = {**held, "creditMemoId": "M-1", "idempotencyKey": credit_key}
    undo = reversal(credit, _invoice(applications=[applied]))
    assert isinstance(undo, CreditRequest) and undo.key("uncredit").startswith("lb-uncredit-ns1133")
    undone = {**applied, "id": "CA-2", "amount": "-150.00", "idempotencyKey": undo.key("uncredit")}
    done = reversal(credit, _invoice(applications=[applied, undone]))
    assert isinstance(done, WriteResult) and done.target_id == "CA-2"
