"""`ml-connector worker --route-webhooks` (issue 18): the pairs' supervisor serves one receiver
for every pair; each shop stand-in's real, signed webhooks (to the one address) land in its own
pair's state only and that pair's worker (listening nowhere itself) turns them into its orders.
`ml-connector receive` serves the same receiver as a process of its own."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from core.secrets.vault import WEBHOOK_SECRET, open_vault
from core.store.db import close_db, init_db
from core.store.models import Order, WebhookDelivery
from core.store.pair_state import open_state_at
from tests.core.pairs_env import close_pairs, start_pair
from tests.core.pipeline_env import Env
from tests.core.router_env import order_body, signed_headers
from tests.ports import port_for_later
from tests.sandbox.demo_support import wait_for
from tui.demo.setup import install_webhooks

ROOT = Path(__file__).resolve().parents[2]
PATH = "/webhooks/woocommerce"


def _run(*args: str, log) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tui.cli", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _deliveries(env: Env, topic: str = "") -> list[tuple[str | None, bool, int | None]]:
    """(source, processed, resource id) of the accepted deliveries in the pair's own table
    (of topics starting with `topic`)."""
    db = open_state_at(env.ws.db_path)
    try:
        rows = WebhookDelivery.select().where(WebhookDelivery.verdict == "accepted").bind(db)
        return [(r.source, r.processed_at is not None, r.resource_id) for r in rows
                if str(r.topic or "").startswith(topic)]
    finally:
        db.close()


def _orders(env: Env) -> set[int]:
    db = open_state_at(env.ws.db_path)
    try:
        return {int(o.woo_id) for o in Order.select(Order.woo_id).bind(db)}
    finally:
        db.close()


def _shop_orders(env: Env) -> set[int]:
    return {int(o["id"]) for o in env.woo_control("GET", "state")["orders"]}


def _shop_delivered(env: Env) -> bool:
    state = env.woo_control("GET", "state")
    statuses = [d.get("status") for h in state["webhooks"] for d in h["deliveries"]]
    return state["pending_deliveries"] == 0 and bool(statuses) and all(
        s == 200 for s in statuses)


def test_worker_route_webhooks_stores_each_shops_webhooks_in_its_own_pair(tmp_path):
    folder = tmp_path / "ws"
    envs = [start_pair(tmp_path, folder, name, seed=seed)
            for name, seed in (("default", 41), ("second", 42))]
    port = port_for_later()
    url = f"http://127.0.0.1:{port}"
    worker = None
    log_path = tmp_path / "worker.log"
    try:
        with log_path.open("w") as log:
            worker = _run("worker", "--workspace", str(folder), "--route-webhooks",
                          f"--listen=127.0.0.1:{port}", "--no-products", log=log)
            assert wait_for(lambda: _healthy(url), 60), log_path.read_text()[-3000:]
            for env in envs:  # each shop's webhooks, its pair's own secret, to ONE address;
                init_db(env.ws.db_path)  # their creation pings are answered 200 there too
                install_webhooks(env.ws, env.settings, url + PATH)
                close_db()
            for env in envs:
                env.woo_control("POST", "activity", {"orders": 5})
            for env in envs:
                assert wait_for(lambda e=env: _shop_delivered(e), 60), json.dumps(
                    [d for h in env.woo_control("GET", "state")["webhooks"]
                     for d in h["deliveries"] if d.get("status") != 200])[-2000:]
            for env in envs:  # processed by the pair's own worker, into its own orders
                assert wait_for(lambda e=env: all(p for _, p, _ in _deliveries(e)), 60)
                assert wait_for(lambda e=env: _shop_orders(e) <= _orders(e), 60)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=90) == 0
        text = log_path.read_text()
        assert "webhooks for every pair (default, second)" in text
        for env in envs:  # every delivery from its own shop (source, and signed with the
            stored = _deliveries(env)  # pair's own random secret), every order's among them
            assert stored and {s for s, _, _ in stored} == {env.shop.url + "/"}
            ids = {i for _, _, i in _deliveries(env, "order.")}
            assert ids == _shop_orders(env)
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        close_db()
        close_pairs(envs)


def test_ml_connector_receive_serves_every_pair_and_stops_on_sigterm(tmp_path):
    folder = tmp_path / "ws"
    envs = [start_pair(tmp_path, folder, name, seed=seed)
            for name, seed in (("default", 43), ("other", 44))]
    port = port_for_later()
    url = f"http://127.0.0.1:{port}"
    secrets = {}
    receiver = None
    try:
        for env in envs:
            init_db(env.ws.db_path)
            install_webhooks(env.ws, env.settings, url + PATH)
            secrets[env.ws.db_path] = _secret(env)
            close_db()
        with (tmp_path / "receive.log").open("w") as log:
            receiver = _run("receive", "--workspace", str(folder), f"--listen=127.0.0.1:{port}",
                            log=log)
            assert wait_for(lambda: _healthy(url), 60), (tmp_path / "receive.log").read_text()
            for n, env in enumerate(envs):
                body = order_body(7000 + n)
                answer = httpx.post(url + PATH, content=body, timeout=30, headers=signed_headers(
                    body, secrets[env.ws.db_path], env.shop.url + "/"))
                assert answer.status_code == 200
            receiver.send_signal(signal.SIGTERM)
            assert receiver.wait(timeout=60) == 0
        for n, env in enumerate(envs):
            assert [i for _, _, i in _deliveries(env)] == [7000 + n]
    finally:
        if receiver is not None and receiver.poll() is None:
            os.killpg(receiver.pid, signal.SIGKILL)
            receiver.wait()
        close_db()
        close_pairs(envs)


def _secret(env: Env) -> str:
    return str(open_vault(env.ws).get(WEBHOOK_SECRET))
