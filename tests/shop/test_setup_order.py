"""Issue 13, done-when: the README's set-up order tried from scratch against both stand-ins:
init -> check -> GL and gateways -> dry run -> backfill -> worker. `check` fails until GL and
gateways are set; the dry run writes nothing and foretells the worker's invoices; `status`
after the worker stopped says what ran and counts what it says (items 6, 7, 9, 12)."""
from __future__ import annotations

import json
import re

import httpx

from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, db_digest, readme_setup
from tui.demo.setup import SandboxControl


def _products(woo_url: str) -> dict[str, tuple]:
    state = httpx.get(f"{woo_url}/_sandbox/state", timeout=30).json()
    return {str(p["id"]): (p.get("name"), p.get("regular_price"), p.get("stock_quantity"))
            for p in state["products"]}


def test_the_readme_setup_order_from_scratch(tmp_path, monkeypatch):
    with stand_ins(tmp_path, seed=4, webhook_delay=0) as (box, ep):
        control = SandboxControl(ep)
        try:
            control.activity(orders=8)
        finally:
            control.close()
        root = str(tmp_path / "ws")
        ws = readme_setup(tmp_path / "ws", ep, monkeypatch)
        # 4. dry run: nothing written, and what the real pass will post
        before = db_digest(ws.db_path)
        dry = cli("--workspace", root, "worker", "--once", "--dry-run", "--no-webhooks")
        assert dry.returncode == 0, dry.stderr
        assert db_digest(ws.db_path) == before
        foretold = set(re.findall(r"would post invoice (\S+)", dry.stdout))
        assert foretold
        # 5. backfill still finds every order (the dry run moved no cursor)
        back = cli("--workspace", root, "backfill", "--since", "2000-01-01", "--no-progress")
        assert back.returncode == 0, back.stderr
        assert "0 new or changed" not in back.stdout + back.stderr
        # 6. the worker posts exactly what the dry run said
        shop_products = _products(ep.woo_url)
        gp_items = {i["item_number"]: i["description"] for i in box.gp.state()["items"]}
        work = cli("--workspace", root, "worker", "--once", "--no-webhooks")
        assert work.returncode == 0, work.stderr
        in_gp = {inv["number"] for inv in box.gp.state()["invoices"]}
        # Item 5: the first product pass is a plan for the accountant; it writes nothing,
        # neither to the shop (stock, prices) nor to GP (item names).
        plan = cli("--workspace", root, "products", "plan")
        assert plan.returncode == 1 and "waiting for approval" in plan.stdout, plan.stdout
        assert _products(ep.woo_url) == shop_products
        assert {i["item_number"]: i["description"]
                for i in box.gp.state()["items"]} == gp_items
        assert in_gp == foretold
        # status after a clean stop: who ran, and counts that say what they count
        status = cli("--workspace", root, "status", "--json")
        report = json.loads(status.stdout)
        assert report["worker"] is None and report["last_run"]["reason"].startswith("one pass")
        assert report["in_gp"]["invoices"] == len(in_gp)
        assert "not a count of GP documents" in report["definitions"]["worker.jobs_done"]
        text = cli("--workspace", root, "status").stdout
        assert "none has run" not in text and f"In GP:     {len(in_gp)} invoice(s)" in text
