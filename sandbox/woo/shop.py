"""What the stand-in's HTTP layer (app, routes, control plane) needs from the running shop.

The stand-in (sandbox/woo/standin.py) builds the app and the routes and hands itself in; they
name it by this protocol so none of them imports the stand-in that imports them.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sandbox.woo.auth import Authenticator
from sandbox.woo.orders import OrderBook
from sandbox.woo.seed import ShopLife
from sandbox.woo.store import Store
from sandbox.woo.webhooks import WebhookEngine


class Shop(Protocol):
    auth: Authenticator
    store: Store
    book: OrderBook
    engine: WebhookEngine
    life: ShopLife
    faults: dict[str, Any]  # the control plane's fault switches (latency, errors, outage)
    fault_rng: random.Random
    home: str  # the public base URL (https when served over TLS)
    clock: Callable[[], datetime]  # the shop's "now" (the WordPress index tells its time zone)

    def flush_webhooks(self, timeout: float = 15.0) -> bool: ...
