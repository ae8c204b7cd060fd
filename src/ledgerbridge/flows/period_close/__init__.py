"""``period-close``: a closed NetSuite month → final actuals in Pigment, the forecast's switchover month
moved, and one Slack message and one email with budget vs actual (docs/flows/period-close.md)."""

from .flow import PeriodClose

__all__ = ["PeriodClose"]
