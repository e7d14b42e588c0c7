"""Poll schedule arithmetic: business hours in the store's zone, DST, weekends, order volume."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import ScheduleSettings
from core.errors import ConfigError
from core.worker.schedule import business_hours, plan_next_poll, poll_interval


def _s(**kw) -> ScheduleSettings:
    return ScheduleSettings(**{"timezone": "America/New_York", **kw})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_business_hours_poll_every_two_minutes():
    # Wednesday 2026-07-15 10:00 EDT = 14:00 UTC
    assert poll_interval(utc(2026, 7, 15, 14, 0), _s()) == 120


def test_off_hours_poll_hourly():
    # Wednesday 20:00 EDT = Thursday 00:00 UTC
    plan = plan_next_poll(utc(2026, 7, 16, 0, 0), _s())
    assert plan.interval_s == 3600 and plan.reason == "off hours"


def test_the_last_off_hours_poll_lands_on_the_opening():
    # Monday 07:30 EDT: the next poll is 08:00 local, not 08:30
    plan = plan_next_poll(utc(2026, 7, 13, 11, 30), _s())
    assert plan.reason == "opening"
    assert plan.next_at == utc(2026, 7, 13, 12, 0)


def test_opening_follows_the_zone_across_the_spring_dst_change():
    # US clocks go forward on Sunday 2026-03-08. Friday 08:00 is 13:00 UTC (EST);
    # Monday 08:00 is 12:00 UTC (EDT).
    s = _s()
    assert plan_next_poll(utc(2026, 3, 6, 12, 59), s).next_at == utc(2026, 3, 6, 13, 0)
    assert poll_interval(utc(2026, 3, 6, 13, 0), s) == 120
    assert plan_next_poll(utc(2026, 3, 9, 11, 45), s).next_at == utc(2026, 3, 9, 12, 0)
    assert poll_interval(utc(2026, 3, 9, 12, 0), s) == 120
    assert poll_interval(utc(2026, 3, 9, 11, 59), s) != 120


def test_autumn_dst_change_and_closing_time():
    # Europe/London goes back on Sunday 2026-10-25: 18:00 local is 17:00 UTC before, 18:00 after.
    s = ScheduleSettings(timezone="Europe/London")
    assert poll_interval(utc(2026, 10, 23, 16, 59), s) == 120  # Fri 17:59 BST
    assert poll_interval(utc(2026, 10, 23, 17, 0), s) == 3600  # Fri 18:00 BST: closed
    assert poll_interval(utc(2026, 10, 26, 17, 59), s) == 120  # Mon 17:59 GMT
    assert poll_interval(utc(2026, 10, 26, 18, 0), s) == 3600


def test_weekend_is_off_hours_and_the_same_utc_instant_differs_by_zone():
    saturday_noon_utc = utc(2026, 7, 18, 12, 0)
    assert plan_next_poll(saturday_noon_utc, _s()).reason == "off hours"
    monday = utc(2026, 7, 20, 1, 0)  # Monday 11:00 in Sydney, Sunday 21:00 in New York
    assert poll_interval(monday, ScheduleSettings(timezone="Australia/Sydney")) == 120
    assert poll_interval(monday, _s()) == 3600


def test_orders_flowing_shortens_the_interval_even_at_night():
    night = utc(2026, 7, 16, 4, 0)
    assert poll_interval(night, _s(), recent_orders=4) == 3600
    plan = plan_next_poll(night, _s(), recent_orders=5)
    assert plan.interval_s == 30 and plan.reason == "busy"


def test_spring_forward_gap_opening_is_well_defined():
    # Opening at 02:30 on the night clocks jump 02:00 -> 03:00 (New York, 2026-03-08, a Sunday).
    s = _s(business_days=["Sun"], business_hours="02:30-05:00")
    plan = plan_next_poll(utc(2026, 3, 8, 6, 45), s)  # 01:45 EST
    assert plan.next_at == utc(2026, 3, 8, 7, 30)  # 03:30 EDT, an instant that exists
    assert poll_interval(utc(2026, 3, 8, 7, 30), s) == 120


def test_open_until_midnight():
    s = _s(business_hours="08:00-24:00", business_days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    assert poll_interval(utc(2026, 7, 16, 3, 59), s) == 120  # Wed 23:59 EDT
    assert poll_interval(utc(2026, 7, 16, 4, 0), s) == 3600


@pytest.mark.parametrize("bad, words", [
    (dict(timezone="Mars/Olympus"), "time zone"),
    (dict(business_hours="18:00-08:00"), "close after"),
    (dict(business_hours="eight to six"), "08:00-18:00"),
    (dict(business_days=["Funday"]), "business_days"),
    (dict(business_interval_s=0), "at least 5"),
])
def test_bad_schedules_are_refused_with_the_key_named(bad, words):
    with pytest.raises(ConfigError) as err:
        business_hours(_s(**bad))
    assert words in str(err.value)
