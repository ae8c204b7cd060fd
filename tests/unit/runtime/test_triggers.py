"""Trigger fire times (cron in a time zone, interval), coalescing, parsing and run keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ledgerbridge.errors import ConfigError
from ledgerbridge.flows.base import Event
from ledgerbridge.runtimes.local.triggers import (
    MAX_RUN_KEY,
    CronTrigger,
    EventTrigger,
    IntervalTrigger,
    ManualTrigger,
    due_fire,
    event_run_key,
    manual_run_key,
    parse_interval,
    schedule_run_key,
    trigger_from_spec,
)

PARIS = ZoneInfo("Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# -- cron ------------------------------------------------------------------------------------------


def test_cron_fires_in_the_workspace_time_zone_across_dst() -> None:
    daily = CronTrigger("0 9 * * *", "Europe/Paris")
    # winter (UTC+1): 09:00 Paris is 08:00 UTC
    assert daily.next_fire(utc(2026, 3, 27, 12, 0)) == utc(2026, 3, 28, 8, 0)
    # clocks go forward on 29 March: from then on 09:00 Paris is 07:00 UTC
    assert daily.next_fire(utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 7, 0)
    assert daily.next_fire(utc(2026, 3, 28, 12, 0)).tzinfo is not None


def test_cron_in_another_zone_gives_other_instants() -> None:
    tokyo = CronTrigger("0 9 * * *", "Asia/Tokyo")
    assert tokyo.next_fire(utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 0, 0)


def test_cron_next_is_strictly_after_and_latest_includes_now() -> None:
    every5 = CronTrigger("*/5 * * * *", "UTC")
    assert every5.next_fire(utc(2026, 3, 31, 10, 5)) == utc(2026, 3, 31, 10, 10)
    assert every5.latest_fire(utc(2026, 3, 31, 10, 5)) == utc(2026, 3, 31, 10, 5)
    assert every5.latest_fire(utc(2026, 3, 31, 10, 9, 59)) == utc(2026, 3, 31, 10, 5)


def test_cron_in_the_spring_forward_gap_still_fires_once() -> None:
    at_0230 = CronTrigger("30 2 * * *", "Europe/Paris")
    fire = at_0230.next_fire(datetime(2026, 3, 28, 12, 0, tzinfo=PARIS))
    # 02:30 does not exist on 29 March in Paris; the run happens that day rather than being lost
    assert fire.astimezone(PARIS).date() == datetime(2026, 3, 29).date()
    assert at_0230.next_fire(fire).astimezone(PARIS).replace(tzinfo=None) == datetime(2026, 3, 30, 2, 30)


@pytest.mark.parametrize("expression", ["*/5 * *", "61 * * * *", "every day", ""])
def test_invalid_cron_is_a_config_error(expression: str) -> None:
    with pytest.raises(ConfigError, match="not a valid cron expression"):
        CronTrigger(expression, "UTC")


def test_unknown_time_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown time zone"):
        CronTrigger("0 * * * *", "Mars/Olympus_Mons")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CronTrigger("0 * * * *").next_fire(datetime(2026, 1, 1))


# -- interval --------------------------------------------------------------------------------------


def test_interval_fires_are_aligned_to_the_anchor() -> None:
    every5m = IntervalTrigger(300)
    assert every5m.latest_fire(utc(2026, 3, 31, 10, 7, 12)) == utc(2026, 3, 31, 10, 5)
    assert every5m.next_fire(utc(2026, 3, 31, 10, 7, 12)) == utc(2026, 3, 31, 10, 10)
    assert every5m.next_fire(utc(2026, 3, 31, 10, 10)) == utc(2026, 3, 31, 10, 15)  # strictly after
    anchored = IntervalTrigger(3600, anchor=utc(2026, 1, 1, 0, 30))
    assert anchored.latest_fire(utc(2026, 3, 31, 10, 7)) == utc(2026, 3, 31, 9, 30)


def test_interval_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        IntervalTrigger(0)
    with pytest.raises(ConfigError):
        IntervalTrigger(float("inf"))


# -- coalescing ------------------------------------------------------------------------------------


def test_missed_fires_coalesce_into_the_latest_one() -> None:
    every5 = CronTrigger("*/5 * * * *", "UTC")
    # down from 10:01 to 10:17: the 10:05, 10:10 and 10:15 fires become one run, for 10:15
    assert due_fire(every5, last_fire=utc(2026, 3, 31, 10, 0), now=utc(2026, 3, 31, 10, 17)) == utc(
        2026, 3, 31, 10, 15
    )
    assert due_fire(every5, last_fire=utc(2026, 3, 31, 10, 15), now=utc(2026, 3, 31, 10, 19)) is None
    assert due_fire(every5, last_fire=None, now=utc(2026, 3, 31, 10, 19)) == utc(2026, 3, 31, 10, 15)
    hourly = IntervalTrigger(3600)
    assert due_fire(hourly, last_fire=utc(2026, 3, 30, 0, 0), now=utc(2026, 3, 31, 10, 30)) == utc(
        2026, 3, 31, 10, 0
    )


# -- event and manual ------------------------------------------------------------------------------


def test_event_patterns() -> None:
    trigger = EventTrigger("netsuite.period.*")
    assert trigger.matches("netsuite.period.closed")
    assert not trigger.matches("nue.invoice.activated")
    assert EventTrigger("nue.invoice.activated").matches("nue.invoice.activated")
    with pytest.raises(ConfigError):
        EventTrigger("  ")


# -- parsing the configuration form ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (300, 300.0),
        (1.5, 1.5),
        ("300", 300.0),
        ("90s", 90.0),
        ("5m", 300.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("1h30m", 5400.0),
        (timedelta(minutes=10), 600.0),
    ],
)
def test_parse_interval(value: float | str | timedelta, seconds: float) -> None:
    assert parse_interval(value) == seconds


@pytest.mark.parametrize("value", ["5 minutes", "m", "-5m", "0", 0, True, "5m-", timedelta(0)])
def test_parse_interval_refuses(value: float | str | timedelta) -> None:
    with pytest.raises(ConfigError):
        parse_interval(value)


def test_trigger_from_spec() -> None:
    cron = trigger_from_spec({"cron": "0 6 * * *"}, timezone="America/New_York")
    assert isinstance(cron, CronTrigger) and cron.timezone == "America/New_York"
    assert trigger_from_spec({"interval": "10m"}) == IntervalTrigger(600)
    assert trigger_from_spec({"event": "netsuite.period.closed"}) == EventTrigger("netsuite.period.closed")
    assert isinstance(trigger_from_spec({"manual": True}), ManualTrigger)
    # the config models dump unset kinds as None
    assert isinstance(
        trigger_from_spec({"cron": None, "interval": 60, "event": None, "manual": None}), IntervalTrigger
    )
    with pytest.raises(ConfigError, match="exactly one"):
        trigger_from_spec({"cron": "0 6 * * *", "interval": 60})
    with pytest.raises(ConfigError, match="exactly one"):
        trigger_from_spec({})
    with pytest.raises(ConfigError, match="unknown trigger kind"):
        trigger_from_spec({"webhook": "x"})


def test_trigger_from_the_workspace_config_models() -> None:
    from ledgerbridge.config.triggers import Trigger as TriggerConfig

    assert trigger_from_spec(TriggerConfig(interval="1h30m").model_dump()) == IntervalTrigger(5400)
    cron = trigger_from_spec(TriggerConfig(cron="*/15 * * * *").model_dump(), timezone="Europe/Paris")
    assert cron == CronTrigger("*/15 * * * *", "Europe/Paris")
    event = trigger_from_spec(TriggerConfig(event="netsuite.period.closed").model_dump())
    assert event == EventTrigger("netsuite.period.closed")
    assert isinstance(trigger_from_spec(TriggerConfig(manual=True).model_dump()), ManualTrigger)


# -- run keys --------------------------------------------------------------------------------------


def test_schedule_run_key_is_the_same_instant_whatever_the_zone() -> None:
    instant = utc(2026, 3, 31, 7, 0)
    assert schedule_run_key("billing-to-erp", instant) == "billing-to-erp:schedule:2026-03-31T07:00:00+00:00"
    assert schedule_run_key("billing-to-erp", instant.astimezone(PARIS)) == schedule_run_key(
        "billing-to-erp", instant
    )


def test_event_run_key_is_deterministic_and_bounded() -> None:
    event = Event("netsuite.period.closed", "2026-03", {"period": "2026-03"})
    key = event_run_key("period-close", event)
    assert key == "period-close:event:netsuite.period.closed:2026-03"
    assert (
        event_run_key("period-close", Event("netsuite.period.closed", "2026-03")) == key
    )  # payload irrelevant
    assert event_run_key("period-close", Event("netsuite.period.reopened", "2026-03")) != key
    long = Event("nue.invoice.activated", "INV-" + "9" * 400)
    long_key = event_run_key("billing-to-erp", long)
    assert len(long_key) <= MAX_RUN_KEY
    assert long_key == event_run_key("billing-to-erp", long)
    assert long_key != event_run_key("billing-to-erp", Event("nue.invoice.activated", "INV-" + "9" * 401))


def test_manual_run_keys_are_unique() -> None:
    keys = {manual_run_key("billing-to-erp") for _ in range(100)}
    assert len(keys) == 100
    assert all(key.startswith("billing-to-erp:manual:") for key in keys)


def test_describe() -> None:
    assert CronTrigger("0 6 * * *", "UTC").describe() == "cron 0 6 * * * (UTC)"
    assert IntervalTrigger(90).describe() == "every 90s"
    assert EventTrigger("x.*").describe() == "on event x.*"
    assert ManualTrigger().describe() == "manual"
