"""Time is UTC inside the engine and injected everywhere, so tests need no sleeps."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand: `clock.advance(seconds=90)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = as_utc(when)


def as_utc(when: datetime) -> datetime:
    """Naive datetimes are taken as UTC (WooCommerce's *_gmt fields carry no zone)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def parse_gmt(text: str | None) -> datetime | None:
    """Parse a WooCommerce `*_gmt` field ("2026-11-27T14:03:11", no zone) as UTC."""
    if not text:
        return None
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


SYSTEM_CLOCK = SystemClock()


# How far ahead of our clock a WooCommerce date may be and still order snapshots. A shop's clock a
# few minutes fast is normal; a snapshot dated 9999-12-31 (a plugin's bug, a typed-in date) must
# not make every later, correct snapshot look "older" and freeze the order: beyond this it is not
# trusted for ordering (the REST re-read decides) and the poll cursor never moves past it.
FUTURE_SKEW = timedelta(minutes=10)


def trusted_for_ordering(stamp: datetime | None, now: datetime) -> bool:
    """A date that may order snapshots: known and not beyond now plus FUTURE_SKEW."""
    return stamp is not None and stamp <= now + FUTURE_SKEW
