"""What one posting step needs: settings, the two remote systems, a clock, an identity.

`WooSource` is the slice of core.woo.client.WooClient the pipeline reads (REST = truth);
the GP side is core.gp.gateway.GPGateway. Nothing here opens a connection.
"""
from __future__ import annotations

import os
import random
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.gp.gateway import GPGateway

ITEM_CACHE_S = 600.0  # a GP item seen once is trusted for 10 minutes within one process


class WooSource(Protocol):
    def get_order(self, order_id: int) -> dict[str, Any]: ...
    def list_refunds(self, order_id: int) -> list[dict[str, Any]]: ...
    def get_refund(self, order_id: int, refund_id: int) -> dict[str, Any]: ...
    def get_customer(self, customer_id: int) -> dict[str, Any]: ...


@dataclass
class PipelineContext:
    settings: Settings
    gateway: GPGateway
    woo: WooSource
    clock: Clock = SYSTEM_CLOCK
    actor: str = "worker"
    rng: random.Random = field(default_factory=random.Random)
    # GP item numbers confirmed to exist (sku -> (item, seen at epoch seconds)): a busy shop sells
    # the same few hundred SKUs all day, and one GP round trip per line would dominate posting.
    _items: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached_item(self, sku: str) -> tuple[bool, str | None]:
        now = self.clock.now().timestamp()
        with self._lock:
            hit = self._items.get(sku)
        if hit is None or now - hit[1] > ITEM_CACHE_S:
            return False, None
        return True, hit[0]

    def remember_item(self, sku: str, item: str | None) -> None:
        # Only positive answers are cached: a SKU the accountant just created in GP must be
        # found on the next replay, not ten minutes later.
        if item:
            with self._lock:
                self._items[sku] = (item, self.clock.now().timestamp())


# --- crash points for the kill -9 tests ---------------------------------------------------------
# ML_CONNECTOR_CRASH="<seed>:<probability>:<point>,<point>..." makes the process SIGKILL itself at
# the named points with that probability: the Kafka-style bounce test of reliability.md §7, with
# kill points at every state transition and no timing games. Unset in production: a no-op.

_CRASH: tuple[random.Random, float, frozenset[str]] | None = None
_CRASH_READ = False


def _crash_config() -> tuple[random.Random, float, frozenset[str]] | None:
    global _CRASH, _CRASH_READ
    if not _CRASH_READ:
        _CRASH_READ = True
        spec = os.environ.get("ML_CONNECTOR_CRASH", "")
        if spec:
            seed, prob, points = spec.split(":", 2)
            _CRASH = (random.Random(int(seed) * 1_000_003 + os.getpid()), float(prob),
                      frozenset(p for p in points.split(",") if p))
    return _CRASH


def crash_point(name: str) -> None:
    conf = _crash_config()
    if conf is None:
        return
    rng, prob, points = conf
    if name in points and rng.random() < prob:
        os.kill(os.getpid(), signal.SIGKILL)
