"""Issue 13 items 7, 9, 10, 11: `check` reads the shop's own facts against the WooCommerce
stand-in: its time zone and home URL from the WordPress REST index, the key's permission
(without writing), and the GL accounts and gateways its recent orders need."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from core.check_shop import check_shop
from core.config import Settings
from core.store.db import close_db, init_db
from core.woo.client import WooClient
from sandbox.woo import WooStandIn
from tui.demo.setup import GATEWAYS, demo_settings, prepare_workspace


@pytest.fixture
def shop(tmp_path):
    s = WooStandIn(tmp_path / "woo", seed=2, https=True, webhook_delay=0)
    s.start()
    yield s
    s.stop()
    close_db()


def _findings(settings: Settings, client: WooClient) -> dict[str, tuple[str, str, str]]:
    found: dict[str, tuple[str, str, str]] = {}

    def add(subject: str, status: str, detail: str, fix: str = "") -> None:
        found[subject] = (status, detail, fix)

    check_shop(settings, client, add)
    return found


def _client(shop: WooStandIn, *, url: str | None = None, readonly: bool = False) -> WooClient:
    key, secret = ((shop.readonly_key, shop.readonly_secret) if readonly
                   else (shop.consumer_key, shop.consumer_secret))
    target = url or shop.https_url or shop.url
    return WooClient(target, key, secret, max_attempts=1,
                     ca_bundle=str(shop.ca_file) if target.startswith("https") else None)


def test_the_wordpress_index_is_public_and_names_home_and_time_zone(shop):
    r = httpx.get(f"{shop.url}/wp-json/", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["home"] == shop.https_url and body["url"] == shop.https_url
    assert body["timezone_string"] == "America/New_York"
    assert body["gmt_offset"] in (-5, -4) and "wc/v3" in body["namespaces"]


def test_time_zone_home_url_and_read_only_key(shop, tmp_path):
    init_db(tmp_path / "state.db")
    settings = Settings()
    settings.woocommerce.url = shop.url  # configured as http:// while WordPress's home is https
    with _client(shop, url=shop.url) as client:
        found = _findings(settings, client)
    status, detail, fix = found["Time zone"]
    assert status == "fail" and "America/New_York" in detail and "UTC" in detail
    assert 'timezone = "America/New_York"' in fix
    status, detail, fix = found["Home URL"]
    assert status == "warn" and shop.https_url in detail and shop.https_url in fix
    assert found["Key permission"][0] == "ok"

    settings.woocommerce.url = shop.https_url
    settings.worker.schedule.timezone = "America/New_York"
    with _client(shop, readonly=True) as client:
        found = _findings(settings, client)
    assert found["Time zone"][0] == "ok" and found["Home URL"][0] == "ok"
    status, detail, _ = found["Key permission"]
    assert status == "fail" and "read-only" in detail and "webhooks" in detail
    assert not [o for o in _state(shop)["orders"] if o["id"] == 0]  # the probe wrote nothing


def _state(shop: WooStandIn) -> dict[str, Any]:
    return httpx.get(f"{shop.url}/_sandbox/state", timeout=30).json()


def test_check_fails_while_gl_or_a_used_gateway_is_unmapped(shop, tmp_path):
    httpx.post(f"{shop.url}/_sandbox/activity", json={"orders": 25},
               timeout=60).raise_for_status()
    init_db(tmp_path / "bare.db")
    settings = Settings()
    settings.woocommerce.url = shop.https_url or ""
    with _client(shop) as client:
        found = _findings(settings, client)
    status, detail, fix = found["GL accounts"]
    assert status == "fail" and "sales" in detail and "receivables" in detail
    assert "ml-connector gl set company sales" in fix
    gateways = {k: v for k, v in found.items() if k.startswith("Gateway ")}
    assert gateways and all(v[0] == "fail" for v in gateways.values())
    assert any("ml-connector payments set" in v[2] for v in gateways.values())
    close_db()

    from tui.demo.setup import DemoEndpoints

    ep = DemoEndpoints(woo_url=shop.https_url or "", woo_key=shop.consumer_key,
                       woo_secret=shop.consumer_secret, gp_soap_url="", gp_user="",
                       gp_company="", gp_password="unused", woo_ca=str(shop.ca_file))
    _ws, settings = prepare_workspace(tmp_path / "ws", ep)  # GL and gateways as set up
    assert set(settings.posting.gateways) == set(GATEWAYS)
    settings = demo_settings(ep)
    with _client(shop) as client:
        found = _findings(settings, client)
    assert found["GL accounts"][0] == "ok"
    assert all(v[0] == "ok" for k, v in found.items() if k.startswith("Gateway ")), found
