"""Posting benchmark: the connector's own CPU per order, GP round trips per order (new vs known
customer), and throughput against GP's shape — a per-call latency drawn from a log-normal
distribution and a bounded number of GP service processes (requests queue when all are busy,
NTLM legs are not delayed) — next to the floor of each profile, all measured in one run:

    floor = min(concurrency, processes) / (business calls per order x mean call latency)

    .venv/bin/python bench/posting.py [--orders 60] [--concurrency 4]

Profiles: 0 ms with 30 processes (the stand-in's raw speed), and a realistic GP: 300 ms median
per call (sigma 0.4) with 4 service processes; also 300 ms with 1 process (a serial eConnect).
No public per-call figure exists for GP Web Services (gp.md §20.3): measure yours with `check`.
The stand-ins run in their own process (this script with --serve), so this process's CPU time is
the connector's alone. Round trips are HTTP requests that reach GP, counted at the transport;
business calls are the ones GP served (its capacity counter), without NTLM legs.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import math
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


class WriteTransactions:
    """Counts the state database's write transactions (outermost BEGIN IMMEDIATE), each one
    fsync under the one write lock."""

    def __init__(self) -> None:
        self.total = 0
        original = type(database.obj).atomic  # the engine behind the store's proxy
        me = self

        def atomic(db: Any, lock_type: str | None = "IMMEDIATE") -> Any:
            if db.transaction_depth() == 0:
                me.total += 1
            return original(db, lock_type)

        type(database.obj).atomic = atomic


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


class RequestSamples:
    """Keeps the first request of each SOAP operation the connector builds (its keywords and
    the client), to time zeep's own building of it against the prepared renderer's, same run."""

    def __init__(self) -> None:
        from core.gp.soap import SoapClient

        self.samples: dict[str, tuple[Any, dict[str, Any]]] = {}
        original = SoapClient.envelope
        me = self

        def envelope(client: Any, op: str, kwargs: dict[str, Any]) -> Any:
            me.samples.setdefault(op, (client, dict(kwargs)))
            return original(client, op, kwargs)

        SoapClient.envelope = envelope  # type: ignore[method-assign]

    def report(self, reps: int = 200) -> None:
        from core.gp.soap_render import NotPrepared

        print(f"\nBuilding one request, CPU per request over {reps} builds (same run, same "
              "keywords): zeep's own (value objects + render) vs the prepared renderer")
        for op, (client, kwargs) in sorted(self.samples.items()):
            binding, options = client.service._binding, client.service._binding_options
            t0 = time.process_time()
            for _ in range(reps):
                binding._create(op, (), dict(kwargs), client=client.client, options=options)
            zeep_ms = 1000 * (time.process_time() - t0) / reps
            try:
                t0 = time.process_time()
                for _ in range(reps):
                    client._renderer.envelope(binding, op, kwargs)
                fast = f"{1000 * (time.process_time() - t0) / reps:6.3f} ms"
            except NotPrepared:
                fast = "(zeep builds it)"
            print(f"  {op:28s} zeep {zeep_ms:6.3f} ms   prepared {fast}")


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


# (median ms, sigma, GP service processes): the raw stand-in, a realistic GP, a serial GP.
PROFILES = [(0.0, 0.0, 30), (300.0, 0.4, 4), (300.0, 0.4, 1)]


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
    ap.add_argument("--zeep-only", action="store_true",
                    help="build every SOAP request with zeep alone (the baseline for the prepared "
                    "renderer's CPU)")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve()
    if args.zeep_only:
        from core.gp.soap_render import NotPrepared, RequestRenderer

        def zeep_builds(*_: Any, **__: Any) -> Any:
            raise NotPrepared("--zeep-only")

        RequestRenderer.envelope = zeep_builds  # type: ignore[method-assign]
    proc, info = start_standins()
    try:
        return run(info, args.orders, args.concurrency, args.profile)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def bench_workspace(info: dict[str, Any], root: Path, concurrency: int,
                    location: str | Path | None = None) -> Settings:
    """A workspace at `root` on the stand-ins (`info`), its state opened at `location` (a
    PostgreSQL URL, default the workspace's state.db) with the GL accounts and tax details the
    README's GP set-up makes; its settings."""
    woo_i, gp_i = info["woocommerce"], info["gp"]
    ws = Workspace.at(root)
    s = Settings()
    s.woocommerce.url = woo_i["url"]
    s.gp.soap_url, s.gp.company, s.gp.allow_http = gp_i["soap_url"], gp_i["company"], True
    s.gp.user = f"{gp_i['domain']}\\{gp_i['user']}"
    s.posting.concurrency = concurrency
    # GP's own card type and checkbook ids, as the README's GP set-up creates them.
    s.posting.gateways = {"stripe": {"paid": True, "payment_type": "credit_card",
                                     "card_type": "STRIPE", "checkbook": "CARDS"},
                          "ppcp": {"paid": True, "payment_type": "credit_card",
                                   "card_type": "PAYPAL", "checkbook": "PAYPAL"}}
    s.store.database_url = location if isinstance(location, str) else ""
    ws.save(s)
    init_db(location if location is not None else ws.db_path)
    for kind, account in ACCOUNTS.items():
        gl.set_account("company", "", kind, account, actor="bench")
    for rate_id, detail in {1: "WEB-NY", 2: "WEB-CA", 3: "WEB-TX", 4: "WEB-WA"}.items():
        gl.set_account("tax_rate", str(rate_id), "tax", detail, actor="bench")
    return s


def run(info: dict[str, Any], n_orders: int, concurrency: int, profile: str = "") -> int:
    import logging

    from core.gp.factory import open_gateway
    from core.pipeline.runner import Runner
    from core.woo.client import WooClient

    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)
    woo_i, gp_i = info["woocommerce"], info["gp"]
    root = Path(tempfile.mkdtemp(prefix="bench-posting-"))
    s = bench_workspace(info, root, concurrency)
    gp_port = httpx.URL(gp_i["soap_url"]).port
    trips = RoundTrips(gp_port)
    writes = WriteTransactions()
    samples = RequestSamples()
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
    writes0 = 0
    for _ in range(2):  # the second round meets many of the same customers again
        new_orders(n_orders)
        cpu0 = time.process_time()
        w0 = writes.total
        if profiler:
            profiler.enable()
        runner.run_until_idle()
        writes0 += writes.total - w0
        if profiler:
            profiler.disable()
        cpu_one += time.process_time() - cpu0
    posted_one = sum(len(v) for v in per_kind.values())
    print(f"Connector CPU per posted order, one at a time at 0 ms GP: "
          f"{1000 * cpu_one / max(posted_one, 1):.1f} ms ({posted_one} orders)")
    print(f"State database write transactions per posted order (one at a time): "
          f"{writes0 / max(posted_one, 1):.2f}")
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

    # 2. Throughput against GP's shape (CPU measured over the same runs).
    print(f"\nThroughput, concurrency {concurrency} (floor = min(concurrency, processes) / "
          f"(business calls x mean latency), per run; {mean_rt:.1f} round trips one at a time):")
    cpu_total = 0.0
    posted_total = 0
    runner = Runner(s, gateway=gateway, woo=woo, concurrency=concurrency,
                    gateway_factory=lambda: open_gateway(s, gp_i["password"], root))
    for median, sigma, processes in PROFILES:
        control(gp_i["base_url"], "capacity", {"median_ms": median, "sigma": sigma,
                                               "processes": processes, "seed": 5})
        count = n_orders if median == 0 else max(10, n_orders // 3)
        new_orders(count)
        before = Order.select().where(Order.state == "verified").count()
        failed0 = Order.select().where(Order.state == "failed").count()
        cpu0, t0, trips0 = time.process_time(), time.perf_counter(), trips.total
        runner.run_until_idle()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        posted = Order.select().where(Order.state == "verified").count() - before
        failed = Order.select().where(Order.state == "failed").count() - failed0
        served = control(gp_i["base_url"], "capacity", method="GET")
        done = max(posted + failed, 1)
        rt = (trips.total - trips0) / done
        calls = served["delayed_calls"] / done
        cpu_total += cpu
        posted_total += posted
        rate = done / wall if wall else 0.0
        mean_s = median * math.exp(sigma * sigma / 2) / 1000
        floor = (f"{min(concurrency, processes) / (calls * mean_s):6.2f}/s" if median else
                 "  (no bound)")
        print(f"  GP {median:3.0f} ms median, {processes:2d} processes: {done:4d} orders "
              f"({failed} refused by GP) in {wall:6.2f} s = {rate:6.2f} orders/s   floor "
              f"{floor}   business calls {calls:4.1f}/order (round trips {rt:4.1f})   peak "
              f"busy {served['peak_busy']}, peak queued {served['peak_queued']}   connector "
              f"CPU {1000 * cpu / done:5.1f} ms/order")
    control(gp_i["base_url"], "capacity", {"median_ms": 0, "sigma": 0, "processes": 30})
    samples.report()
    print(f"\nConnector CPU per posted order over all runs: "
          f"{1000 * cpu_total / max(posted_total, 1):.1f} ms "
          f"(os.cpu_count() = {os.cpu_count()})")
    runner.close()
    gateway.close()
    woo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
