"""Issue 13 item 2, the console half: the console's reconciliation reads the live shop and the
live GP (not the connector's stored copy), so a refund deleted in WooCommerce — no webhook, no
new modified time — is on screen with the GP credit memo that still stands. Against both
stand-ins."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.widgets import DataTable, Label

from core.store.db import close_db
from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, sell_and_sync, shop_workspace
from tests.tui.helpers import settle
from tui.app import make_app


async def test_the_console_reconciliation_shows_a_refund_deleted_in_the_shop(tmp_path):
    with stand_ins(tmp_path, seed=14, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep)
        sell_and_sync(ep, root, orders=6)
        paid = [i["number"] for i in box.gp.state()["invoices"] if i["state"] != "void"]
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            oid = int(paid[0].removeprefix("WC"))
            refund = woo._json("POST", f"orders/{oid}/refunds",
                               json={"amount": "1.50", "api_refund": False})
            assert cli("--workspace", root, "worker", "--once",
                       "--no-webhooks").returncode == 0
            assert len(box.gp.state()["credit_memos"]) == 1
            woo._json("DELETE", f"orders/{oid}/refunds/{refund['id']}",
                      params={"force": "true"})
        finally:
            woo.close()
        day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
        stored = json.loads(cli("--workspace", root, "reconcile", "--from", day, "--to", day,
                                "--json", "--stored").stdout)
        assert not [e for e in stored["explanations"] if e["woo_id"] == refund["id"]]
        app = make_app(ws, actor="console:test", poll_interval=None)
        try:
            await _look(app, refund["id"])
        finally:
            close_db()


async def _look(app, refund_id: int) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("6")
        await settle(pilot)
        source = str(app.screen.query_one("#recon-source", Label).render())
        assert source.startswith("live"), source
        table = app.screen.query_one("#recon", DataTable)
        keys = [str(k.value) for k in table.rows if not str(k.value).endswith("|total")]
        shown = []
        for key in keys:
            table.move_cursor(row=table.get_row_index(key))
            await settle(pilot)
            shown += [str(k.value) for k in app.screen.query_one(
                "#recon-explain", DataTable).rows]
        assert f"refund:{refund_id}" in shown, (keys, shown)
