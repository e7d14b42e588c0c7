"""Every call to GP and WooCommerce, timed and counted at the HTTP transport.

`InstrumentedTransport` wraps the httpx transport of the GP and WooCommerce clients, so every
request (SOAP, SBA, REST, the NTLM handshake legs too) lands in one histogram, and a remote that
stops answering is noticed without the callers having to report it: `HEALTH` remembers since
when each system has been unreachable (connection errors, timeouts, 502/503/504). A SOAP fault
(HTTP 500 with a GP validation message) is an answer: GP is up.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Histogram

from core.clock import SYSTEM_CLOCK, Clock

REGISTRY = CollectorRegistry(auto_describe=True)
CALL_SECONDS = Histogram(
    "ml_connector_remote_call_seconds",
    "Duration of HTTP calls to GP and WooCommerce, by system, operation and outcome.",
    ["system", "operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)
DOWN_STATUSES = (502, 503, 504)
_NUMBER = re.compile(r"/\d+(?=/|$)")
_SBA_KEY = re.compile(r"\([^)]*\)")


@dataclass
class SystemHealth:
    down_since: datetime | None = None
    last_error: str = ""
    last_ok_at: datetime | None = None


class Health:
    """Since when each remote system has been unreachable (per process)."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._systems: dict[str, SystemHealth] = {}

    def ok(self, system: str) -> None:
        with self._lock:
            h = self._systems.setdefault(system, SystemHealth())
            h.down_since, h.last_error, h.last_ok_at = None, "", self.clock.now()

    def down(self, system: str, error: str) -> None:
        with self._lock:
            h = self._systems.setdefault(system, SystemHealth())
            if h.down_since is None:
                h.down_since = self.clock.now()
            h.last_error = error[:300]

    def reset(self) -> None:
        with self._lock:
            self._systems.clear()

    def facts(self) -> dict[str, Any]:
        """What the alert rules need to know about GP from this process."""
        h = self.get("gp")
        return {"gp_down_since": h.down_since, "gp_last_error": h.last_error}

    def get(self, system: str) -> SystemHealth:
        with self._lock:
            h = self._systems.get(system, SystemHealth())
            return SystemHealth(h.down_since, h.last_error, h.last_ok_at)

    def status(self) -> dict[str, Any]:
        """For the worker's published status (the lease row): alerts and `status` read it."""
        out: dict[str, Any] = {}
        for system in ("gp", "woocommerce"):
            h = self.get(system)
            if h.down_since is not None:
                out[f"{system}_down_since"] = h.down_since.isoformat(timespec="seconds")
                out[f"{system}_last_error"] = h.last_error
        return out


HEALTH = Health()


def gp_operation(request: httpx.Request) -> str:
    action = request.headers.get("SOAPAction", "").strip('"')
    if action:
        return action.rsplit("/", 1)[-1] or "soap"
    path = request.url.path
    if "/Companies(" in path:  # SBA: the route after the company, keys removed
        rest = path.split("/Companies(", 1)[1].split(")", 1)[-1]
        return _SBA_KEY.sub("", rest).removesuffix(".json").strip("/") or "sba"
    return f"{request.method} {_NUMBER.sub('/{id}', path)}"[:80]


def woo_operation(request: httpx.Request) -> str:
    path = request.url.path
    for marker in ("/wc/v3/", "/wp-json/"):
        if marker in path:
            path = "/" + path.split(marker, 1)[1]
            break
    return f"{request.method} {_NUMBER.sub('/{id}', path)}"[:80]


class InstrumentedTransport(httpx.BaseTransport):
    """Times every request of the wrapped transport and keeps HEALTH up to date."""

    def __init__(self, inner: httpx.BaseTransport, system: str, *,
                 health: Health | None = None) -> None:
        self.inner = inner
        self.system = system
        self.health = health or HEALTH
        self.operation = gp_operation if system == "gp" else woo_operation

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        op = self.operation(request)
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError as exc:
            CALL_SECONDS.labels(self.system, op, "error").observe(time.perf_counter() - started)
            self.health.down(self.system, f"{type(exc).__name__}: {exc}" if str(exc)
                             else type(exc).__name__)
            raise
        elapsed = time.perf_counter() - started
        outcome = f"{response.status_code // 100}xx"
        CALL_SECONDS.labels(self.system, op, outcome).observe(elapsed)
        if response.status_code in DOWN_STATUSES:
            self.health.down(self.system, f"HTTP {response.status_code}")
        else:
            self.health.ok(self.system)
        return response

    def close(self) -> None:
        self.inner.close()
