"""The receiver of every pair (`ml-connector receive`, issue 18): signed deliveries of three
shops, interleaved, over real HTTP on loopback to one address; each must be committed in its own
pair's state.db before its 200. Compared in the same run with one pair's own receiver taking
the same number of deliveries (bench/receiver.py's set-up).

    .venv/bin/python bench/router.py [--deliveries 3000] [--concurrency 24] [--rounds 2]

- `ml-connector receive` runs in its own process, exactly as a service would start it; the
  senders are threads here on keep-alive connections sending pre-built requests, each request
  from one of the three shops in turn (its X-WC-Webhook-Source, signed with its pair's secret).
- After each round every pair's rows are counted in that pair's own state.db: each pair must
  hold exactly the deliveries of its shop that were answered 200, and nothing of another shop.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from receiver import (  # noqa: E402
    Receiver,
    _percentile,
    make_workspace,
    order_bodies,
    read_response,
    request_bytes,
)

from core.config import Settings, Workspace  # noqa: E402
from core.intake.receiver import sign  # noqa: E402
from core.secrets.vault import WEBHOOK_SECRET, create_key, open_vault  # noqa: E402
from core.store.db import close_db, init_db  # noqa: E402
from core.store.models import WebhookDelivery  # noqa: E402

PAIRS = ("default", "wholesale", "outlet")


def shop_of(name: str) -> str:
    return f"https://{name}.bench.test"


def secret_of(name: str) -> str:
    return f"BenchSecret-{name}-0123456789abcdefghijKLMNOP"


def make_pairs(folder: Path) -> dict[str, Workspace]:
    out = {}
    for name in PAIRS:
        ws = Workspace.at(folder if name == "default" else folder / "pairs" / name)
        settings = Settings()
        settings.woocommerce.url = shop_of(name)
        settings.worker.listen = "127.0.0.1:0"
        ws.save(settings)
        create_key(ws)
        init_db(ws.db_path)
        open_vault(ws).set(WEBHOOK_SECRET, secret_of(name), "bench")
        close_db()
        out[name] = ws
    return out


def routed_request(port: int, body: bytes, name: str) -> bytes:
    head = (f"POST /webhooks/woocommerce HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nX-WC-Webhook-Topic: order.updated\r\n"
            "X-WC-Webhook-Resource: order\r\nX-WC-Webhook-Event: updated\r\n"
            f"X-WC-Webhook-Source: {shop_of(name)}/\r\nX-WC-Webhook-ID: 1\r\n"
            f"X-WC-Webhook-Signature: {sign(body, secret_of(name))}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class Router:
    """`ml-connector receive --workspace FOLDER` in its own process."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "receive", "--workspace", str(folder),
             f"--listen=127.0.0.1:{self.port}", "--log-level=WARNING"], cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        if "receiving webhooks" not in line:
            raise SystemExit(f"the receiver did not start: {line}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def send(port: int, wires: list[bytes], deliveries: int, concurrency: int
         ) -> tuple[float, list[float], list[int], list[int]]:
    """(elapsed, latencies, indexes answered 200, other statuses)."""
    latencies: list[float] = []
    ok: list[int] = []
    bad: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def sender(lane: int) -> None:
        mine, good, wrong = [], [], []
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pending = b""
            start.wait()
            for i in range(lane, deliveries, concurrency):
                t = time.perf_counter()
                sock.sendall(wires[i % len(wires)])
                status, pending = read_response(sock, pending)
                mine.append(time.perf_counter() - t)
                (good if status == 200 else wrong).append(i if status == 200 else status)
        with lock:
            latencies.extend(mine)
            ok.extend(good)
            bad.extend(wrong)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - began, latencies, ok, bad


def stored(ws: Workspace) -> dict[str, int]:
    """Accepted deliveries in this state.db by source."""
    init_db(ws.db_path)
    try:
        out: dict[str, int] = {}
        for row in WebhookDelivery.select(WebhookDelivery.source).where(
                WebhookDelivery.verdict == "accepted"):
            out[str(row.source)] = out.get(str(row.source), 0) + 1
        return out
    finally:
        close_db()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=3000, help="per round and receiver")
    parser.add_argument("--concurrency", type=int, default=24, help="senders (connections)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    bodies = order_bodies(100)
    print(f"{args.deliveries} signed order deliveries per round, {args.concurrency} senders; "
          f"the receiver of every pair ({len(PAIRS)} pairs, interleaved) vs one pair's own "
          f"receiver (os.cpu_count() = {os.cpu_count()})")
    with tempfile.TemporaryDirectory(prefix="ml-router-bench-") as tmp:
        for r in range(args.rounds):
            folder = Path(tmp) / f"routed-{r}"
            pairs = make_pairs(folder)
            router = Router(folder)
            wires = [routed_request(router.port, body, PAIRS[i % len(PAIRS)])
                     for i, body in enumerate(bodies[:99])]  # 99: each shop in turn
            elapsed, lat, ok, bad = send(router.port, wires, args.deliveries, args.concurrency)
            router.stop()
            want = {name: 0 for name in PAIRS}
            for i in ok:
                want[PAIRS[(i % len(wires)) % len(PAIRS)]] += 1
            have = {name: stored(ws) for name, ws in pairs.items()}
            for name in PAIRS:
                if have[name] != {shop_of(name) + "/": want[name]}:
                    raise SystemExit(f"pair {name}: answered 200 for {want[name]} of its "
                                     f"shop's deliveries, stored {have[name]}")
            print(f"  round {r + 1} every pair : {len(ok) / elapsed:7,.0f} deliveries/s   "
                  f"p50 {_percentile(lat, 0.5) * 1000:6.1f} ms  p99 "
                  f"{_percentile(lat, 0.99) * 1000:6.1f} ms   {len(ok)} answered 200 "
                  f"({len(bad)} other), each pair holding exactly its own: "
                  f"{json.dumps(want)}")
            single = make_workspace(Path(tmp) / f"single-{r}")
            receiver = Receiver(single, naive=False)
            wires = [request_bytes(receiver.port, b) for b in bodies]
            elapsed, lat, ok, bad = send(receiver.port, wires, args.deliveries,
                                         args.concurrency)
            receiver.cpu()
            receiver.stop()
            print(f"  round {r + 1} one pair   : {len(ok) / elapsed:7,.0f} deliveries/s   "
                  f"p50 {_percentile(lat, 0.5) * 1000:6.1f} ms  p99 "
                  f"{_percentile(lat, 0.99) * 1000:6.1f} ms   {len(ok)} answered 200 "
                  f"({len(bad)} other)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
