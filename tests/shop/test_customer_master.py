"""Issue 13 item 4 (customer master): an order's billing address does not overwrite the GP
customer; the customer master follows the WooCommerce customer record. Against both stand-ins."""
from __future__ import annotations

from typing import Any

import httpx

from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, shop_workspace


def _once(root: str) -> None:
    run = cli("--workspace", root, "worker", "--once", "--no-webhooks")
    assert run.returncode == 0, run.stderr


def _gp_lines(box: Any, customer_id: str) -> set[str]:
    c = next(c for c in box.gp.state()["customers"] if c["id"] == customer_id)
    return {str(a.get("line1") or a.get("address1") or a) for a in c["addresses"]}


def test_an_order_edit_leaves_the_customer_master_to_the_customer_record(tmp_path):
    with stand_ins(tmp_path, seed=10, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep, store_time_zone=False)
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            cust = woo._json("GET", "customers", params={"per_page": 1})[0]
            woo._json("PUT", f"customers/{cust['id']}",
                      json={"billing": {**cust["billing"], "address_1": "12 W 4th St"}})
            product = woo.list_products(per_page=1).items[0]
            order = woo._json("POST", "orders", json={
                "customer_id": cust["id"], "payment_method": "stripe", "set_paid": True,
                "billing": {**cust["billing"], "address_1": "12 W 4th St"},
                "line_items": [{"product_id": product["id"], "quantity": 1}]})
            _once(root)
            invoice = next(i for i in box.gp.state()["invoices"]
                           if i["number"] == f"WC{order['id']}")
            gp_id = invoice["customer"]
            assert any("12 W 4th St" in line for line in _gp_lines(box, gp_id))
            # The shop edits this order's billing address: the master keeps the profile's.
            httpx.post(f"{ep.woo_url}/_sandbox/orders/{order['id']}/touch",
                       json={"billing": {**order["billing"], "address_1": "99 Changed Ave"}},
                       timeout=30).raise_for_status()
            _once(root)
            lines = _gp_lines(box, gp_id)
            assert not any("99 Changed Ave" in line for line in lines), lines
            assert any("12 W 4th St" in line for line in lines)
            # The customer moves (their WooCommerce record): the master follows at the next order.
            woo._json("PUT", f"customers/{cust['id']}",
                      json={"billing": {**cust["billing"], "address_1": "7 New Rd"}})
            woo._json("POST", "orders", json={
                "customer_id": cust["id"], "payment_method": "stripe", "set_paid": True,
                "billing": {**cust["billing"], "address_1": "7 New Rd"},
                "line_items": [{"product_id": product["id"], "quantity": 1}]})
            _once(root)
            assert any("7 New Rd" in line for line in _gp_lines(box, gp_id))
        finally:
            woo.close()
