"""Issue 14 / reliability.md §1.3 rule 2, the "known id" half, end to end: `webhooks install`
against the WooCommerce stand-in while the receiver runs. WooCommerce pings each new webhook
before the create call returns its id; those pings (ours) get 200; afterwards the ids are known,
and a ping for a webhook someone created by hand, pointing at the receiver, gets 401 (the
WordPress admin shows that error, where the person who created it sees it)."""
from __future__ import annotations

import httpx

from core.config import Workspace
from core.connections import woo_client
from core.intake import known_webhooks
from core.intake.service import IntakeService
from core.secrets.keys import ENV_VAR
from core.secrets.vault import open_vault
from core.store.db import close_db
from sandbox.woo import WooStandIn
from tui.cli import main


def _pings(shop: WooStandIn) -> dict[int, list[int]]:
    state = httpx.get(f"{shop.url}/_sandbox/state", timeout=30).json()
    return {h["id"]: [d["status"] for d in h["deliveries"] if d.get("topic") == "ping"]
            for h in state["webhooks"]}


def test_install_pings_are_ours_a_hand_made_webhook_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shop = WooStandIn(tmp_path / "shop", seed=3, webhook_delay=0)
    shop.start()
    try:
        monkeypatch.setenv("T_WOO_KEY", shop.consumer_key)
        monkeypatch.setenv("T_WOO_SECRET", shop.consumer_secret)
        root = tmp_path / "ws"
        assert main(["--workspace", str(root), "init", "--non-interactive", "--woo-url",
                     shop.url, "--woo-key-env", "T_WOO_KEY", "--woo-secret-env",
                     "T_WOO_SECRET"]) == 0
        ws = Workspace.at(root)
        settings = ws.load()
        vault = open_vault(ws)
        service = IntakeService(settings, vault, listen="127.0.0.1:0", poll=False)
        service.start()
        try:
            url = f"{service.url}/webhooks/woocommerce"
            assert main(["--workspace", str(root), "webhooks", "install", "--url", url]) == 0
            ours = _pings(shop)
            assert ours and all(p == [200] for p in ours.values()), ours
            assert known_webhooks.known_ids() == set(ours)
            # Someone creates one by hand towards our receiver: not ours, refused.
            with woo_client(settings, vault) as client:
                stranger = int(client.create_webhook(
                    name="by hand", topic="order.updated", delivery_url=url,
                    secret="HandMadeSecret0123456789abcdefghijkl")["id"])
            assert _pings(shop)[stranger] == [401]
        finally:
            service.stop()
    finally:
        shop.stop()
        close_db()
