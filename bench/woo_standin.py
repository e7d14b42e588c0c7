"""Benchmark: how fast the WooCommerce stand-in generates orders and serves full pages.

    .venv/bin/python bench/woo_standin.py [N]      (default 100000)

Prints the generation rate (the brief's bound: 100,000 orders in under a minute) and a walk of
the first pages at per_page=100 over loopback HTTPS + Basic, for comparison with the real
store's ~1 page/s (shared/woocommerce/timing.json).
"""
from __future__ import annotations

import ssl
import sys
import tempfile
import time
from pathlib import Path

import httpx

from sandbox.woo import WooStandIn


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as d:
        t0, c0 = time.perf_counter(), time.process_time()
        shop = WooStandIn(Path(d), seed=1, orders=n, https=True)
        shop.start()
        gen, cpu = time.perf_counter() - t0, time.process_time() - c0
        # CPU time too: on a shared machine the wall clock measures the neighbours
        print(f"generated {n} orders in {gen:.1f} s wall, {cpu:.1f} s CPU "
              f"({n / gen:,.0f} orders/s wall)")
        try:
            ctx = ssl.create_default_context(cafile=str(shop.ca_file))
            with httpx.Client(base_url=f"{shop.https_url}/wp-json/wc/v3", verify=ctx,
                              auth=(shop.consumer_key, shop.consumer_secret)) as c:
                pages = 20
                t1 = time.perf_counter()
                for page in range(1, pages + 1):
                    r = c.get("/orders", params={"per_page": 100, "page": page,
                                                 "orderby": "modified", "order": "asc"})
                    r.raise_for_status()
                walk = time.perf_counter() - t1
                print(f"walked {pages} full pages of 100 in {walk:.2f} s "
                      f"({pages / walk:.1f} pages/s; X-WP-Total {r.headers['X-WP-Total']})")
        finally:
            shop.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
