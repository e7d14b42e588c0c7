"""reliability.md §8 promise 3, as worded: "at 50 deliveries/s for 10 min with GP unreachable,
p99 time-to-2xx < 500 ms; kill -9 of the receiver right after a 2xx (1 000 trials) never loses
that delivery".

The real worker (`ml-connector worker`: receiver, poller, posting loop) runs as its own process
with GP unreachable (nothing listens on its port), against the WooCommerce stand-in.

- Load: signed deliveries at 50/s, each on a fresh connection (WooCommerce sends
  `Connection: close`), from a few sender threads; every one must be answered 200, p99 of the
  time to that 200 under 500 ms, and every one stored.
- Kill: the sender that receives a randomly chosen 200 SIGKILLs the worker at once, while other
  deliveries are in flight; the worker is restarted on the same database; every delivery ever
  answered 200 must be stored.

CI runs 10 s of load (500 deliveries) and 6 kill trials; ML_CONNECTOR_DEEP=1 runs the promise's
10 minutes and 1,000 kill trials.
"""
from __future__ import annotations

import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from core.secrets.keys import ENV_VAR
from core.secrets.vault import WEBHOOK_SECRET as WEBHOOK_SECRET_NAME
from core.secrets.vault import open_vault
from core.store.db import close_db, init_db
from core.store.models import WebhookDelivery
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn
from tests.core.intake_helpers import WEBHOOK_SECRET, body_of, delivery_headers, order_payload
from tests.ports import port_for_later
from tests.sandbox.demo_support import wait_for
from tui.demo.setup import DemoEndpoints, prepare_workspace

ROOT = Path(__file__).resolve().parents[2]
DEEP = os.environ.get("ML_CONNECTOR_DEEP") == "1"
LOAD_S = 600.0 if DEEP else 10.0
RATE = 50.0
KILL_TRIALS = 1000 if DEEP else 6
P99_LIMIT_S = 0.5
# the deep run takes longer than the suite's 300 s per test: no limit then
pytestmark = pytest.mark.timeout(0 if DEEP else 300)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shop = WooStandIn(tmp_path / "woo", seed=3, orders=0, webhook_delay=0)
    shop.start()
    gp = GPStandIn(tmp_path / "gp", seed=3)  # never started: GP is unreachable
    dead = f"http://127.0.0.1:{port_for_later()}/DynamicsGPWebServices/DynamicsGPService.asmx"
    port = port_for_later()
    ep = DemoEndpoints(woo_url=shop.url, woo_key=shop.consumer_key,
                       woo_secret=shop.consumer_secret, gp_soap_url=dead,
                       gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password,
                       gp_company=gp.company)
    ws, _ = prepare_workspace(tmp_path / "ws", ep, listen=f"127.0.0.1:{port}")
    open_vault(ws).set(WEBHOOK_SECRET_NAME, WEBHOOK_SECRET, "test")
    close_db()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(ENV_VAR, None)
    yield ws, shop, f"http://127.0.0.1:{port}", env
    close_db()
    shop.stop()


class _Worker:
    def __init__(self, ws, url: str, env: dict[str, str], log: Path) -> None:
        self.url = url
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--workspace", str(ws.db_path.parent), "worker",
             "--no-products", "--log-level", "WARNING"], cwd=ROOT, env=env,
            stdout=self.log, stderr=self.log)
        assert wait_for(self._answers, 60), log.read_text()[-3000:]

    def _answers(self) -> bool:
        """The receiver answers; a worker that died meanwhile fails at once with its log."""
        assert self.proc.poll() is None, Path(self.log.name).read_text()[-3000:]
        try:
            httpx.get(f"{self.url}/healthz", timeout=1)
        except httpx.TransportError:
            return False
        return True

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _send(url: str, woo_id: int, source: str) -> tuple[int, float]:
    """One delivery on a fresh connection, as WooCommerce sends it; (status, seconds to the
    answer). http.client, not httpx: building an httpx client (and its TLS context) per request
    costs the sender more CPU than the receiver spends, and would measure the test itself."""
    body = body_of(order_payload(woo_id, "2026-11-27T10:00:00"))
    headers = {**delivery_headers(body, source=source), "Connection": "close"}
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request("POST", "/webhooks/woocommerce", body=body, headers=headers)
        status = conn.getresponse().status
    finally:
        conn.close()
    return status, time.monotonic() - started


def _stored(ws) -> set[int]:
    init_db(ws.db_path)
    try:
        return {d.resource_id for d in WebhookDelivery.select().where(
            WebhookDelivery.verdict == "accepted")}
    finally:
        close_db()


def test_3_p99_time_to_2xx_at_50_per_second_with_gp_unreachable(workspace, tmp_path):
    ws, shop, url, env = workspace
    worker = _Worker(ws, url, env, tmp_path / "worker.log")
    n = int(LOAD_S * RATE)
    start = time.monotonic() + 0.2
    try:
        def one(i: int) -> tuple[int, float]:
            # the load's shape: delivery i leaves at start + i/50 s (a schedule, not a wait)
            time.sleep(max(0.0, start + i / RATE - time.monotonic()))
            return _send(url, 100_000 + i, shop.url + "/")

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(one, range(n)))
        elapsed = time.monotonic() - start
    finally:
        worker.stop()
    codes = {code for code, _ in results}
    times = sorted(t for _, t in results)
    p99 = times[int(0.99 * (len(times) - 1))]
    assert codes == {200}, codes
    print(f"p50 {times[len(times)//2]*1000:.0f} p99 {p99*1000:.0f} elapsed {elapsed:.1f}")
    assert p99 < P99_LIMIT_S, f"p99 {p99 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    assert elapsed < LOAD_S * 1.2  # the rate held: 50/s, not slower
    assert _stored(ws) >= {100_000 + i for i in range(n)}


class _KillTrial:
    """Senders that SIGKILL the worker the moment the `kill_after`-th 200 of the trial arrives,
    while the other senders' deliveries are in flight."""

    def __init__(self, worker: _Worker, kill_after: int, url: str, source: str,
                 acknowledged: list[int], next_id: list[int], lock: threading.Lock) -> None:
        self.worker, self.kill_after, self.url, self.source = worker, kill_after, url, source
        self.acknowledged, self.next_id, self.lock = acknowledged, next_id, lock
        self.oks = 0
        self.dead = threading.Event()

    def sender(self) -> None:
        while not self.dead.is_set():
            with self.lock:
                self.next_id[0] += 1
                woo_id = self.next_id[0]
            try:
                code, _ = _send(self.url, woo_id, self.source)
            except (OSError, http.client.HTTPException):  # refused, reset, cut off
                return  # the worker is gone: not answered, nothing promised
            if code != 200:
                continue
            with self.lock:
                self.acknowledged.append(woo_id)
                self.oks += 1
                if self.oks == self.kill_after and not self.dead.is_set():
                    self.worker.kill()  # right after this 200, others still in flight
                    self.dead.set()


def test_3_kill_9_right_after_a_2xx_never_loses_that_delivery(workspace, tmp_path):
    ws, shop, url, env = workspace
    rng = random.Random(3)
    acknowledged: list[int] = []
    lock = threading.Lock()
    next_id = [200_000]
    for trial in range(KILL_TRIALS):
        worker = _Worker(ws, url, env, tmp_path / "worker.log")
        trial_run = _KillTrial(worker, rng.randint(1, 25), url, shop.url + "/", acknowledged,
                               next_id, lock)
        threads = [threading.Thread(target=trial_run.sender) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert trial_run.dead.is_set(), trial
        assert worker.proc.returncode == -signal.SIGKILL
        missing = set(acknowledged) - _stored(ws)
        assert not missing, (trial, sorted(missing))
    assert len(acknowledged) >= KILL_TRIALS * 5
