"""The worker's alerts: checked on their own thread, so a slow mail server never delays a poll
or a post, and a lost lease told once."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from core.store.db import thread_connection

log = logging.getLogger("ml_connector.worker")


class WorkerAlerts:
    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.thread: threading.Thread | None = None
        self._lease_lost_told = False

    def start(self, service: Any, interval_s: Callable[[], float]) -> None:
        def loop() -> None:
            with thread_connection():
                while not self.stop.is_set():
                    self.check(service)
                    self.stop.wait(max(5.0, float(interval_s())))

        self.thread = threading.Thread(target=loop, name="alerts", daemon=True)
        self.thread.start()

    def check(self, service: Any) -> Any:
        """One alert check; None when there is no alert service or the check failed."""
        if service is None:
            return None
        try:
            return service.check()
        except Exception:  # a busy database or a bug here must not stop the sync
            log.exception("alert check failed; tried again at the next interval")
            return None

    def lease_lost(self, service: Any, where: str) -> None:
        if service is None or self._lease_lost_told:
            return
        self._lease_lost_told = True
        try:
            service.report_lease_lost(where)
        except Exception:
            log.exception("could not send the lease-lost alert")
