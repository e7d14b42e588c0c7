"""One Retry-After reader for both remote systems: seconds or an HTTP date, else None."""
from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version

from core.clock import ManualClock
from core.http_headers import retry_after_seconds
from core.version import USER_AGENT


def test_seconds_and_http_dates_and_nonsense():
    clock = ManualClock(datetime(2026, 11, 27, 15, 0, 0, tzinfo=UTC))
    assert retry_after_seconds({"retry-after": "120"}, clock) == 120.0
    assert retry_after_seconds({"retry-after": "Fri, 27 Nov 2026 15:00:30 GMT"}, clock) == 30.0
    assert retry_after_seconds({"retry-after": "Fri, 27 Nov 2026 14:00:00 GMT"}, clock) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}, clock) is None
    assert retry_after_seconds({}, clock) is None


def test_the_user_agent_carries_the_installed_version():
    assert USER_AGENT.startswith(f"ml-connector/{version('ml-connector')} ")
