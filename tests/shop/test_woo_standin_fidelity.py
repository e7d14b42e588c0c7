"""Issue 13: where the WooCommerce stand-in differed from the real store, it now behaves as the
real store did: percent coupons on the full subtotal (non-sequential, WooCommerce's default),
the past-the-last-page Link without dp/context, the 500 "Refund amount must be greater than
zero." for a negative refund of a trashed order, and no webhook for a deleted refund or for a
status change out of trash (also: the index, failure_count in test_webhooks_disabled)."""
from __future__ import annotations

import socket
from decimal import Decimal

import httpx
import pytest

from core.errors import WooError
from core.woo.client import WooClient
from sandbox.woo import WooStandIn


@pytest.fixture
def shop(tmp_path):
    s = WooStandIn(tmp_path / "shop", seed=3, webhook_delay=0)
    s.start()
    yield s
    s.stop()


def _client(shop: WooStandIn) -> WooClient:
    return WooClient(shop.url, shop.consumer_key, shop.consumer_secret, max_attempts=1)


def _order(c: WooClient, coupons: list[str], **extra) -> dict:
    body = {"payment_method": "bacs", "set_paid": True,
            "billing": {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"},
            "line_items": [{"sku": "SCARF-MERINO-RED", "quantity": 3},
                           {"sku": "SOCKS-3PK-WHT", "quantity": 2}],
            "coupon_lines": [{"code": code} for code in coupons], **extra}
    sku_ids = {p["sku"]: p["id"] for p in c.list_products(per_page=100).items}
    for li in body["line_items"]:
        li["product_id"] = sku_ids[li.pop("sku")]
    return c._json("POST", "orders", json=body)


def test_two_percent_coupons_take_their_percent_of_the_full_subtotal(shop):
    with _client(shop) as c:
        o = _order(c, ["save10", "welcome15"])
    subtotal = sum(Decimal(li["subtotal"]) for li in o["line_items"])
    assert subtotal == Decimal("142.00")
    # 10 % + 15 % of 142.00 (not 15 % of what 10 % left: 35.17)
    assert Decimal(o["discount_total"]) == Decimal("35.50")
    assert {c["code"]: c["discount"] for c in o["coupon_lines"]} == {"save10": "14.2",
                                                                     "welcome15": "21.3"}
    for li in o["line_items"]:
        price = Decimal(str(li["price"]))
        assert price * li["quantity"] == Decimal(li["total"])  # whole cents here


def test_past_the_last_page_link_carries_only_status(shop):
    with _client(shop) as c:
        for _ in range(3):
            _order(c, [])
        r = c.request("GET", "orders", params={"per_page": 2, "page": 9})
    assert r.json() == [] and r.headers["x-wp-total"] == "0"
    link = r.headers["link"]
    assert "page=0&status%5B0%5D=any>" in link and "dp=2" not in link and "context" not in link


def _deliveries(shop: WooStandIn) -> int:
    assert shop.flush_webhooks()
    state = httpx.get(f"{shop.url}/_sandbox/state", timeout=30).json()
    return sum(len(h["deliveries"]) for h in state["webhooks"])


def test_negative_refund_of_a_trashed_order_and_silent_changes(shop):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    with _client(shop) as c:
        c.create_webhook(name="t", topic="order.updated", delivery_url=dead,
                         secret="S3cretS3cretS3cretS3cretS3cretS3cret")
        o = _order(c, [])
        ref = c._json("POST", f"orders/{o['id']}/refunds",
                      json={"amount": "5.00", "api_refund": False})
        seen = _deliveries(shop)
        modified = c.get_order(o["id"])["date_modified_gmt"]
        c._json("DELETE", f"orders/{o['id']}/refunds/{ref['id']}", params={"force": "true"})
        assert _deliveries(shop) == seen, "no webhook for a deleted refund"
        assert c.get_order(o["id"])["date_modified_gmt"] == modified
        assert c.get_order(o["id"])["refunds"] == []
        c._json("DELETE", f"orders/{o['id']}")  # trash (order.deleted: not subscribed here)
        with pytest.raises(WooError) as err:
            c._json("POST", f"orders/{o['id']}/refunds", json={"amount": "-1.00"})
        assert err.value.status == 500
        assert "Refund amount must be greater than zero." in str(err.value)
        seen = _deliveries(shop)
        c._json("PUT", f"orders/{o['id']}", json={"status": "processing"})  # out of trash
        assert _deliveries(shop) == seen, "no webhook for a change out of trash"
        assert c.get_order(o["id"])["status"] == "processing"
        c._json("PUT", f"orders/{o['id']}", json={"customer_note": "x"})
        assert _deliveries(shop) == seen + 1  # an ordinary update still fires
