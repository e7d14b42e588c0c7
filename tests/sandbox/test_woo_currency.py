"""The WooCommerce stand-in selling in another currency, over real loopback HTTPS: the shop's
currency is set on its control plane; orders carry `currency` and `currency_symbol`, keep the
currency they were created in, and write money at the currency's decimals."""
from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from sandbox.woo import WooStandIn

JP_ADDRESS = {"first_name": "Aiko", "last_name": "Sato", "address_1": "1-1 Chiyoda",
              "city": "Tokyo", "postcode": "100-0001", "country": "JP",
              "email": "aiko@example.jp"}


@pytest.fixture
def shop(tmp_path) -> Iterator[WooStandIn]:
    s = WooStandIn(tmp_path / "woo", seed=3, https=True, webhook_delay=0)
    s.start()
    yield s
    s.stop()


def rest(shop: WooStandIn) -> httpx.Client:
    return httpx.Client(base_url=f"{shop.https_url}/wp-json/wc/v3",
                        verify=ssl.create_default_context(cafile=str(shop.ca_file)),
                        auth=(shop.consumer_key, shop.consumer_secret), timeout=30)


def set_currency(shop: WooStandIn, **body) -> httpx.Response:
    return httpx.post(f"{shop.url}/_sandbox/currency", json=body, timeout=10)


def test_a_eur_shop_writes_eur_on_new_orders_and_old_orders_keep_usd(shop):
    with rest(shop) as c:
        before = c.post("/orders", json={"line_items": [{"sku": "CAP-CANVAS-NVY",
                                                          "quantity": 1}]}).json()
        assert set_currency(shop, currency="EUR").status_code == 200
        after = c.post("/orders", json={"line_items": [{"sku": "CAP-CANVAS-NVY",
                                                         "quantity": 1}]}).json()
        assert (before["currency"], before["currency_symbol"]) == ("USD", "$")
        assert (after["currency"], after["currency_symbol"]) == ("EUR", "€")
        assert c.get(f"/orders/{before['id']}").json()["currency"] == "USD"
        settings = c.get("/system_status").json()["settings"]
        assert (settings["currency"], settings["number_of_decimals"]) == ("EUR", 2)


def test_an_order_may_be_created_in_another_currency_as_plugins_do_but_not_an_unknown_one(shop):
    with rest(shop) as c:
        gbp = c.post("/orders", json={"currency": "GBP", "line_items": [
            {"sku": "CAP-CANVAS-NVY", "quantity": 1}]}).json()
        assert (gbp["currency"], gbp["currency_symbol"]) == ("GBP", "£")
        bad = c.post("/orders", json={"currency": "XXX", "line_items": [
            {"sku": "CAP-CANVAS-NVY", "quantity": 1}]})
        assert bad.status_code == 400 and bad.json()["code"] == "rest_invalid_param"
    assert set_currency(shop, currency="ZZZ").status_code == 400


def test_a_jpy_order_has_whole_yen_amounts_written_without_decimals(shop):
    assert set_currency(shop, currency="JPY").json()["number_of_decimals"] == 0
    with rest(shop) as c:
        o = c.post("/orders", json={
            "billing": JP_ADDRESS, "shipping": JP_ADDRESS, "set_paid": True,
            "line_items": [{"sku": "CAP-CANVAS-NVY", "quantity": 2, "subtotal": "3000",
                            "total": "3000"}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate",
                                "total": "500"}]}).json()
        assert (o["currency"], o["currency_symbol"]) == ("JPY", "¥")
        assert (o["total"], o["shipping_total"], o["line_items"][0]["subtotal"]) == (
            "3500", "500", "3000")
        refund = c.post(f"/orders/{o['id']}/refunds", json={"amount": "500",
                                                            "api_refund": False}).json()
        assert refund["amount"] == "500"
        # The stand-in's limitation, said rather than rounded unlike WooCommerce:
        frac = c.post("/orders", json={"billing": JP_ADDRESS, "shipping": JP_ADDRESS,
                                       "line_items": [{"sku": "CAP-CANVAS-NVY", "quantity": 1,
                                                       "subtotal": "10.50",
                                                       "total": "10.50"}]})
        assert frac.status_code == 400 and frac.json()["code"] == "sandbox_currency_fraction"
