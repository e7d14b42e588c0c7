"""Recorded webhook deliveries: every signature verifies; the stand-in sends the same headers."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.woo import WooStandIn
from sandbox.woo.webhooks import wp_specialchars_decode
from tests.conftest import shared_path
from tests.sandbox.test_woo_webhooks import Receiver, api, receiver  # noqa: F401

pytestmark = pytest.mark.shared


def deliveries() -> list[dict[str, Any]]:
    folder = shared_path("woocommerce", "webhooks")
    return [json.loads(p.read_text()) for p in sorted(folder.glob("[0-9]*.json"))]


def test_every_recorded_signature_verifies_with_the_decoded_secret() -> None:
    checked = 0
    for d in deliveries():
        raw = base64.b64decode(d["body_b64"])
        header = dict(d["headers"]).get("X-WC-Webhook-Signature")
        if header is None:
            assert d["topic"] == "ping"
            assert raw == f"webhook_id={d['webhook_id_from_body']}".encode()
            continue
        mac = hmac.new(wp_specialchars_decode(d["secret"]).encode(), raw, hashlib.sha256)
        assert hmac.compare_digest(base64.b64encode(mac.digest()).decode(), header), d["context"]
        checked += 1
    assert checked == 67  # README: 67 signed deliveries, all matching


def test_standin_sends_the_recorded_header_sets(tmp_path: Path,
                                                 receiver: Receiver) -> None:  # noqa: F811
    recorded = deliveries()
    ping_names = {tuple(k for k, _ in d["headers"]) for d in recorded if d["topic"] == "ping"}
    signed_names = {tuple(k for k, _ in d["headers"]) for d in recorded if d["topic"] != "ping"}
    assert len(ping_names) == 1 and len(signed_names) == 1  # the real store is consistent
    shop = WooStandIn(tmp_path, webhook_delay=3600)
    shop.start()
    try:
        with api(shop) as c:
            for topic in ("order.created", "order.updated", "customer.updated",
                          "product.updated", "order.deleted"):
                assert c.post("/webhooks", json={
                    "topic": topic, "secret": "abcdefghijklmnopqrstuvwxyz012345",
                    "delivery_url": f"{receiver.url}/woo/{topic}"}).status_code == 201
            oid = c.post("/orders", json={"customer_id": 2, "set_paid": True,
                                          "payment_method": "stripe", "line_items": [
                                              {"sku": "TEE-BLU-M", "quantity": 1}]}).json()["id"]
            assert c.delete(f"/orders/{oid}").status_code == 200
        assert shop.flush_webhooks()
        got = receiver.wait_for(10)
    finally:
        shop.stop()
    pings = [d for d in got if d.header("X-WC-Webhook-Topic") is None]
    signed = [d for d in got if d.header("X-WC-Webhook-Topic") is not None]
    assert len(pings) == 5
    # created + updated + customer.updated + product.updated (stock) + deleted
    assert sorted(d.header("X-WC-Webhook-Topic") for d in signed) == [
        "customer.updated", "order.created", "order.deleted", "order.updated",
        "product.updated"]
    assert {tuple(k for k, _ in d.headers) for d in pings} == ping_names
    assert {tuple(k for k, _ in d.headers) for d in signed} == signed_names
    assert httpx.Headers(signed[0].headers)["User-Agent"] == dict(
        recorded[-1]["headers"])["User-Agent"]
