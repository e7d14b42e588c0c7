"""The worker's connection to GP, opened when GP can be reached and retried with backoff when not.

`open_gateway` loads GP's WSDL, so it fails while GP is down. The worker must not crash for that:
intake (webhooks and polling) keeps running and orders wait in the queue, while this link retries
GP with a growing delay and says so in the log ("GP is not reachable at <url>: <reason>;
retrying in N s"). Configuration errors (no URL, plain http:// not allowed, a missing CA bundle)
cannot get better by waiting: they still stop the worker at start-up.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import ConfigError, ConnectorError

log = logging.getLogger("ml_connector.worker")

RETRY_FIRST_S = 5.0
RETRY_MAX_S = 300.0


class GPUnavailable(ConnectorError):
    """GP has not been reached yet; the link retries on its own schedule."""


class GPLink:
    def __init__(self, opener: Callable[[], Any], url: str, *, clock: Clock = SYSTEM_CLOCK,
                 first_s: float | None = None, max_s: float | None = None) -> None:
        self._opener = opener
        self.url = url
        self.clock = clock
        self.first_s = RETRY_FIRST_S if first_s is None else first_s
        self.max_s = RETRY_MAX_S if max_s is None else max_s
        self._delay = self.first_s
        self._lock = threading.Lock()
        self._gateway: Any = None
        self._next_try: datetime | None = None
        self.failures = 0
        self.last_error = ""
        self.opened = threading.Event()  # set once GP has been reached
        self.extra_opened = 0  # gateways opened for posting threads (open_more)

    def open_more(self) -> Any:
        """One more gateway (a posting thread's own): GP was reached, so this is a plain open."""
        gateway = self._opener()
        with self._lock:
            self.extra_opened += 1
        return gateway

    def seconds_to_retry(self) -> float:
        with self._lock:
            if self._gateway is not None or self._next_try is None:
                return 0.0
            return max(0.0, (self._next_try - self.clock.now()).total_seconds())

    def get(self) -> Any:
        """The gateway, opening it if GP is due to be tried again; None while GP is unreachable."""
        with self._lock:
            if self._gateway is not None:
                return self._gateway
            now = self.clock.now()
            if self._next_try is not None and now < self._next_try:
                return None
            try:
                gateway = self._opener()
            except ConfigError:
                raise
            except Exception as exc:  # noqa: BLE001 - GP down, refusing, timing out: retry
                self.failures += 1
                self.last_error = str(exc) or type(exc).__name__
                wait = self._delay
                self._delay = min(self.max_s, self._delay * 2)
                self._next_try = now + timedelta(seconds=wait)
                log.warning("GP is not reachable at %s: %s; retrying in %g s", self.url,
                            self.last_error, wait)
                return None
            self._gateway = gateway
            self._next_try = None
            self._delay = self.first_s
            if self.failures:
                log.info("GP is reachable at %s again after %d failed attempt(s): posting "
                         "resumes", self.url, self.failures)
            self.opened.set()
            return gateway

    def require(self) -> Any:
        """The gateway, or GPUnavailable (for callers that report a skipped pass)."""
        gateway = self.get()
        if gateway is None:
            raise GPUnavailable(f"GP is not reachable at {self.url}: {self.last_error}; "
                                f"retrying in {self.seconds_to_retry():.0f} s")
        return gateway

    def close(self) -> None:
        with self._lock:
            gateway, self._gateway = self._gateway, None
        if gateway is not None:
            gateway.close()
