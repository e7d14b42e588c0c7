"""Both stand-ins, a state database, a gateway and a WooCommerce client on one manual clock.

The stand-ins stamp their changes with the same clock as the sync, so "modified since the
cursor" and GP's changed-key lists behave exactly, and a test links only the SKUs it needs
(hinted, then an incremental pass), which keeps GP's per-item reads few.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from core.clock import ManualClock
from core.config import Settings
from core.gp.factory import open_gateway
from core.products.intake import HINT_JOB, hint_key
from core.store.db import close_db, database, init_db
from core.store.queue import enqueue
from core.woo.client import WooClient
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@dataclass
class Rig:
    clock: ManualClock
    shop: WooStandIn
    gp: GPStandIn
    woo: WooClient
    gateway: Any
    settings: Settings

    def hint(self, *skus: str) -> None:
        with database.atomic():
            for sku in skus:
                enqueue(HINT_JOB, hint_key(sku), clock=self.clock)

    def gp_control(self, path: str, body: Any) -> Any:
        with httpx.Client(timeout=10) as c:
            r = c.post(f"{self.gp.control_url}/{path}", json=body)
            r.raise_for_status()
            return r.json()

    def gp_item(self, number: str) -> dict[str, Any]:
        return next(i for i in self.gp.state()["items"] if i["item_number"] == number)

    def woo_by_sku(self, sku: str) -> dict[str, Any]:
        return self.woo.list_products(sku=sku).items[0]

    def later(self, minutes: float = 1) -> None:
        self.clock.advance(minutes=minutes)


@contextmanager
def rig(tmp: Path, **products: Any) -> Iterator[Rig]:
    clock = ManualClock(T0 - timedelta(hours=1))  # the shops are seeded an hour before
    init_db(tmp / "state.db")
    shop = WooStandIn(tmp / "woo", webhook_delay=0, clock=clock.now)
    shop.start()
    gp = GPStandIn(tmp / "gp", clock=clock.now).start()
    clock.set(T0)
    s = Settings()
    s.gp.soap_url, s.gp.company = gp.soap_url, gp.company
    s.gp.user, s.gp.allow_http, s.gp.timeout_s = f"{gp.domain}\\{gp.user}", True, 20.0
    # These tests exercise the sync rules, not its first-run gate (tests/shop/test_first_sync).
    s.products.first_run, s.products.max_changes_per_pass = "approved", 0
    for key, value in products.items():
        setattr(s.products, key, value)
    gateway = open_gateway(s, gp.password, tmp, clock=clock)
    woo = WooClient(shop.url, shop.consumer_key, shop.consumer_secret, clock=clock,
                    oauth_now=lambda: clock.now().timestamp())
    try:
        yield Rig(clock, shop, gp, woo, gateway, s)
    finally:
        woo.close()
        gateway.close()
        shop.stop()
        gp.stop()
        close_db()
