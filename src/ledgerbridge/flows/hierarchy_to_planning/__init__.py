"""``hierarchy-to-planning``: NetSuite subsidiaries, departments, classes and accounts (with parents) → the
Pigment dimension lists. See docs/flows/hierarchy-to-planning.md.
"""

from ledgerbridge.flows.registry import register

from .flow import HierarchyToPlanning
from .members import LISTS, ListPlan, ListRow, Member, plan_list
from .params import FLOW_NAME, HierarchyParams

register(HierarchyToPlanning)

__all__ = [
    "FLOW_NAME",
    "LISTS",
    "HierarchyParams",
    "HierarchyToPlanning",
    "ListPlan",
    "ListRow",
    "Member",
    "plan_list",
]
