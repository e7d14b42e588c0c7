"""The webhook receiver over real loopback HTTP: verify, store, 200; refuse everything else."""
from __future__ import annotations

import base64
import json
import socket
from pathlib import Path

import httpx
import pytest

from core.clock import ManualClock
from core.intake import known_webhooks
from core.intake.inbox import process_deliveries
from core.intake.receiver import (
    VaultSecrets,
    WebhookReceiver,
    sign,
    signature_ok,
    wp_specialchars_decode,
)
from core.intake.service import ReceiverServer
from core.secrets.keys import ENV_VAR
from core.store.db import close_db
from core.store.models import ALL_MODELS, Order, WebhookDelivery
from tests.conftest import shared_path
from tests.core.intake_helpers import (
    WEBHOOK_SECRET,
    body_of,
    delivery_headers,
    make_vault,
    order_payload,
)

SOURCE = "https://shop.example.test"


@pytest.fixture
def receiver(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    clock = ManualClock()
    _, vault = make_vault(tmp_path / "ws", clock)
    vault.set("webhook.secret", WEBHOOK_SECRET, "test")
    app = WebhookReceiver(VaultSecrets(vault), store_url=SOURCE, max_body=64_000, clock=clock)
    server = ReceiverServer(app, "127.0.0.1:0")
    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http, vault, server
    server.stop()
    close_db()


def _post(http: httpx.Client, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return http.post("/webhooks/woocommerce", content=body, headers=headers)


def _table_counts() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in ALL_MODELS}


def test_signature_matches_woocommerce_including_entity_decoding():
    assert wp_specialchars_decode("Amp&amp;Secret") == "Amp&Secret"
    assert wp_specialchars_decode("a&#039;b&#x27;c&#0038;d&lt;") == "a'b'c&d<"
    assert wp_specialchars_decode("&amp;amp;") == "&amp;"  # one pass only, as WordPress does
    body = b'{"id":42}'
    assert signature_ok(body, sign(body, "s3cret"), "s3cret")
    assert not signature_ok(body, sign(body, "s3cret"), "other")
    assert not signature_ok(body, None, "s3cret")
    assert not signature_ok(body + b" ", sign(body, "s3cret"), "s3cret")


def test_signed_delivery_is_stored_raw_then_processed(receiver):
    http, _, _ = receiver
    body = body_of(order_payload(501, "2026-11-27T10:00:00"))
    r = _post(http, body, delivery_headers(body))
    assert r.status_code == 200
    row = WebhookDelivery.get()
    assert row.verdict == "accepted" and bytes(row.body) == body
    assert (row.topic, row.resource_id, row.webhook_id) == ("order.updated", 501, "1")
    assert Order.select().count() == 0  # nothing parsed on the request path
    result = process_deliveries(ManualClock())
    assert (result.processed, result.orders_changed, result.errors) == (1, 1, 0)
    assert Order.get(Order.woo_id == 501).state == "new"
    assert WebhookDelivery.get().processed_at is not None


@pytest.mark.parametrize("case", ["tampered", "unsigned", "truncated", "wrong_secret",
                                  "reserialised", "bad_base64", "wrong_source"])
def test_bad_deliveries_get_401_and_change_nothing_but_the_refusal_log(receiver, case):
    http, _, server = receiver
    payload = order_payload(502, "2026-11-27T10:00:00")
    body = body_of(payload)
    headers = delivery_headers(body)
    if case == "tampered":
        body = body.replace(b"10.00", b"99.00")
    elif case == "unsigned":
        del headers["X-WC-Webhook-Signature"]
    elif case == "truncated":
        body = body[: len(body) // 2]
    elif case == "wrong_secret":
        headers = delivery_headers(body, secret="not-the-secret-0123456789abcdefXYZ")
    elif case == "reserialised":
        body = json.dumps(payload, indent=1).encode()
    elif case == "bad_base64":
        headers["X-WC-Webhook-Signature"] = "!!!not base64!!!"
    elif case == "wrong_source":
        headers = delivery_headers(body, source="https://evil.example/")
    r = _post(http, body, headers)
    assert r.status_code == 401
    assert server._app.writer.flush()  # refusals are recorded off the request path
    row = WebhookDelivery.get()
    assert row.verdict == "rejected" and row.body is None and row.reject_reason
    assert process_deliveries(ManualClock()).processed == 0
    assert Order.select().count() == 0


def test_oversized_bodies_get_413(receiver):
    http, _, server = receiver
    big = b'{"id":1,"pad":"' + b"x" * 70_000 + b'"}'
    r = _post(http, big, delivery_headers(big))
    assert r.status_code == 413

    def chunks():  # no Content-Length: the cap applies while streaming
        for _ in range(20):
            yield b"y" * 8_000
    r = http.post("/webhooks/woocommerce", content=chunks(),
                  headers={"X-WC-Webhook-Signature": "AAAA", "X-WC-Webhook-Topic": "order.updated"})
    assert r.status_code == 413
    assert server._app.writer.flush()  # refusals are recorded off the request path
    assert {row.verdict for row in WebhookDelivery.select()} == {"rejected"}
    assert process_deliveries(ManualClock()).processed == 0


def test_a_delivery_cut_off_mid_body_is_not_stored(receiver):
    http, _, server = receiver
    body = body_of(order_payload(503, "2026-11-27T10:00:00"))
    head = "".join(f"{k}: {v}\r\n" for k, v in delivery_headers(body).items())
    raw = (f"POST /webhooks/woocommerce HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
           f"{head}\r\n").encode() + body[:40]
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(4096)  # the receiver never acknowledges a partial body
    assert b"200" not in answer.split(b"\r\n", 1)[0]
    ok = body_of(order_payload(504, "2026-11-27T10:00:00"))
    assert _post(http, ok, delivery_headers(ok)).status_code == 200
    assert [r.resource_id for r in WebhookDelivery.select()] == [504]


def test_ping_is_answered_200_and_changes_nothing(receiver):
    http, _, _ = receiver
    known_webhooks.remember([12], actor="test")
    before = _table_counts()
    r = http.post("/webhooks/woocommerce", content=b"webhook_id=12",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert _table_counts() == before
    r = http.post("/webhooks/woocommerce", content=b"webhook_id=12&x=1",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401
    r = http.post("/webhooks/woocommerce", content=b"webhook_id=13",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401  # not a webhook this connector installed


def test_secret_installed_after_start_is_picked_up(receiver):
    http, vault, _ = receiver
    new_secret = "AnotherSecret0123456789abcdefghijKLMN"
    vault.set("webhook.secret", new_secret, "test")
    body = body_of(order_payload(505, "2026-11-27T10:00:00"))
    assert _post(http, body, delivery_headers(body, secret=new_secret)).status_code == 200


def test_other_paths_and_methods(receiver):
    http, _, _ = receiver
    assert http.get("/healthz").status_code == 200
    assert http.get("/webhooks/woocommerce").status_code == 405
    assert http.post("/elsewhere", content=b"{}").status_code == 404


def _recorded() -> list[Path]:
    folder = shared_path("woocommerce", "webhooks")
    return sorted(p for p in folder.glob("[0-9]*.json"))


def test_recorded_woocommerce_10_deliveries_verify_and_are_accepted(receiver):
    http, vault, _ = receiver
    files = _recorded()
    docs = [json.loads(p.read_text()) for p in files]
    for d in docs:
        wid = dict(d["headers"]).get("X-WC-Webhook-ID")
        if wid and vault.get(f"webhook.secret.{wid}") is None:
            vault.set(f"webhook.secret.{wid}", d["secret"], "test")
    signed = 0
    for path, d in zip(files, docs, strict=True):
        raw = base64.b64decode(d["body_b64"])
        headers = {k: v for k, v in d["headers"] if k.lower() not in ("host", "content-length",
                                                                       "connection")}
        r = _post(http, raw, headers)
        assert r.status_code == 200, path.name
        if "X-WC-Webhook-Signature" not in headers:
            continue
        signed += 1
        # Any single byte changed is refused.
        for pos in (0, len(raw) // 2, len(raw) - 1):
            bad = bytearray(raw)
            bad[pos] ^= 0x20
            assert _post(http, bytes(bad), headers).status_code == 401, (path.name, pos)
    assert signed == 67
    accepted = WebhookDelivery.select().where(WebhookDelivery.verdict == "accepted").count()
    assert accepted == signed
    result = process_deliveries(ManualClock())
    assert result.errors == 0 and result.processed == signed
    delivered = {json.loads(base64.b64decode(d["body_b64"]))["id"] for d in docs
                 if d["topic"].startswith("order.")}
    assert {o.woo_id for o in Order.select()} == delivered
    assert Order.get(Order.woo_id == 42).status == "trash"
    assert Order.get(Order.woo_id == 37).status == "refunded"
