"""When product webhooks are waiting, an incremental product pass runs soon instead of at the
next full scan (which may be 15 minutes away) — but the job table is asked at most once per
PRODUCT_HINT_DELAY_S: asking every loop second was the idle worker's biggest cost
(bench/idle_worker.py, py-spy)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

PRODUCT_HINT_DELAY_S = 15.0  # product webhooks waiting: an incremental pass this soon at most


class ProductHints:
    def __init__(self) -> None:
        self.looked_at: datetime | None = None

    def due(self, now: datetime, last_pass: datetime | None,
            pending: Callable[[], bool] | None) -> bool:
        """Hints are queued and the last pass is PRODUCT_HINT_DELAY_S old."""
        if pending is None or (last_pass and (now - last_pass).total_seconds()
                               < PRODUCT_HINT_DELAY_S):
            return False
        if self.looked_at is not None and \
                (now - self.looked_at).total_seconds() < PRODUCT_HINT_DELAY_S:
            return False
        self.looked_at = now
        try:
            return bool(pending())
        except Exception:  # a busy database: the next loop looks again
            return False
