"""When to poll WooCommerce next: business hours in the store's time zone, and order volume.

Pure functions of (now in UTC, settings, recent order count), so every case — time zones, the
DST switch, the weekend — is a test with a fixed instant and no clock at all.

Rules, in order:
1. Orders flowing (the last poll saw at least `busy_threshold`): `busy_interval_s`.
2. Inside business hours: `business_interval_s`.
3. Outside: `off_hours_interval_s`, but never past the next opening, so Monday 08:00 is
   polled at 08:00 and not at 08:59.
Business hours are wall-clock times in `timezone` (zoneinfo): 08:00 means 08:00 local on both
sides of a DST change, i.e. a different UTC instant in summer and winter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.clock import as_utc
from core.config import ScheduleSettings
from core.errors import ConfigError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class BusinessHours:
    zone: tzinfo
    days: frozenset[int]  # 0 = Monday
    opens: time
    closes: time  # time(0) with closes_at_midnight for "24:00"
    closes_at_midnight: bool = False

    def _local_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.opens)
        end = (datetime.combine(day + timedelta(days=1), time(0)) if self.closes_at_midnight
               else datetime.combine(day, self.closes))
        return _to_utc(start, self.zone), _to_utc(end, self.zone)

    def is_open(self, now: datetime) -> bool:
        now = as_utc(now)
        local_day = now.astimezone(self.zone).date()
        if local_day.weekday() not in self.days:
            return False
        start, end = self._local_bounds(local_day)
        return start <= now < end

    def next_opening(self, now: datetime) -> datetime | None:
        """The first opening strictly after `now` (UTC), or None when no day is a business day."""
        if not self.days:
            return None
        now = as_utc(now)
        local_day = now.astimezone(self.zone).date()
        for offset in range(0, 8):
            day = local_day + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            start, _ = self._local_bounds(day)
            if start > now:
                return start
        return None


def _to_utc(local: datetime, zone: tzinfo) -> datetime:
    """Wall-clock time in `zone` to UTC. In the spring-forward gap (a 02:30 that never happens)
    zoneinfo's fold=0 uses the old offset, so it lands as far past the jump (03:30); in the
    autumn overlap fold=0 picks the first of the two instants, which is when the office sees it."""
    return as_utc(local.replace(tzinfo=zone))


def _parse_time(text: str, where: str) -> tuple[time, bool]:
    text = text.strip()
    if text == "24:00":
        return time(0), True
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes)), False
    except ValueError as exc:
        raise ConfigError(f"[worker.schedule] {where} {text!r} is not a time like 08:00") from exc


def business_hours(settings: ScheduleSettings) -> BusinessHours:
    """Parse and check the schedule settings; ConfigError says which key is wrong and how."""
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"[worker.schedule] timezone {settings.timezone!r} is not a time zone "
                          "name like Europe/London or America/Chicago") from exc
    days: set[int] = set()
    for name in settings.business_days:
        key = str(name).strip()[:3].title()
        if key not in DAY_NAMES:
            raise ConfigError(f"[worker.schedule] business_days has {name!r}; use "
                              f"{', '.join(DAY_NAMES)}")
        days.add(DAY_NAMES.index(key))
    if "-" not in settings.business_hours:
        raise ConfigError("[worker.schedule] business_hours must look like \"08:00-18:00\"")
    first, second = settings.business_hours.split("-", 1)
    opens, opens_midnight = _parse_time(first, "business_hours start")
    closes, closes_midnight = _parse_time(second, "business_hours end")
    if opens_midnight:
        raise ConfigError("[worker.schedule] business_hours cannot open at 24:00")
    if not closes_midnight and closes <= opens:
        raise ConfigError(f"[worker.schedule] business_hours {settings.business_hours!r} must "
                          "close after it opens on the same day (use 24:00 for midnight)")
    for key in ("business_interval_s", "off_hours_interval_s", "busy_interval_s"):
        if getattr(settings, key) < 5:
            raise ConfigError(f"[worker.schedule] {key} must be at least 5 seconds")
    if settings.busy_threshold < 1:
        raise ConfigError("[worker.schedule] busy_threshold must be at least 1")
    return BusinessHours(zone, frozenset(days), opens, closes, closes_midnight)


@dataclass(frozen=True)
class PollPlan:
    interval_s: float
    reason: str  # "busy" | "business hours" | "off hours" | "opening"
    next_at: datetime


def plan_next_poll(now: datetime, settings: ScheduleSettings, recent_orders: int = 0, *,
                   webhooks_down: bool = False) -> PollPlan:
    """When to poll next after a poll that finished at `now` and saw `recent_orders` orders.
    While a webhook is disabled in WooCommerce polling is the only intake: never slower than
    the business interval, whatever the hour."""
    now = as_utc(now)
    hours = business_hours(settings)
    if recent_orders >= settings.busy_threshold:
        interval, reason = float(settings.busy_interval_s), "busy"
    elif hours.is_open(now):
        interval, reason = float(settings.business_interval_s), "business hours"
    else:
        interval, reason = float(settings.off_hours_interval_s), "off hours"
        opening = hours.next_opening(now)
        if opening is not None and opening < now + timedelta(seconds=interval):
            interval, reason = (opening - now).total_seconds(), "opening"
    if webhooks_down and interval > settings.business_interval_s:
        interval = float(settings.business_interval_s)
        reason = "webhooks disabled in WooCommerce: polling at the business interval"
    return PollPlan(interval, reason, now + timedelta(seconds=interval))


def poll_interval(now: datetime, settings: ScheduleSettings, recent_orders: int = 0) -> float:
    """Seconds until the next poll (see plan_next_poll)."""
    return plan_next_poll(now, settings, recent_orders).interval_s
