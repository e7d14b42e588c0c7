"""Webhooks entering anywhere, with every pair's state a schema of one PostgreSQL database
(issue 18): two shop stand-ins send their real, signed webhooks (and creation pings) to one
address; each delivery lands in its own pair's schema only and that pair's worker (listening
nowhere itself) turns it into its orders. Run two ways: one host's `worker --route-webhooks`,
and the hosted shape, `ml-connector receive` beside two hosts' `worker --share
--webhooks-elsewhere` (hosts told apart by ML_CONNECTOR_HOST) sharing the pairs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from core import gl
from core.config import Workspace
from core.connections import woo_client
from core.intake import known_webhooks
from core.secrets.vault import (
    GP_PASSWORD,
    WEBHOOK_SECRET,
    WOO_CONSUMER_KEY,
    WOO_CONSUMER_SECRET,
    create_key,
    open_vault,
)
from core.store.db import close_db, init_db
from core.store.models import Order, WebhookDelivery
from core.store.pair_state import open_state_at
from sandbox.gp import GPStandIn
from sandbox.woo import WooStandIn
from tests.core.router_env import pair_root
from tests.ports import port_for_later
from tests.postgres.test_pg_webhook_router import _connect, _schema_url
from tests.sandbox.demo_support import wait_for
from tui.demo.setup import (
    COMPANY_ACCOUNTS,
    GATEWAY_CASH_ACCOUNTS,
    SHOP_TAX_DETAILS,
    WEBHOOK_TOPICS,
    DemoEndpoints,
    demo_settings,
)

ROOT = Path(__file__).resolve().parents[2]
PATH = "/webhooks/woocommerce"


class PgPair:
    """A pair as `init --pair NAME` makes it with its state in schema pair_NAME."""

    def __init__(self, tmp: Path, folder: Path, name: str, seed: int, url: str) -> None:
        self.name, self.url = name, url
        self.shop = WooStandIn(tmp / f"woo-{name}", seed=seed, orders=0, webhook_delay=0)
        self.shop.start()
        self.gp = GPStandIn(tmp / f"gp-{name}", seed=seed)
        self.gp.start()
        ep = DemoEndpoints(woo_url=self.shop.url, woo_key=self.shop.consumer_key,
                           woo_secret=self.shop.consumer_secret, gp_soap_url=self.gp.soap_url,
                           gp_user=f"{self.gp.domain}\\{self.gp.user}",
                           gp_password=self.gp.password, gp_company=self.gp.company)
        self.ws = Workspace.at(pair_root(folder, name))
        self.settings = demo_settings(ep)
        self.settings.store.database_url = url
        self.ws.save(self.settings)
        create_key(self.ws, at=url)
        init_db(url, home=self.ws.db_path)
        try:
            vault = open_vault(self.ws, at=url)
            vault.set(WOO_CONSUMER_KEY, ep.woo_key, "test")
            vault.set(WOO_CONSUMER_SECRET, ep.woo_secret, "test")
            vault.set(GP_PASSWORD, ep.gp_password, "test")
            for kind, account in COMPANY_ACCOUNTS.items():
                gl.set_account("company", "", kind, account, actor="test")
            for gateway, account in GATEWAY_CASH_ACCOUNTS.items():
                gl.set_account("gateway", gateway, "cash", account, actor="test")
            for rate_id, detail in SHOP_TAX_DETAILS.items():
                gl.set_account("tax_rate", str(rate_id), "tax", detail, actor="test")
        finally:
            close_db()

    def install_webhooks(self, delivery_url: str) -> None:
        """As `webhooks install` does: the secret stored first, pings expected, ids kept."""
        init_db(self.url, home=self.ws.db_path)
        try:
            vault = open_vault(self.ws, at=self.url)
            vault.set(WEBHOOK_SECRET, f"Secret-{self.name}-0123456789abcdef", "test")
            client = woo_client(self.settings, vault)
            known_webhooks.expect_creation_pings(actor="test")
            ids = [int(client.create_webhook(name=f"ml-connector {topic}", topic=topic,
                                             delivery_url=delivery_url,
                                             secret=str(vault.get(WEBHOOK_SECRET)))["id"])
                   for topic in WEBHOOK_TOPICS]
            known_webhooks.remember(ids, actor="test")
            client.close()
        finally:
            close_db()

    def control(self, method: str, path: str, body: object = None) -> dict:
        answer = httpx.request(method, f"{self.shop.url}/_sandbox/{path}", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def shop_orders(self) -> set[int]:
        return {int(o["id"]) for o in self.control("GET", "state")["orders"]}

    def delivered(self) -> bool:
        state = self.control("GET", "state")
        statuses = [d.get("status") for h in state["webhooks"] for d in h["deliveries"]]
        return state["pending_deliveries"] == 0 and bool(statuses) and all(
            s == 200 for s in statuses)

    def stored(self, topic: str = "") -> list[tuple[str | None, bool, int | None]]:
        db = open_state_at(self.url)
        try:
            rows = WebhookDelivery.select().where(
                WebhookDelivery.verdict == "accepted").bind(db)
            return [(r.source, r.processed_at is not None, r.resource_id) for r in rows
                    if str(r.topic or "").startswith(topic)]
        finally:
            db.close()

    def orders(self) -> set[int]:
        db = open_state_at(self.url)
        try:
            return {int(o.woo_id) for o in Order.select(Order.woo_id).bind(db)}
        finally:
            db.close()

    def close(self) -> None:
        self.shop.stop()
        self.gp.stop()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _commands(shape: str, folder: Path, port: int) -> list[tuple[list[str], dict[str, str]]]:
    """(argv, extra environment) of each process of the shape."""
    cli = [sys.executable, "-m", "tui.cli"]
    if shape == "one host":
        return [(cli + ["worker", "--workspace", str(folder), "--route-webhooks",
                        f"--listen=127.0.0.1:{port}", "--no-products"], {})]
    hosts = [(cli + ["worker", "--workspace", str(folder), "--share", "--webhooks-elsewhere",
                     "--no-products"], {"ML_CONNECTOR_HOST": f"host-{n}"}) for n in (1, 2)]
    return [(cli + ["receive", "--workspace", str(folder), "--listen",
                    f"127.0.0.1:{port}"], {})] + hosts


@pytest.mark.parametrize("shape", ["one host", "receive and two sharing hosts"])
def test_pg_webhooks_enter_anywhere_and_land_in_their_own_pairs_schema(tmp_path, pg_url,
                                                                       shape):
    conn = _connect(pg_url)
    conn.autocommit = True
    for name in ("default", "second"):
        conn.cursor().execute(f'CREATE SCHEMA "pair_{name}"')
    conn.close()
    folder = tmp_path / "ws"
    pairs = []
    procs: list[subprocess.Popen] = []
    port = port_for_later()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "worker.log"
    try:
        for name, seed in (("default", 51), ("second", 52)):
            pairs.append(PgPair(tmp_path, folder, name, seed, _schema_url(pg_url, f"pair_{name}")))
        with log_path.open("w") as log:
            for argv, extra in _commands(shape, folder, port):
                procs.append(subprocess.Popen(
                    argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **extra},
                    stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True))
            assert wait_for(lambda: _healthy(url), 60), log_path.read_text()[-3000:]
            for pair in pairs:
                pair.install_webhooks(url + PATH)
            for pair in pairs:
                pair.control("POST", "activity", {"orders": 5})
            for pair in pairs:
                assert wait_for(pair.delivered, 60), log_path.read_text()[-3000:]
            for pair in pairs:
                assert wait_for(lambda p=pair: all(done for _, done, _ in p.stored()), 60), \
                    log_path.read_text()[-3000:]
                assert wait_for(lambda p=pair: p.shop_orders() <= p.orders(), 60)
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            assert [proc.wait(timeout=90) for proc in procs] == [0] * len(procs)
        for pair in pairs:
            stored = pair.stored()
            assert stored and {s for s, _, _ in stored} == {pair.shop.url + "/"}
            assert {i for _, _, i in pair.stored("order.")} == pair.shop_orders()
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        close_db()
        for pair in pairs:
            pair.close()
