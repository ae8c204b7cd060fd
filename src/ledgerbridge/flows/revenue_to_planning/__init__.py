"""``revenue-to-planning``: recognized and deferred revenue per month from NetSuite's ARM revenue plans, and
MRR / active subscriptions from the active subscription lines → Pigment's revenue and SaaS-metrics blocks.
See docs/flows/revenue-to-planning.md.
"""

from ledgerbridge.flows.registry import register

from .flow import RevenueToPlanning
from .params import FLOW_NAME, RevenueParams
from .writer import REVENUE_LAYOUT, SAAS_LAYOUT, RevenueSliceWriter

register(RevenueToPlanning)

__all__ = [
    "FLOW_NAME",
    "REVENUE_LAYOUT",
    "SAAS_LAYOUT",
    "RevenueParams",
    "RevenueSliceWriter",
    "RevenueToPlanning",
]
