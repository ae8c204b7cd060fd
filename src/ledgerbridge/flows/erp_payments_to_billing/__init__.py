"""``erp-payments-to-billing``: customer payments and credit memo applications made in NetSuite, applied
once each to the mirrored Nue invoices and credit memos. See docs/flows/erp-payments-to-billing.md.
"""

from ledgerbridge.flows.registry import register

from .flow import STREAM, ErpPaymentsToBilling
from .params import PaymentsParams
from .staging import FLOW_NAME
from .writer import NueApplicationWriter

register(ErpPaymentsToBilling)

__all__ = ["FLOW_NAME", "STREAM", "ErpPaymentsToBilling", "NueApplicationWriter", "PaymentsParams"]
