"""Intake benchmark: how fast signed webhooks are durably stored and acknowledged, and how fast a
backfill takes orders in compared with how fast the WooCommerce stand-in serves them.

    .venv/bin/python bench/intake.py [--deliveries 2000] [--concurrency 4] [--orders 3000]

1. The receiver runs as its own process (`ml-connector webhooks serve`, exactly what the worker
   runs), with delivery processing alongside as in production. `--concurrency` senders post real
   order bodies (taken from the stand-in), each signed with HMAC-SHA256, over keep-alive
   connections. Reported: deliveries durably stored per second (checked by counting rows after
   the run) and p50/p99 time from sending to the 200.
2. The stand-in holds `--orders` orders and runs in its own process (so its serving does not
   share this process's interpreter lock with the connector). First a bare walk of every page
   (full bodies, 100 per page, parsed) gives the stand-in's own serving rate as this process
   sees it; then `backfill` walks the same orders into an empty inbox (one transaction per
   page, the next page fetched while this one is stored).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.clock import ManualClock  # noqa: E402
from core.config import Settings, Workspace  # noqa: E402
from core.intake.backfill import backfill  # noqa: E402
from core.intake.receiver import sign  # noqa: E402
from core.secrets.vault import WEBHOOK_SECRET, create_key, open_vault  # noqa: E402
from core.store.db import close_db, init_db  # noqa: E402
from core.store.models import Order, WebhookDelivery  # noqa: E402
from core.woo.client import WooClient  # noqa: E402
from sandbox.woo import WooStandIn  # noqa: E402

SECRET = "BenchSecret0123456789abcdefghijKLMNOPQRSTUV"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_receiver(bodies: list[bytes], deliveries: int, concurrency: int, root: Path) -> None:
    ws = Workspace.at(root / "receiver")
    settings = Settings()
    settings.woocommerce.url = "https://shop.bench.test"
    ws.save(settings)
    create_key(ws)
    init_db(ws.db_path)
    open_vault(ws).set(WEBHOOK_SECRET, SECRET, "bench")
    close_db()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "--workspace", str(ws.db_path.parent),
                             "webhooks", "serve", "--listen", "127.0.0.1:0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().split()[-1]
    signed = [(b, {"Content-Type": "application/json", "X-WC-Webhook-Topic": "order.updated",
                   "X-WC-Webhook-Resource": "order", "X-WC-Webhook-Event": "updated",
                   "X-WC-Webhook-Source": "https://shop.bench.test/", "X-WC-Webhook-ID": "1",
                   "X-WC-Webhook-Signature": sign(b, SECRET)}) for b in bodies]
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def sender(lane: int) -> None:
        mine: list[float] = []
        with httpx.Client(timeout=30) as http:
            for i in range(lane, deliveries, concurrency):
                body, headers = signed[i % len(signed)]
                t = time.perf_counter()
                r = http.post(url, content=body, headers=headers)
                mine.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append(r.status_code)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=sender, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    proc.terminate()
    proc.wait(timeout=30)
    init_db(ws.db_path)
    stored = WebhookDelivery.select().where(WebhookDelivery.verdict == "accepted").count()
    close_db()
    size = statistics.mean(len(b) for b in bodies)
    print(f"webhook receiver ({concurrency} senders, {deliveries} signed order deliveries, "
          f"{size / 1024:.1f} KiB each, synchronous=FULL commit before each 200)")
    print(f"  stored durably:    {stored} of {deliveries} ({len(failures)} non-200)")
    print(f"  throughput:        {stored / elapsed:,.0f} deliveries/s")
    print(f"  acknowledgement:   p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")


def serve_shop(orders: int) -> int:
    """Child process: the WooCommerce stand-in, its URL and keys as one JSON line, until stdin
    closes."""
    root = Path(tempfile.mkdtemp(prefix="ml-intake-shop-"))
    shop = WooStandIn(root / "shop", seed=1, orders=orders)
    shop.start()
    print(json.dumps({"url": shop.url, "key": shop.consumer_key,
                      "secret": shop.consumer_secret}), flush=True)
    sys.stdin.read()
    shop.stop()
    return 0


class ShopProcess:
    def __init__(self, orders: int) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-shop", str(orders)],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the WooCommerce stand-in did not start")
        info = json.loads(line)
        self.url, self.consumer_key, self.consumer_secret = info["url"], info["key"], \
            info["secret"]

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def bench_backfill(shop: ShopProcess, orders: int, root: Path, profile: str = "") -> None:
    client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret, timeout_s=120)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    served = sum(len(p.items) for p in client.iter_pages(
        "orders", {"per_page": 100, "orderby": "modified", "order": "asc",
                   "modified_after": "2000-01-01T00:00:00", "dates_are_gmt": "true"}))
    walk_s = time.perf_counter() - started
    ws = Workspace.at(root / "backfill")
    create_key(ws)
    init_db(ws.db_path)
    profiler = cProfile.Profile(time.process_time) if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = backfill(client, since, clock=ManualClock())
    fill_s = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    taken = Order.select().count()
    close_db()
    client.close()
    print(f"backfill ({orders} orders in the stand-in, 100 per page, full bodies)")
    print(f"  stand-in serving:  {served / walk_s:,.0f} orders/s (bare page walk, {served} orders "
          f"in {walk_s:.1f} s)")
    print(f"  backfill:          {taken / fill_s:,.0f} orders/s ({taken} orders into the inbox in "
          f"{fill_s:.1f} s, {result.pages} pages)")
    print("  (real WooCommerce 10 on 2 vCPU: ~95 orders/s per connection, woocommerce.md §10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--only", choices=("receiver", "backfill"), default="",
                        help="run one of the two benchmarks")
    parser.add_argument("--profile", metavar="FILE", default="",
                        help="cProfile (CPU time) the backfill into FILE")
    parser.add_argument("--serve-shop", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_shop:
        sys.exit(serve_shop(args.serve_shop))
    with tempfile.TemporaryDirectory(prefix="ml-intake-bench-") as tmp:
        root = Path(tmp)
        shop = ShopProcess(args.orders)
        try:
            client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret)
            bodies = [json.dumps(o, separators=(",", ":")).encode()
                      for o in client.list_orders(None, per_page=100).items]
            client.close()
            if args.only != "backfill":
                bench_receiver(bodies, args.deliveries, args.concurrency, root)
            if args.only != "receiver":
                bench_backfill(shop, args.orders, root, args.profile)
        finally:
            shop.stop()


if __name__ == "__main__":
    main()
