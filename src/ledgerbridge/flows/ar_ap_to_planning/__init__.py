"""``ar-ap-to-planning``: open invoices and vendor bills with due dates and aging buckets, per subsidiary and
counterparty → Pigment's AR/AP block. See docs/flows/ar-ap-to-planning.md.
"""

from ledgerbridge.flows.registry import register

from .flow import ArApToPlanning
from .items import BUCKETS, OpenDocument, Snapshot, aging_bucket, snapshot
from .params import FLOW_NAME, OpenItemsParams

register(ArApToPlanning)

__all__ = [
    "BUCKETS",
    "FLOW_NAME",
    "ArApToPlanning",
    "OpenDocument",
    "OpenItemsParams",
    "Snapshot",
    "aging_bucket",
    "snapshot",
]
