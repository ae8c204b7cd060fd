"""``budget-writeback``: approved Pigment budget versions → NetSuite budget records (``budgetimport``), one
line per account, subsidiary, department and fiscal year, replaced idempotently on every re-run or
re-approval. See docs/flows/budget-writeback.md.
"""

from ledgerbridge.flows.registry import register

from .flow import LINK, BudgetWriteback
from .params import FLOW_NAME, BudgetParams
from .writer import BudgetWriter

register(BudgetWriteback)

__all__ = ["FLOW_NAME", "LINK", "BudgetParams", "BudgetWriteback", "BudgetWriter"]
