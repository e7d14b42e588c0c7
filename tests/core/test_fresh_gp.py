"""Against GP as a fresh install leaves it: `check` names every setting to change in GP's words
and exits 1, and posting holds with GP's reason instead of posting different amounts."""
from __future__ import annotations

from pathlib import Path

from core.check import FAIL, check_gp
from core.store.db import close_db
from core.store.models import Order
from tests.core.pipeline_env import eligible_orders, invoices_by_po, start_env


def test_fresh_gp_check_names_every_setting_and_posting_holds(tmp_path: Path) -> None:
    env = start_env(tmp_path, orders=8, seed=5, profile="fresh")
    try:
        report = check_gp(env.settings, env.gp.password, tmp_path / "ws", probe=False)
        text = report.render()
        assert report.exit_code() == 1, text
        fails = [f for f in report.findings if f.status == FAIL]
        fixes = " | ".join(f.fix for f in fails)
        for operation in ("Create Sales Invoice", "Update Sales Invoice"):
            assert (f"create a policy instance of {operation} for role ML Connector with "
                    "Calculate Unit Price = Do Not Calculate") in fixes, text
        assert ("create a policy instance of Create Sales Invoice for role ML Connector with "
                "Create Taxes = Taxes Will Be Provided") in fixes, text
        env.ingest()
        expected = eligible_orders(env)
        env.runner().run_until_idle()
        rows = list(Order.select().where(Order.number.in_(list(expected))))
        assert rows and {o.state for o in rows} == {"held"}
        assert {o.hold_reason for o in rows} == {"price"}
        assert all("Calculate Unit Price = Calculate" in o.hold_detail for o in rows)
        assert invoices_by_po(env) == {}  # nothing posted at amounts WooCommerce did not charge
    finally:
        env.close()
        close_db()
