"""HTTP response headers both remote systems send that the connector acts on, read one way."""
from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from core.clock import SYSTEM_CLOCK, Clock, as_utc


def retry_after_seconds(headers: Mapping[str, str], clock: Clock = SYSTEM_CLOCK) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3);
    None when absent or unreadable (the caller's own backoff applies)."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (as_utc(when) - clock.now()).total_seconds())
