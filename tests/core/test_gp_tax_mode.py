"""tax_mode "gp" against the stand-in's tax engine: GP computes the tax; every invoice is either
verified (GP's tax equals WooCommerce's), brought in line on the rounding account (within the
tolerance, audited), or held "tax" with both figures — never verified at a different total."""
from __future__ import annotations

from decimal import Decimal

from core.store import audit
from core.store.db import close_db
from core.store.models import Order
from tests.core.gp_fixtures import control
from tests.core.pipeline_env import eligible_orders, invoices_by_po, start_env


def test_gp_computed_tax_is_verified_rounded_or_held_with_both_figures(tmp_path) -> None:
    env = start_env(tmp_path, orders=30, seed=6)
    try:
        env.settings.posting.tax_mode = "gp"
        # Each shop rate -> the GP tax schedule the configured profile holds for its state.
        env.settings.posting.tax_schedules = {"1": "WEB-NY", "2": "WEB-CA", "3": "WEB-TX",
                                              "4": "WEB-WA"}
        for operation in ("CreateSalesInvoice", "UpdateSalesInvoice"):
            control(env.gp, "POST", "policy", {"behavior": "Create Taxes", "option": 1,
                                               "operation": operation,
                                               "role": "ML Connector"})
        env.ingest()
        expected = eligible_orders(env)
        env.runner().run_until_idle()
        by_po = invoices_by_po(env)
        assert {po: len(d) for po, d in by_po.items() if len(d) > 1} == {}
        rows = [o for o in Order.select() if o.number in expected]
        outcomes: dict[str, int] = {}
        for o in rows:
            doc = by_po[o.number][0]
            if o.state == "verified":
                assert Decimal(doc["total"]) == o.total  # GP's total is WooCommerce's
                # A paid order is paid in full in GP too, tax GP computed included.
                assert Decimal(doc["payment"]) in (Decimal(0), o.total), doc["payment"]
                rounded = [e for e in audit.timeline("order", o.woo_id)
                           if e.kind == "tax_rounded"]
                outcomes["rounded" if rounded else "equal"] = outcomes.get(
                    "rounded" if rounded else "equal", 0) + 1
            else:
                assert o.state == "held" and o.hold_reason == "tax", (o.state, o.hold_detail)
                held = [e for e in audit.timeline("order", o.woo_id) if e.kind == "held"][-1]
                figures = held.data["figures"]
                assert Decimal(figures["gp_tax"]) != Decimal(figures["woo_tax"])
                assert Decimal(figures["woo_total"]) == o.total
                assert Decimal(figures["gp_total"]) == Decimal(doc["total"])
                outcomes["held"] = outcomes.get("held", 0) + 1
        assert sum(outcomes.values()) == len(expected)
        print(outcomes)
    finally:
        env.close()
        close_db()
