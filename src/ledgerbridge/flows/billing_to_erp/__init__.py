"""``billing-to-erp``: Nue (billing) → NetSuite (ERP). See docs/flows/billing-to-erp.md."""

from ledgerbridge.flows.billing_to_erp.flow import BillingToErp
from ledgerbridge.flows.registry import register

register(BillingToErp)

__all__ = ["BillingToErp"]
