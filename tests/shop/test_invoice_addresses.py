"""Issue 13 item 4 (the invoice half): an order's addresses belong on its invoice. The SOP invoice
carries the order's shipping address as its ShipToAddress (a billing-only order: its billing
address), and its bill-to is the customer's BILLING address; a field longer than GP allows is
cut to GP's width and the order's "mapped" event says so. Against both stand-ins."""
from __future__ import annotations

from typing import Any

import httpx

from core.gp.gateway import ShipToAddress
from core.store.db import close_db, init_db
from core.store.models import AuditEvent, Order
from core.store.sent import sent_invoice
from core.store.states import DocState
from core.woo.client import WooClient
from tests.sandbox.demo_support import stand_ins
from tests.shop.env import cli, shop_workspace

LONG_STREET = "1234 Extraordinarily Long Industrial Parkway Service Road, Building 7"


def _invoice(box: Any, order_id: int) -> dict[str, Any]:
    return next(i for i in box.gp.state()["invoices"] if i["number"] == f"WC{order_id}")


def test_the_invoice_carries_the_orders_ship_to_and_the_customers_bill_to(tmp_path):
    with stand_ins(tmp_path, seed=11, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep, store_time_zone=False)
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            cust = woo._json("GET", "customers", params={"per_page": 1})[0]
            profile = {**cust["billing"], "address_1": "12 W 4th St"}
            woo._json("PUT", f"customers/{cust['id']}", json={"billing": profile})
            product = woo.list_products(per_page=1).items[0]
            line = [{"product_id": product["id"], "quantity": 1}]
            ship = {"first_name": "Gift", "last_name": "Receiver", "company": "Harbor Books",
                    "address_1": "500 Harbor Blvd", "address_2": "Dock 4", "city": "Portland",
                    "state": "OR", "postcode": "97209", "country": "US"}
            shipped = woo._json("POST", "orders", json={
                "customer_id": cust["id"], "payment_method": "stripe", "set_paid": True,
                "billing": {**profile, "address_1": "99 Order-Only Ave"}, "shipping": ship,
                "line_items": line})
            guest_billing = {"first_name": "Dana", "last_name": "Download",
                             "address_1": "8 Bill St", "city": "Salem", "state": "OR",
                             "postcode": "97301", "country": "US",
                             "email": "dana.download@example.com", "phone": "5035550199"}
            billing_only = woo._json("POST", "orders", json={
                "payment_method": "stripe", "set_paid": True, "billing": guest_billing,
                "line_items": line})
            long_one = woo._json("POST", "orders", json={
                "customer_id": cust["id"], "payment_method": "stripe", "set_paid": True,
                "billing": profile, "shipping": {**ship, "address_1": LONG_STREET},
                "line_items": line})
            run = cli("--workspace", root, "worker", "--once", "--no-webhooks")
            assert run.returncode == 0, run.stderr
            gp_state = box.gp.state()
            first = _invoice(box, shipped["id"])
            expected = {
                "name": "Harbor Books", "contact": "Gift Receiver", "line1": "500 Harbor Blvd",
                "line2": "Dock 4", "city": "Portland", "state": "OR", "postal": "97209",
                "country": "US"}
            assert first["ship_to_address"].items() >= expected.items(), first
            # The bill-to is the customer's BILLING address, which follows their profile.
            customer = next(c for c in gp_state["customers"] if c["id"] == first["customer"])
            billing = next(a for a in customer["addresses"] if a["id"] == "BILLING")
            assert billing["line1"] == "12 W 4th St"
            assert not any(a.get("line1") in ("99 Order-Only Ave", "500 Harbor Blvd")
                           for a in customer["addresses"] if a["id"] == "BILLING")
            second = _invoice(box, billing_only["id"])["ship_to_address"]
            assert (second["contact"], second["line1"], second["city"], second["phone1"]) == (
                "Dana Download", "8 Bill St", "Salem", "5035550199")
            third = _invoice(box, long_one["id"])["ship_to_address"]
            assert third["line1"] == LONG_STREET[:60] and len(LONG_STREET) > 60
        finally:
            woo.close()
    init_db(ws.db_path)
    try:
        for oid in (shipped["id"], billing_only["id"], long_one["id"]):
            # Verified: the read-back's ship-to equals what was sent.
            assert Order.get(Order.woo_id == oid).state == DocState.VERIFIED
        # The invoice as sent (kept for the console) keeps its ship-to.
        sent = sent_invoice(f"WC{shipped['id']}")
        assert sent is not None and isinstance(sent[0].ship_to, ShipToAddress)
        assert sent[0].ship_to.line1 == "500 Harbor Blvd"
        mapped = AuditEvent.get((AuditEvent.entity == "order")
                                & (AuditEvent.entity_id == str(long_one["id"]))
                                & (AuditEvent.kind == "mapped"))
        assert (f"ship-to address line 1 (shipping address, {len(LONG_STREET)} characters) "
                "cut to GP's 60") in mapped.message
        assert LONG_STREET not in mapped.message
        quiet = AuditEvent.get((AuditEvent.entity == "order")
                               & (AuditEvent.entity_id == str(shipped["id"]))
                               & (AuditEvent.kind == "mapped"))
        assert "cut to GP's" not in quiet.message
    finally:
        close_db()


def test_a_ship_to_changed_after_invoicing_follows_while_unposted_and_is_noted_once_after(
        tmp_path):
    """Same total, new address: the unposted invoice gets the new ship-to (once); a posted one
    keeps the address it was posted with, and the order's history says so once."""
    with stand_ins(tmp_path, seed=15, webhook_delay=0) as (box, ep):
        ws, root = shop_workspace(tmp_path, ep, store_time_zone=False)
        woo = WooClient(ep.woo_url, ep.woo_key, ep.woo_secret)
        try:
            cust = woo._json("GET", "customers", params={"per_page": 1})[0]
            product = woo.list_products(per_page=1).items[0]
            ship = {"first_name": "Gift", "last_name": "Receiver", "address_1": "500 Harbor Blvd",
                    "city": "Portland", "state": "OR", "postcode": "97209", "country": "US"}
            order = woo._json("POST", "orders", json={
                "customer_id": cust["id"], "payment_method": "stripe", "set_paid": True,
                "billing": cust["billing"], "shipping": ship,
                "line_items": [{"product_id": product["id"], "quantity": 1}]})
        finally:
            woo.close()

        def once() -> None:
            run = cli("--workspace", root, "worker", "--once", "--no-webhooks")
            assert run.returncode == 0, run.stderr

        def move_to(street: str) -> None:
            httpx.post(f"{ep.woo_url}/_sandbox/orders/{order['id']}/touch",
                       json={"shipping": {**ship, "address_1": street}},
                       timeout=30).raise_for_status()

        once()
        before = _invoice(box, order["id"])
        move_to("7 Dock Rd")
        once()
        after = _invoice(box, order["id"])
        assert after["ship_to_address"]["line1"] == "7 Dock Rd"
        assert after["total"] == before["total"] and after["state"] == "work"
        once()  # nothing more to do
        httpx.post(f"{box.gp.base_url}/_sandbox/post-batch", json={"batch": after["batch"]},
                   timeout=30).raise_for_status()
        move_to("9 Pier Ave")
        once()
        once()
        posted = _invoice(box, order["id"])
        assert posted["state"] == "history"
        assert posted["ship_to_address"]["line1"] == "7 Dock Rd"  # posted: never changed
    init_db(ws.db_path)
    try:
        row = Order.get(Order.woo_id == order["id"])
        assert row.state == DocState.VERIFIED  # no money moved: nothing held
        kinds = [e.kind for e in AuditEvent.select().where(
            (AuditEvent.entity == "order") & (AuditEvent.entity_id == str(order["id"])))]
        assert kinds.count("updated_in_gp") == 1
        assert kinds.count("ship_to_after_posting") == 1
        note = AuditEvent.get((AuditEvent.entity_id == str(order["id"]))
                              & (AuditEvent.kind == "ship_to_after_posting"))
        assert "keeps the address it was posted with" in note.message
        assert "9 Pier Ave" not in note.message and "9 Pier Ave" not in str(note.data)
    finally:
        close_db()
