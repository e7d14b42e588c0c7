"""Webhook deliveries from the stand-in: ping, signature, headers, coalescing, auto-disable."""
from __future__ import annotations

import base64
import hashlib
import hmac
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sandbox.woo import WooStandIn
from sandbox.woo.webhooks import wp_specialchars_decode


@dataclass
class Delivery:
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Receiver:
    """A raw-socket HTTP receiver: keeps header names, casing and order exactly as sent."""
    status: int = 200
    got: list[Delivery] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)
    url: str = ""

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Delivery]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.got) >= n, timeout), \
                f"expected {n} deliveries, got {len(self.got)}"
            return list(self.got)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request_line = self.rfile.readline().decode("latin-1").split()
            headers: list[tuple[str, str]] = []
            while True:
                line = self.rfile.readline().decode("latin-1").rstrip("\r\n")
                if not line:
                    break
                k, _, v = line.partition(":")
                headers.append((k, v.strip()))
            length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
            body = self.rfile.read(length)
            status = rec.status
            self.wfile.write(f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\n"
                             "Connection: close\r\n\r\nok".encode())
            with rec.cond:
                rec.got.append(Delivery(request_line[1], headers, body))
                rec.cond.notify_all()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[WooStandIn]:
    s = WooStandIn(tmp_path, seed=3, webhook_delay=30.0)  # deliveries only when flushed
    s.start()
    yield s
    s.stop()


def api(shop: WooStandIn) -> httpx.Client:
    from sandbox.woo.auth import sign

    class OAuth(httpx.Auth):
        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            import secrets
            import time
            params = dict(request.url.params)
            params.update(oauth_consumer_key=shop.consumer_key, oauth_timestamp=str(int(
                time.time())), oauth_nonce=secrets.token_hex(16),
                oauth_signature_method="HMAC-SHA256")
            base = f"{request.url.scheme}://{request.url.netloc.decode()}{request.url.path}"
            params["oauth_signature"] = sign(request.method, base, params,
                                              shop.consumer_secret)
            request.url = request.url.copy_with(params=params)
            yield request

    return httpx.Client(base_url=f"{shop.url}/wp-json/wc/v3", auth=OAuth(), timeout=10)


SIGNED_ORDER = ["Host", "User-Agent", "Accept", "Accept-Encoding", "Content-Type",
                "X-WC-Webhook-Source", "X-WC-Webhook-Topic", "X-WC-Webhook-Resource",
                "X-WC-Webhook-Event", "X-WC-Webhook-Signature", "X-WC-Webhook-ID",
                "X-WC-Webhook-Delivery-ID", "Connection", "Content-Length"]
PING_ORDER = ["Host", "User-Agent", "Accept", "Accept-Encoding", "Connection", "Content-Length",
              "Content-Type"]


def make_hook(c: httpx.Client, receiver: Receiver, topic: str, secret: str) -> int:
    r = c.post("/webhooks", json={"name": topic, "topic": topic, "secret": secret,
                                  "delivery_url": f"{receiver.url}/woo/{topic}",
                                  "status": "active"})
    assert r.status_code == 201, r.text
    assert "secret" not in r.json()
    return int(r.json()["id"])


def test_creation_ping_is_unsigned_form_and_secret_is_write_only(shop, receiver):
    with api(shop) as c:
        wid = make_hook(c, receiver, "order.created", "s3cretS3cretS3cretS3cretS3cret12")
        ping = receiver.wait_for(1)[0]  # sent synchronously, before the 201
        assert [k for k, _ in ping.headers] == PING_ORDER
        assert ping.body == f"webhook_id={wid}".encode()
        assert ping.header("X-WC-Webhook-Signature") is None
        listed = c.get("/webhooks").json()
        assert "secret" not in listed[0] and listed[0]["date_modified"] is not None


def test_delivery_headers_signature_and_body_equal_rest(shop, receiver):
    secret = "Amp&amp;Secret"  # WooCommerce signs with the entity-decoded secret
    with api(shop) as c:
        wid = make_hook(c, receiver, "order.created", secret)
        order = c.post("/orders", json={"line_items": [{"sku": "TEE-BLU-M", "quantity": 2}],
                                        "billing": {"email": "a@example.com", "state": "NY",
                                                    "country": "US"}}).json()
        assert shop.flush_webhooks()
        d = receiver.wait_for(2)[1]
        assert [k for k, _ in d.headers] == SIGNED_ORDER
        assert d.header("X-WC-Webhook-Topic") == "order.created"
        assert d.header("X-WC-Webhook-ID") == str(wid)
        assert d.header("X-WC-Webhook-Source") == shop.home + "/"
        mac = hmac.new(wp_specialchars_decode(secret).encode(), d.body, hashlib.sha256)
        assert base64.b64encode(mac.digest()).decode() == d.header("X-WC-Webhook-Signature")
        assert d.body == c.get(f"/orders/{order['id']}").content  # byte-identical to REST


def test_bursts_coalesce_into_one_delivery_with_latest_state(shop, receiver):
    with api(shop) as c:
        make_hook(c, receiver, "order.updated", "coalesceSecretcoalesceSecret1234")
        receiver.wait_for(1)
        oid = c.post("/orders", json={"line_items": [{"sku": "MUG-STONE-12OZ",
                                                      "quantity": 1}]}).json()["id"]
        for status in ("on-hold", "processing", "completed"):
            assert c.put(f"/orders/{oid}", json={"status": status}).status_code == 200
        assert shop.flush_webhooks()
        got = receiver.wait_for(2)
        assert len(got) == 2  # ping + ONE order.updated for create + 3 updates
        assert b'"status":"completed"' in got[1].body


def test_failures_are_not_redelivered_and_seventh_disables(shop, receiver):
    receiver.status = 500
    with api(shop) as c:
        wid = make_hook(c, receiver, "order.created", "failingSecretfailingSecret123456")
        for i in range(8):
            c.post("/orders", json={"line_items": [{"sku": "CAP-WOOL-GRY", "quantity": 1}]})
            assert shop.flush_webhooks()
            status = c.get(f"/webhooks/{wid}").json()["status"]
            assert status == ("disabled" if i >= 6 else "active"), (i, status)
        # ping + 7 attempts; the 8th order found the webhook disabled; nothing retried
        assert len(receiver.got) == 8
        log = httpx.get(f"{shop.url}/_sandbox/state").json()["webhooks"][0]["deliveries"]
        assert [e["outcome"] for e in log].count("failed") == 7
        receiver.status = 200
        assert c.put(f"/webhooks/{wid}", json={"status": "active"}).json()["status"] == "active"
        assert len(receiver.got) == 8  # re-activation sends no ping


def test_deleted_topic_sends_id_only_and_force_delete_is_silent(shop, receiver):
    with api(shop) as c:
        make_hook(c, receiver, "order.deleted", "deletedSecretdeletedSecret123456")
        a = c.post("/orders", json={"line_items": [{"sku": "CAP-WOOL-GRY", "quantity": 1}]})
        b = c.post("/orders", json={"line_items": [{"sku": "CAP-WOOL-GRY", "quantity": 1}]})
        assert c.delete(f"/orders/{a.json()['id']}").json()["status"] == "pending"
        assert c.delete(f"/orders/{b.json()['id']}", params={"force": "true"}).status_code == 200
        assert shop.flush_webhooks()
        got = receiver.wait_for(2)
        assert len(got) == 2 and got[1].body == b'{"id":%d}' % a.json()["id"]
