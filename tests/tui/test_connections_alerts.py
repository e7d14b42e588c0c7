"""Connections shows the alert channels and `a` sends a test through each (real SMTP with
STARTTLS and a real HTTP receiver), with the outcome on screen and no secret shown."""
from __future__ import annotations

from textual.widgets import Static

from core.alerts.channels import ALERTS_SMTP_PASSWORD, ALERTS_WEBHOOK_SECRET
from core.config import Settings, Workspace
from core.secrets.vault import create_key, open_vault
from core.store.db import close_db, init_db
from tests.core.alert_receivers import HookReceiver, SmtpServer
from tests.tui.helpers import settle, text_of
from tui.app import make_app

USER, PASSWORD, SECRET = "alerts@office.example", "console-Pa55-0b1", "console-hook-3a2f"


async def test_connections_lists_channels_and_sends_a_test(tmp_path):
    smtp = SmtpServer(tmp_path, USER, PASSWORD).start()
    hook = HookReceiver(SECRET).start()
    try:
        ws = Workspace.at(tmp_path / "ws")
        s = Settings()
        e = s.alerts.email
        e.host, e.port, e.username, e.sender = "127.0.0.1", smtp.port, USER, "sync@office.example"
        e.to, e.ca_bundle = ["accounts@office.example"], str(smtp.cert)
        s.alerts.webhook.url = hook.url
        ws.save(s)
        init_db(ws.db_path)
        create_key(ws)
        vault = open_vault(ws)
        vault.set(ALERTS_SMTP_PASSWORD, PASSWORD, "test")
        vault.set(ALERTS_WEBHOOK_SECRET, SECRET, "test")
        app = make_app(ws, actor="console:test", poll_interval=None)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("9")
            await settle(pilot)
            shown = text_of(app.screen.query_one("#connection-settings", Static))
            assert f"127.0.0.1:{smtp.port} → accounts@office.example (STARTTLS)" in shown
            assert "Alerts by webhook" in shown and PASSWORD not in shown and SECRET not in shown
            await pilot.press("a")
            await app.workers.wait_for_complete()
            await settle(pilot)
            result = text_of(app.screen.query_one("#alerts-test", Static))
            assert "email: sent" in result and "webhook: sent" in result, result
        assert len(smtp.mails) == 1 and [h["type"] for h in hook.got] == ["test"]
    finally:
        smtp.stop()
        hook.stop()
        close_db()
