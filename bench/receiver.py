"""Webhook receiver benchmark: signed WooCommerce deliveries over real HTTP on loopback to the real
receiver (core/intake/receiver.py served by uvicorn, exactly as `ml-connector webhooks serve`
runs it, delivery processing alongside), against a naive baseline in the same run.

    .venv/bin/python bench/receiver.py [--deliveries 4000] [--concurrency 32] [--rounds 2]

- The receiver runs in its own process; the senders are a thread pool in this process, each on
  its own keep-alive connection, sending pre-built HTTP/1.1 requests over raw sockets (so the
  sender's CPU stays small next to the receiver's on a 2-core machine). Each body is a real
  order from the WooCommerce stand-in, signed with HMAC-SHA256 as WooCommerce signs it.
- "group commit" is the receiver as shipped: every delivery that arrives while a commit is in
  progress joins the next one; each 200 still follows its own row's synchronous=FULL commit.
- "naive" is the same receiver with the writer's group size forced to 1: one transaction and
  one fsync per delivery (what a receiver that commits each request on its own pays).
- The two alternate for `--rounds` rounds (the machine may be loaded by other work; read the
  same-run ratio). After each round the rows are counted in the database: every 200 must be
  there (durability is checked, not assumed).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import Settings, Workspace  # noqa: E402
from core.intake.delivery_writer import DeliveryWriter  # noqa: E402
from core.intake.receiver import sign  # noqa: E402
from core.intake.service import IntakeService  # noqa: E402
from core.secrets.vault import WEBHOOK_SECRET, create_key, open_vault  # noqa: E402
from core.store.db import close_db, init_db  # noqa: E402
from core.store.models import WebhookDelivery  # noqa: E402
from core.woo.client import WooClient  # noqa: E402
from sandbox.woo import WooStandIn  # noqa: E402

SECRET = "BenchSecret0123456789abcdefghijKLMNOPQRSTUV"
SHOP = "https://shop.bench.test"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def order_bodies(count: int) -> list[bytes]:
    """Real order bodies as the WooCommerce stand-in renders them (compact JSON)."""
    with tempfile.TemporaryDirectory(prefix="ml-receiver-shop-") as tmp:
        shop = WooStandIn(Path(tmp) / "shop", seed=1, orders=count)
        shop.start()
        try:
            client = WooClient(shop.url, shop.consumer_key, shop.consumer_secret)
            bodies = [json.dumps(o, separators=(",", ":")).encode()
                      for o in client.list_orders(None, per_page=100).items]
            client.close()
        finally:
            shop.stop()
    return bodies


def make_workspace(root: Path) -> Workspace:
    ws = Workspace.at(root)
    settings = Settings()
    settings.woocommerce.url = SHOP
    ws.save(settings)
    create_key(ws)
    init_db(ws.db_path)
    open_vault(ws).set(WEBHOOK_SECRET, SECRET, "bench")
    close_db()
    return ws


def serve(workspace: str, naive: bool) -> int:
    """Child process: the receiver (IntakeService, as `webhooks serve` runs it) until stdin
    closes; prints its URL and, at the end, its CPU seconds."""
    if naive:
        DeliveryWriter.MAX_BATCH = 1  # one transaction + fsync per delivery
    ws = Workspace.at(Path(workspace))
    settings = ws.load()
    init_db(ws.db_path)
    service = IntakeService(settings, open_vault(ws), listen="127.0.0.1:0", poll=False)
    service.start()
    cpu0 = time.process_time()
    print(service.url, flush=True)
    sys.stdin.readline()  # "cpu?" after the senders finished
    print(json.dumps({"cpu": time.process_time() - cpu0}), flush=True)
    sys.stdin.read()
    service.stop()
    close_db()
    return 0


def request_bytes(port: int, body: bytes) -> bytes:
    head = (f"POST /webhooks/woocommerce HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "User-Agent: WooCommerce/10.0 Hookshot (WordPress/6.8)\r\n"
            "Content-Type: application/json\r\nX-WC-Webhook-Topic: order.updated\r\n"
            "X-WC-Webhook-Resource: order\r\nX-WC-Webhook-Event: updated\r\n"
            f"X-WC-Webhook-Source: {SHOP}/\r\nX-WC-Webhook-ID: 1\r\n"
            f"X-WC-Webhook-Signature: {sign(body, SECRET)}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def read_response(sock: socket.socket, pending: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 response (Content-Length framed, as uvicorn sends it): (status, leftover)."""
    buf = pending
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the receiver closed the connection")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the receiver closed the connection")
        rest += chunk
    return status, rest[length:]


class Receiver:
    def __init__(self, ws: Workspace, naive: bool) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        args = [sys.executable, __file__, "--serve", str(ws.db_path.parent)]
        if naive:
            args.append("--naive")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line:
            raise SystemExit("the receiver did not start")
        self.port = int(line.rsplit(":", 1)[1])

    def cpu(self) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("cpu?\n")
        self.proc.stdin.flush()
        return float(json.loads(self.proc.stdout.readline())["cpu"])

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def run_round(ws: Workspace, bodies: list[bytes], deliveries: int, concurrency: int,
              naive: bool) -> dict[str, float]:
    init_db(ws.db_path)
    before = WebhookDelivery.select().where(WebhookDelivery.verdict == "accepted").count()
    close_db()
    receiver = Receiver(ws, naive)
    wires = [request_bytes(receiver.port, b) for b in bodies]
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def sender(lane: int) -> None:
        mine: list[float] = []
        bad: list[int] = []
        with socket.create_connection(("127.0.0.1", receiver.port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pending = b""
            start.wait()
            for i in range(lane, deliveries, concurrency):
                t = time.perf_counter()
                sock.sendall(wires[i % len(wires)])
                status, pending = read_response(sock, pending)
                mine.append(time.perf_counter() - t)
                if status != 200:
                    bad.append(status)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    init_db(ws.db_path)
    unprocessed = WebhookDelivery.select().where(
        (WebhookDelivery.verdict == "accepted") & WebhookDelivery.processed_at.is_null())
    while unprocessed.count():  # processing catches up once the burst ebbs (bench: polls)
        time.sleep(0.05)
        if time.perf_counter() - started - elapsed > 120:
            raise SystemExit("deliveries still unprocessed 120 s after the burst")
    caught_up = time.perf_counter() - started - elapsed
    stored = WebhookDelivery.select().where(
        WebhookDelivery.verdict == "accepted").count() - before
    close_db()
    cpu = receiver.cpu()
    receiver.stop()
    acked = deliveries - len(failures)
    if stored < acked:
        raise SystemExit(f"{acked} deliveries answered 200 but only {stored} stored")
    return {"rate": acked / elapsed, "p50": _percentile(latencies, 0.5) * 1000,
            "p99": _percentile(latencies, 0.99) * 1000, "max": max(latencies) * 1000,
            "stored": stored, "acked": acked, "failed": len(failures), "cpu_ms": cpu * 1000,
            "elapsed": elapsed, "caught_up": caught_up}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=4000, help="per round and receiver")
    parser.add_argument("--concurrency", type=int, default=32, help="senders (connections)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve", metavar="WORKSPACE", default="", help=argparse.SUPPRESS)
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.naive)
    bodies = order_bodies(100)
    size = statistics.mean(len(b) for b in bodies)
    print(f"webhook receiver: {args.deliveries} signed order deliveries per round "
          f"({size / 1024:.1f} KiB each), {args.concurrency} senders on keep-alive connections, "
          f"synchronous=FULL commit before each 200; receiver in its own process with delivery "
          f"processing alongside (os.cpu_count() = {os.cpu_count()})")
    results: dict[str, list[dict[str, float]]] = {"group commit": [], "naive": []}
    with tempfile.TemporaryDirectory(prefix="ml-receiver-bench-") as tmp:
        for r in range(args.rounds):
            for name in ("naive", "group commit"):
                ws = make_workspace(Path(tmp) / f"{name.replace(' ', '-')}-{r}")
                res = run_round(ws, bodies, args.deliveries, args.concurrency,
                                naive=name == "naive")
                results[name].append(res)
                print(f"  round {r + 1} {name:12s}: {res['rate']:7,.0f} deliveries/s   "
                      f"p50 {res['p50']:6.1f} ms  p99 {res['p99']:6.1f} ms  max "
                      f"{res['max']:6.1f} ms   {int(res['stored'])} stored / "
                      f"{int(res['acked'])} answered 200 ({int(res['failed'])} other)   "
                      f"all processed {res['caught_up']:.1f} s after the last 200; receiver CPU "
                      f"{res['cpu_ms'] / res['acked']:.2f} ms/delivery with processing")
    for name, runs in results.items():
        best = max(runs, key=lambda x: x["rate"])
        print(f"{name:12s} best round: {best['rate']:,.0f} deliveries/s, p50 {best['p50']:.1f} "
              f"ms, p99 {best['p99']:.1f} ms")
    g = max(x["rate"] for x in results["group commit"])
    n = max(x["rate"] for x in results["naive"])
    print(f"group commit / naive, same run: {g / n:.1f}x   (goal: >= 1,000 deliveries/s, "
          "p99 <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
