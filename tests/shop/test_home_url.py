"""Issue 13 items 9 and 10 at set-up: `init` reads the store's time zone and home URL from the
WordPress REST index; a shop configured as http:// whose WordPress home is https:// gets its
correctly signed webhooks accepted (the source is compared with the home URL)."""
from __future__ import annotations

import httpx

from core.config import Workspace
from core.connections import woo_client
from core.intake.service import IntakeService
from core.secrets.keys import ENV_VAR
from core.secrets.vault import open_vault
from core.store.db import close_db
from core.store.models import WebhookDelivery
from sandbox.woo import WooStandIn
from tui.cli import main


def test_http_configured_shop_with_https_home_keeps_its_webhooks(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shop = WooStandIn(tmp_path / "shop", seed=2, https=True, webhook_delay=0)
    shop.start()
    try:
        monkeypatch.setenv("T_WOO_KEY", shop.consumer_key)
        monkeypatch.setenv("T_WOO_SECRET", shop.consumer_secret)
        root = tmp_path / "ws"
        assert main(["--workspace", str(root), "init", "--non-interactive", "--woo-url",
                     shop.url, "--woo-key-env", "T_WOO_KEY", "--woo-secret-env",
                     "T_WOO_SECRET"]) == 0
        out = capsys.readouterr().out
        assert "America/New_York" in out and shop.https_url in out
        ws = Workspace.at(root)
        settings = ws.load()
        assert settings.worker.schedule.timezone == "America/New_York"
        assert settings.woocommerce.url == shop.url  # as configured: plain http + OAuth
        assert settings.woocommerce.home_url == shop.https_url

        for home_known in (True, False):
            settings.woocommerce.home_url = shop.https_url if home_known else ""
            vault = open_vault(ws)
            woo = woo_client(settings, vault)  # the worker's client: reads the home URL live
            service = IntakeService(settings, vault, listen="127.0.0.1:0", poll=False, woo=woo)
            service.start()
            try:
                url = f"{service.url}/webhooks/woocommerce"
                assert main(["--workspace", str(root), "webhooks", "install", "--url",
                             url]) == 0
                httpx.post(f"{shop.url}/_sandbox/activity", json={"orders": 3},
                           timeout=30).raise_for_status()
                assert shop.flush_webhooks()
                rows = list(WebhookDelivery.select().where(WebhookDelivery.verdict != "ping"))
                assert rows, "deliveries reached the receiver"
                refused = [r.reject_reason for r in rows if r.verdict != "accepted"]
                assert not refused, refused
            finally:
                service.stop()
                woo.close()
                WebhookDelivery.delete().execute()
    finally:
        shop.stop()
        close_db()
