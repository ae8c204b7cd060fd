"""The one sign rule of the planning flows: GL balances as FP&A reads them ("natural sign").

NetSuite's ``transactionaccountingline.amount`` is debit positive. A P&L model wants revenue and expenses
both positive, so credit-normal accounts (income, liabilities, equity, deferred revenue) flip and
debit-normal ones (expenses, assets) keep NetSuite's sign. Every planning flow imports this function so
Actuals, revenue and the close report can never disagree on a sign.
"""

from __future__ import annotations

from decimal import Decimal

#: NetSuite account types (``account.accttype``) whose normal balance is a credit
CREDIT_NORMAL_TYPES: frozenset[str] = frozenset(
    {
        "Income",
        "OthIncome",
        "AcctPay",
        "CredCard",
        "OthCurrLiab",
        "LongTermLiab",
        "Equity",
        "RetainedEarnings",
        "DeferRevenue",
    }
)


def is_credit_normal(account_type: str | None) -> bool:
    """True for account types whose balance FP&A reads as ``credit - debit``."""
    return (account_type or "") in CREDIT_NORMAL_TYPES


def natural_amount(account_type: str | None, debit_minus_credit: Decimal) -> Decimal:
    """The amount as the planning model shows it: ``-(debit - credit)`` on credit-normal accounts."""
    return -debit_minus_credit if is_credit_normal(account_type) else debit_minus_credit
