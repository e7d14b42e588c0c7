"""Posting benchmark: the connector's own CPU per order, GP round trips per order (new vs known
customer), and throughput at GP latencies of 0, 50 and 200 ms next to the floor
`concurrency / (round trips x latency)` — all measured in one run.

    .venv/bin/python bench/posting.py [--orders 60] [--concurrency 4]

The stand-ins run in their own process (this script with --serve), so this process's CPU time is
the connector's alone (intake, mapping, SQLite, SOAP building and parsing, NTLM). Round trips are
HTTP requests that reach GP, counted at the transport.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import gl  # noqa: E402
from core.config import Settings, Workspace  # noqa: E402
from core.intake.inbox import accept_order_snapshot  # noqa: E402
from core.store.db import database, init_db  # noqa: E402
from core.store.models import AuditEvent, GpItem, Order  # noqa: E402

ACCOUNTS = {"sales": "000-4100-00", "receivables": "000-1200-00", "freight": "000-4510-00",
            "misc": "000-4520-00", "discount": "000-4110-00", "tax": "000-2300-00",
            "rounding": "000-7900-00", "cash": "000-1110-00"}


class RoundTrips:
    """Counts HTTP requests to one host:port, per thread, at httpx's transport."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()
        self.total = 0
        self.by_operation: Counter[str] = Counter()
        self._lock = threading.Lock()
        original = httpx.HTTPTransport.handle_request
        me = self

        def handle(transport: Any, request: httpx.Request) -> httpx.Response:
            if request.url.port == me.port:
                me.local.n = getattr(me.local, "n", 0) + 1
                op = request.headers.get("SOAPAction", request.method).strip('"')
                with me._lock:
                    me.total += 1
                    me.by_operation[op.rsplit("/", 1)[-1]] += 1
            return original(transport, request)

        httpx.HTTPTransport.handle_request = handle  # type: ignore[method-assign]

    def mine(self) -> int:
        return getattr(self.local, "n", 0)


def serve() -> int:
    """Child process: both stand-ins, their URLs as one JSON line, until stdin closes."""
    from sandbox.gp import GPStandIn
    from sandbox.woo import WooStandIn

    root = Path(tempfile.mkdtemp(prefix="bench-standins-"))
    shop = WooStandIn(root / "woo", seed=21, webhook_delay=0)
    shop.start()
    gp = GPStandIn(root / "gp", seed=21)
    gp.start()
    print(json.dumps({"woocommerce": {"url": shop.url, "consumer_key": shop.consumer_key,
                                      "consumer_secret": shop.consumer_secret},
                      "gp": {"soap_url": gp.soap_url, "base_url": gp.base_url,
                             "domain": gp.domain, "user": gp.user, "password": gp.password,
                             "company": gp.company}}), flush=True)
    sys.stdin.read()
    shop.stop()
    gp.stop()
    return 0


def start_standins() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the stand-ins did not start")
    return proc, json.loads(line)


def control(url: str, path: str, body: Any = None, method: str = "POST") -> Any:
    r = httpx.request(method, f"{url}/_sandbox/{path}", json=body, timeout=60)
    r.raise_for_status()
    return r.json()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=60, help="new orders per latency step")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--profile", metavar="FILE", default="",
                    help="cProfile the one-at-a-time posting (0 ms GP) into FILE and print its "
                    "top entries")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve()
    proc, info = start_standins()
    try:
        return run(info, args.orders, args.concurrency, args.profile)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def run(info: dict[str, Any], n_orders: int, concurrency: int, profile: str = "") -> int:
    import logging

    from core.gp.factory import open_gateway
    from core.pipeline.runner import Runner
    from core.woo.client import WooClient

    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)
    woo_i, gp_i = info["woocommerce"], info["gp"]
    root = Path(tempfile.mkdtemp(prefix="bench-posting-"))
    ws = Workspace.at(root)
    s = Settings()
    s.woocommerce.url = woo_i["url"]
    s.gp.soap_url, s.gp.company, s.gp.allow_http = gp_i["soap_url"], gp_i["company"], True
    s.gp.user = f"{gp_i['domain']}\\{gp_i['user']}"
    s.posting.concurrency = concurrency
    s.posting.gateways = {"stripe": {"paid": True, "checkbook": "CARDS"},
                          "ppcp": {"paid": True, "checkbook": "PAYPAL"}}
    ws.save(s)
    init_db(ws.db_path)
    for kind, account in ACCOUNTS.items():
        gl.set_account("company", "", kind, account, actor="bench")
    gp_port = httpx.URL(gp_i["soap_url"]).port
    trips = RoundTrips(gp_port)
    woo = WooClient(woo_i["url"], woo_i["consumer_key"], woo_i["consumer_secret"])
    gateway = open_gateway(s, gp_i["password"], root)
    gateway.get_item("TEE-BLU-M")  # warm: WSDL, policy, NTLM handshake
    # GP's item list copied locally, as the worker's product sync keeps it (GpItem): posting
    # then asks GP only about SKUs the copy lacks (the figures below show any GetItemList).
    summaries = gateway.soap._all_item_summaries()
    now = datetime.now(UTC)
    with database.atomic():
        GpItem.insert_many([{"item_number": str(s.Key.Id).strip(), "refreshed_at": now}
                            for s in summaries]).on_conflict_replace().execute()
    print(f"GP item list copied locally first ({len(summaries)} items, as the product sync "
          "keeps it)")
    seen: set[int] = set()

    def new_orders(count: int) -> int:
        control(woo_i["url"], "activity", {"orders": count})
        n = 0
        for payload in woo.iter_orders_modified_since(None):
            if payload["id"] not in seen:
                seen.add(payload["id"])
                n += accept_order_snapshot(payload, source="bench")
        return n

    # 1. Round trips per order, one at a time, split by new vs known customer.
    per_kind: dict[str, list[int]] = {"new customer": [], "known customer": []}
    runner = Runner(s, gateway=gateway, woo=woo, concurrency=1)
    original = runner.run_job

    def counted(job: Any) -> Any:
        before = trips.mine()
        last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        result = original(job)
        woo_id = int(job.key.split(":")[1])
        order = Order.get_or_none(Order.woo_id == woo_id)
        if job.kind == "post_order" and order is not None and order.state == "verified":
            made = AuditEvent.select().where(
                (AuditEvent.id > (last.id if last else 0)) & (AuditEvent.entity_id == str(woo_id))
                & AuditEvent.kind.in_(("customer_created", "customer_updated"))).count()
            per_kind["new customer" if made else "known customer"].append(trips.mine() - before)
        return result

    runner.run_job = counted  # type: ignore[method-assign]
    # CPU time, not wall time: the waits on GP and on fsync are not the connector's cost.
    profiler = cProfile.Profile(time.process_time) if profile else None
    ops0 = Counter(trips.by_operation)
    cpu_one = 0.0
    for _ in range(2):  # the second round meets many of the same customers again
        new_orders(n_orders)
        cpu0 = time.process_time()
        if profiler:
            profiler.enable()
        runner.run_until_idle()
        if profiler:
            profiler.disable()
        cpu_one += time.process_time() - cpu0
    posted_one = sum(len(v) for v in per_kind.values())
    print(f"Connector CPU per posted order, one at a time at 0 ms GP: "
          f"{1000 * cpu_one / max(posted_one, 1):.1f} ms ({posted_one} orders)")
    ops = Counter(trips.by_operation)
    ops.subtract(ops0)
    print("GP requests per posted order, by operation (one at a time): " + ", ".join(
        f"{op} {n / max(posted_one, 1):.2f}" for op, n in ops.most_common() if n))
    if profiler:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        print(f"\nProfile of the one-at-a-time posting ({profile}), top by own time:")
        stats.sort_stats("tottime").print_stats(15)
    print("GP round trips per posted order (HTTP requests, concurrency 1):")
    for kind, values in per_kind.items():
        if values:
            mix = Counter(values).most_common(3)
            print(f"  {kind:15s} mean {sum(values) / len(values):4.1f}   orders {len(values):4d}"
                  f"   most common {mix}")
    mean_rt = sum(sum(v) for v in per_kind.values()) / max(1, sum(len(v) for v in
                                                                   per_kind.values()))

    # 2. Throughput at three GP latencies (CPU measured over the same runs).
    print(f"\nThroughput, concurrency {concurrency} (floor = concurrency / (round trips x "
          f"latency), round trips as measured in each run; {mean_rt:.1f} one at a time):")
    cpu_total = 0.0
    posted_total = 0
    runner = Runner(s, gateway=gateway, woo=woo, concurrency=concurrency,
                    gateway_factory=lambda: open_gateway(s, gp_i["password"], root))
    for latency in (0, 50, 200):
        control(gp_i["base_url"], "faults", {"latency_ms": latency})
        count = n_orders if latency < 200 else max(10, n_orders // 2)
        new_orders(count)
        before = Order.select().where(Order.state == "verified").count()
        cpu0, t0, trips0 = time.process_time(), time.perf_counter(), trips.total
        runner.run_until_idle()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        posted = Order.select().where(Order.state == "verified").count() - before
        rt = (trips.total - trips0) / max(posted, 1)
        cpu_total += cpu
        posted_total += posted
        rate = posted / wall if wall else 0.0
        floor = (f"{concurrency / (rt * latency / 1000):6.1f}/s" if latency else
                 "   (no bound)")
        print(f"  GP latency {latency:3d} ms: {posted:4d} orders in {wall:6.2f} s = "
              f"{rate:6.1f} orders/s   round trips {rt:4.1f}/order   ceiling from the floor "
              f"{floor}   connector CPU {1000 * cpu / max(posted, 1):5.1f} ms/order")
    control(gp_i["base_url"], "faults", method="DELETE")
    print(f"\nConnector CPU per posted order over all runs: "
          f"{1000 * cpu_total / max(posted_total, 1):.1f} ms "
          f"(os.cpu_count() = {os.cpu_count()})")
    runner.close()
    gateway.close()
    woo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
