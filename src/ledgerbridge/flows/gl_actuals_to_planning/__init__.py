"""``gl-actuals-to-planning``: posted NetSuite GL, aggregated per period x account x subsidiary x
department (x class), mapped through the planning mapping tables and pushed to Pigment Actuals one whole
month at a time. See docs/flows/gl-actuals-to-planning.md.
"""

from ledgerbridge.flows.registry import register

from .flow import MAPPING_STREAM, STREAM, GlActualsToPlanning
from .params import FLOW_NAME, GlActualsParams
from .signs import natural_amount
from .writer import ActualsWriter

register(GlActualsToPlanning)

__all__ = [
    "FLOW_NAME",
    "MAPPING_STREAM",
    "STREAM",
    "ActualsWriter",
    "GlActualsParams",
    "GlActualsToPlanning",
    "natural_amount",
]
