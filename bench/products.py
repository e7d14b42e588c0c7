"""Benchmark: one product sync pass over 1,000 products, counting WooCommerce and GP calls.

    .venv/bin/python bench/products.py [N]      (default 1000)

Both stand-ins run on loopback (GP over SOAP with real NTLM). The shop gets N extra simple
products, GP the same N items at a new price, so the pass links N products and writes N price
changes to WooCommerce. Printed: HTTP requests to WooCommerce (reads, batch writes), HTTP
requests to GP and the gateway calls behind them, elapsed time. A second pass shows the
steady state (nothing to write). The GP read cost is the gateway's: Web Services has no bulk
price/stock read, so a full scan is a few SOAP calls per item (gp.md §4, §5.8-5.9).
"""
from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from core.clock import SystemClock
from core.config import Settings
from core.gp.factory import open_gateway
from core.products.sync import sync_products
from core.store.db import close_db, init_db
from core.woo.client import WooClient
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn


class Counted:
    """Counts the gateway methods called (the logical GP calls)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, Counter()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def call(*a: Any, **kw: Any) -> Any:
            self.calls[name] += 1
            return target(*a, **kw)
        return call


def seed(shop_woo: WooClient, gp: GPStandIn, n: int) -> None:
    for start in range(0, n, 100):
        shop_woo.batch_products(create=[
            {"name": f"Bench Mug {k}", "sku": f"BENCH-{k:04d}", "regular_price": "10.00",
             "manage_stock": True, "stock_quantity": 50}
            for k in range(start, min(n, start + 100))])
    at = datetime.now(UTC)
    store = gp.store
    for k in range(n):
        number = f"BENCH-{k:04d}"
        store.put("items", number, {
            "id": number, "description": f"Bench Mug {k}", "short_description": "",
            "generic_description": "", "class_id": "KITCHEN", "type": "Sales Item",
            "uofm_schedule": "EACH", "selling_uofm": "Each", "default_site": "MAIN",
            "default_price_level": "RETAIL", "standard_cost": "0", "current_cost": "0",
            "discontinued": False, "allow_backorder": True, "created": at.isoformat(),
            "modified": at.isoformat()}, at)
        store.move_stock(number, "MAIN", on_hand=Decimal(50))
        store.set_price(number, "RETAIL", "USD", "Each", Decimal("12.50"), at)  # GP's new price


def change(woo: WooClient, gp: GPStandIn, *, prices: int, names: int) -> None:
    """GP re-prices `prices` items; the shop renames `names` products (both as their users do)."""
    for k in range(prices):  # through GP's own change tracking, as a GP user's edit is
        httpx.post(f"{gp.base_url}/_sandbox/items/BENCH-{k:04d}", json={"price": "13.75"},
                   timeout=30).raise_for_status()
    found = woo.list_products(sku=[f"BENCH-{k:04d}" for k in range(prices, prices + names)]
                              ).items
    woo.batch_products(update=[{"id": p["id"], "name": f"{p['name']} (new)"} for p in found])


def run_pass(label: str, gateway: Counted, woo: WooClient, settings: Settings,
             gp_http: Counter, *, full: bool | None) -> None:
    """`full=None`: what the worker does — a full scan only when scan_interval_s has passed
    since the last one (the rare backstop), else the changes GP and WooCommerce report."""
    woo0, gp0 = woo.requests_sent, gp_http["n"]
    gateway.calls.clear()
    t0 = time.perf_counter()
    report = sync_products(gateway, woo, settings, clock=SystemClock(), full=full)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t0
    print(f"{label}: {elapsed:.1f} s; {report}")
    print(f"  WooCommerce HTTP requests: {woo.requests_sent - woo0} "
          f"({report.woo_batch_calls} batch writes)")
    print(f"  GP HTTP requests: {gp_http['n'] - gp0}; gateway calls: {dict(gateway.calls)}")


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        init_db(root / "state.db")
        shop = WooStandIn(root / "woo", webhook_delay=0)
        shop.start()
        gp = GPStandIn(root / "gp").start()
        try:
            woo = WooClient(shop.url, shop.consumer_key, shop.consumer_secret)
            seed(woo, gp, n)
            s = Settings()
            s.gp.soap_url, s.gp.company = gp.soap_url, gp.company
            s.gp.user, s.gp.allow_http = f"{gp.domain}\\{gp.user}", True
            # The bench times the writes themselves: its 1,000 changes are reviewed in advance.
            s.products.first_run, s.products.max_changes_per_pass = "approved", 0
            raw = open_gateway(s, gp.password, root)
            gp_http: Counter = Counter()
            for route in raw.routes.values():  # count every HTTP request the gateway sends
                http = getattr(getattr(route, "c", None), "http", None)
                if http is not None:
                    http.client.event_hooks["request"].append(
                        lambda _r: gp_http.update(n=1))
                    break
            gateway = Counted(raw)
            print(f"{n} bench products + the seeded catalogue on both sides")
            run_pass("pass 1 (link, write GP's prices to WooCommerce)", gateway, woo, s, gp_http,
                     full=True)
            run_pass("same-run baseline: a full scan with nothing to write", gateway, woo, s,
                     gp_http, full=True)
            run_pass("pass 2 (steady state, nothing changed)", gateway, woo, s, gp_http,
                     full=None)
            change(woo, gp, prices=10, names=5)
            run_pass("pass 3 (10 GP prices and 5 shop names changed)", gateway, woo, s,
                     gp_http, full=None)
            woo.close()
            raw.close()
        finally:
            shop.stop()
            gp.stop()
            close_db()
    return 0


if __name__ == "__main__":
    sys.exit(main())
