"""A 200 is a promise: kill -9 the receiver right after it answers, the delivery is still there.

The receiver runs as its own process (`ml-connector webhooks serve`), as in production; each
trial acknowledges a few signed deliveries, is SIGKILLed the moment the last 200 arrives, and the
next trial starts on the same database. At the end every acknowledged delivery must be stored and
must turn into its order.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from core.clock import ManualClock
from core.intake.inbox import process_deliveries
from core.secrets.keys import ENV_VAR
from core.secrets.vault import WEBHOOK_SECRET as WEBHOOK_SECRET_NAME
from core.store.db import close_db, ensure_db
from core.store.models import Order, WebhookDelivery
from tests.core.intake_helpers import (
    WEBHOOK_SECRET,
    body_of,
    delivery_headers,
    make_vault,
    order_payload,
    settings_for,
)

ROOT = Path(__file__).resolve().parents[2]


def _start(ws_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--workspace", str(ws_dir), "webhooks", "serve",
         "--listen", "127.0.0.1:0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # blocks until the receiver is accepting connections
    assert line.startswith("listening on "), (line, proc.stderr.read() if proc.poll() else "")
    return proc, line.split()[-1]


def test_acknowledged_deliveries_survive_kill_9(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    ws_dir = tmp_path / "ws"
    ws, vault = make_vault(ws_dir, ManualClock())
    ws.save(settings_for("https://shop.example.test"))
    vault.set(WEBHOOK_SECRET_NAME, WEBHOOK_SECRET, "test")
    close_db()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(ENV_VAR, None)
    rng = random.Random(11)
    acknowledged: list[int] = []
    next_id = 1000
    for _trial in range(4):
        proc, url = _start(ws_dir, env)
        try:
            for _ in range(rng.randint(1, 6)):
                next_id += 1
                body = body_of(order_payload(next_id, "2026-11-27T10:00:00"))
                # a fresh connection each time, as WooCommerce does (Connection: close)
                r = httpx.post(url, content=body, headers=delivery_headers(body), timeout=10)
                assert r.status_code == 200
                acknowledged.append(next_id)
            os.kill(proc.pid, signal.SIGKILL)  # right after the last 200
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
    ensure_db(ws.db_path)
    stored = [d.resource_id for d in WebhookDelivery.select().where(
        WebhookDelivery.verdict == "accepted").order_by(WebhookDelivery.id)]
    assert stored == acknowledged
    process_deliveries(ManualClock())
    assert {o.woo_id for o in Order.select()} == set(acknowledged)
    close_db()
