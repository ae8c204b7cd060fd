"""The flow contract (flows/base.py) and the flow registry (flows/registry.py)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest

from ledgerbridge.errors import Fatal
from ledgerbridge.flows import registry as flow_registry
from ledgerbridge.flows.base import CountingProgress, FlowContext, ProgressSink, RunOutcome
from ledgerbridge.flows.registry import KNOWN_FLOWS, FlowRegistry


class BillingToErp:
    name: ClassVar[str] = "billing-to-erp"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        return RunOutcome()


class AnotherBillingToErp(BillingToErp):
    pass


class Misnamed:
    name: ClassVar[str] = "billing_to_erp"

    async def run(self, ctx: FlowContext) -> RunOutcome:
        return RunOutcome()


# -- RunOutcome ------------------------------------------------------------------------------------


def test_exit_code_reflects_records_needing_attention() -> None:
    assert RunOutcome(transferred=10, skipped=2).exit_code == 0
    assert RunOutcome(transferred=10, failed=1).exit_code == 1
    assert RunOutcome(transferred=10, action_needed=1).exit_code == 1


def test_counters_add_and_merge() -> None:
    outcome = RunOutcome(extracted=4)
    outcome.add(staged=4, transferred=3, failed=1)
    assert outcome.counters() == {
        "extracted": 4,
        "staged": 4,
        "transferred": 3,
        "failed": 1,
        "action_needed": 0,
        "skipped": 0,
    }
    with pytest.raises(ValueError, match="unknown counter 'sent'"):
        outcome.add(sent=1)
    stage2 = RunOutcome(transferred=2, notes=["links created"])
    stage2.add_dry_run_payload(
        target_system="netsuite",
        target_type="invoice",
        external_id="lb-nue-inv-1",
        payload={"total": "10.00"},
    )
    outcome.merge(stage2)
    assert outcome.transferred == 5
    assert outcome.notes == ["links created"]
    assert outcome.dry_run_payloads == [
        {
            "target_system": "netsuite",
            "target_type": "invoice",
            "external_id": "lb-nue-inv-1",
            "payload": {"total": "10.00"},
        }
    ]


# -- FlowContext -----------------------------------------------------------------------------------


def test_context_connection_lookup_names_what_is_missing() -> None:
    ctx = FlowContext(run_id=1, flow="billing-to-erp", params={}, hub=None, connections={"nue": "client"})
    assert ctx.connection("nue") == "client"
    with pytest.raises(Fatal) as caught:
        ctx.connection("netsuite")
    assert "needs connection 'netsuite'" in str(caught.value)
    assert "configured: nue" in str(caught.value)


def test_context_defaults_and_clock() -> None:
    ctx = FlowContext(run_id=None, flow="period-close", params={}, hub=None, connections={})
    assert ctx.now().tzinfo is not None
    assert (ctx.dry_run, ctx.period, ctx.trigger, ctx.event) == (False, None, "manual", None)
    assert isinstance(ctx.progress, ProgressSink)


def test_counting_progress() -> None:
    progress = CountingProgress()
    progress.start(None, "reading invoices")
    progress.advance(5)
    progress.start(10, "writing")
    progress.advance()
    progress.throttled(2)
    progress.finish()
    assert (progress.label, progress.total, progress.done) == ("writing", 10, 1)
    assert progress.phases == ["reading invoices", "writing"]
    assert (progress.throttled_total, progress.finished) == (2, 1)


# -- registry --------------------------------------------------------------------------------------


def test_known_flows_are_the_stable_names() -> None:
    assert KNOWN_FLOWS[:8] == (
        "billing-to-erp",
        "erp-payments-to-billing",
        "gl-actuals-to-planning",
        "period-close",
        "ar-ap-to-planning",
        "hierarchy-to-planning",
        "revenue-to-planning",
        "budget-writeback",
    )
    assert len(set(KNOWN_FLOWS)) == len(KNOWN_FLOWS) == 12


def test_register_get_names() -> None:
    registry = FlowRegistry()
    assert registry.register(BillingToErp) is BillingToErp  # usable as a decorator
    assert registry.register(BillingToErp) is BillingToErp  # idempotent
    assert registry.get("billing-to-erp") is BillingToErp
    assert registry.names() == ("billing-to-erp",)
    assert "billing-to-erp" in registry


def test_only_stable_names_and_one_class_per_name() -> None:
    registry = FlowRegistry()
    with pytest.raises(ValueError, match="stable flow names"):
        registry.register(Misnamed)
    registry.register(BillingToErp)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(AnotherBillingToErp)


def test_get_unknown_is_fatal_with_the_available_names() -> None:
    registry = FlowRegistry()
    registry.register(BillingToErp)
    with pytest.raises(Fatal) as caught:
        registry.get("billing-to-netsuite")
    assert "unknown flow 'billing-to-netsuite'" in str(caught.value)
    assert "available flows: billing-to-erp" in str(caught.value)
    with pytest.raises(Fatal, match="not available in this installation"):
        registry.get("budget-writeback")


def test_discover_imports_flow_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lbtestflows"
    (root / "forecast_digest").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "forecast_digest" / "__init__.py").write_text(
        textwrap.dedent(
            """
            from typing import ClassVar
            from ledgerbridge.flows.base import FlowContext, RunOutcome
            from ledgerbridge.flows.registry import register

            @register
            class ForecastDigest:
                name: ClassVar[str] = "forecast-digest"

                async def run(self, ctx: FlowContext) -> RunOutcome:
                    return RunOutcome()
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    default = flow_registry.default_registry()
    # a "later" flow, so no real one is registered; put back whatever was there all the same
    previous = default._flows.pop("forecast-digest", None)
    try:
        assert "forecast-digest" in flow_registry.discover("lbtestflows")
        assert flow_registry.get("forecast-digest").__module__ == "lbtestflows.forecast_digest"
    finally:
        default._flows.pop("forecast-digest", None)
        if previous is not None:
            default._flows["forecast-digest"] = previous
        for module in [name for name in sys.modules if name.startswith("lbtestflows")]:
            del sys.modules[module]
