"""The receiver under hostile and unlucky input, over real loopback HTTP (issue 14 items 3, 7, 10):
one bad delivery never fails its neighbours, a busy database never loses a delivery and /healthz
says so, refusals are rolled up, and a fuzzer's signed deliveries are all stored or refused 4xx."""
from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor

import apsw
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from core.intake.inbox import process_deliveries
from core.intake.receiver import StaticSecrets, WebhookReceiver
from core.intake.service import ReceiverServer
from core.intake.spool import spool_dir_for
from core.store.db import close_db, init_db
from core.store.models import WebhookDelivery
from tests.core.intake_helpers import (
    WEBHOOK_SECRET,
    body_of,
    delivery_headers,
    order_payload,
)
from tests.sandbox.demo_support import wait_for


@pytest.fixture
def served(tmp_path):
    init_db(tmp_path / "state.db")
    app = WebhookReceiver(StaticSecrets({"": WEBHOOK_SECRET}), clock=ManualClock(),
                          busy_wait_ms=300)
    server = ReceiverServer(app, "127.0.0.1:0")
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http, app, tmp_path / "state.db"
    server.stop()
    app.close()
    close_db()


def _post(http: httpx.Client, body: bytes) -> httpx.Response:
    return http.post("/webhooks/woocommerce", content=body, headers=delivery_headers(body))


def _accepted() -> int:
    return WebhookDelivery.select().where(WebhookDelivery.verdict == "accepted").count()


def test_one_bad_delivery_never_fails_its_neighbours(served):
    http, app, _ = served
    good = [body_of(order_payload(1000 + i, "2026-11-27T10:00:00")) for i in range(60)]
    huge_id = json.dumps({"id": 2 ** 64, "date_modified_gmt": "2026-11-27T10:00:00"}).encode()
    deep = b'{"id": 7, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    bodies = good[:30] + [huge_id, deep] + good[30:]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda b: _post(http, b).status_code, bodies))
    assert all(code < 500 for code in answers), answers
    assert [c for b, c in zip(bodies, answers, strict=True) if b in good] == [200] * 60
    assert _accepted() == 62  # the two odd ones are stored raw too
    odd = WebhookDelivery.get(WebhookDelivery.body == huge_id)
    assert odd.resource_id is None
    # Intake flags them (each alone) and takes in every order.
    result = process_deliveries(ManualClock())
    assert result.errors == 2 and result.orders_changed == 60


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
    | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=6),
    max_leaves=30)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=JSON, raw=st.binary(max_size=300), nest=st.integers(0, 3000), use_raw=st.booleans())
def test_fuzz_every_signed_delivery_is_stored_or_refused_4xx(served, doc, raw, nest, use_raw):
    http, _, _ = served
    if use_raw:
        body = raw
    else:
        body = (b"[" * nest) + json.dumps({"id": doc, "v": doc}).encode() + (b"]" * nest)
    before = _accepted()
    r = _post(http, body)
    assert r.status_code == 200 or 400 <= r.status_code < 500, r.status_code
    if r.status_code == 200:
        assert _accepted() == before + 1


def test_busy_database_spools_deliveries_and_healthz_tells_the_truth(served):
    http, app, db_path = served
    other = apsw.Connection(str(db_path))
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        bodies = [body_of(order_payload(2000 + i, "2026-11-27T10:00:00")) for i in range(5)]
        assert [_post(http, b).status_code for b in bodies] == [200] * 5
        health = http.get("/healthz")
        assert health.status_code == 503
        assert health.json()["spooled"] == 5 and "spool" in health.json()["database"]
        assert len(list(spool_dir_for(db_path).glob("*.delivery"))) == 5
    finally:
        other.execute("COMMIT")
        other.close()
    assert wait_for(lambda: http.get("/healthz").status_code == 200, 30)
    assert http.get("/healthz").json() == {"ok": True}
    stored = [bytes(d.body) for d in WebhookDelivery.select().order_by(WebhookDelivery.id)]
    assert stored == bodies  # every one, in order
    assert list(spool_dir_for(db_path).glob("*")) == []


def test_refusals_are_rolled_up_not_one_fsync_each(served):
    http, app, _ = served
    for _ in range(30):
        body = b'{"id": 1}'
        r = http.post("/webhooks/woocommerce", content=body,
                      headers={**delivery_headers(body), "X-WC-Webhook-Signature": "AAAA"})
        assert r.status_code == 401
    assert app.writer.flush()
    assert WebhookDelivery.select().count() == 1  # the first is recorded at once
    app.writer.close()
    rows = [d.reject_reason for d in WebhookDelivery.select().order_by(WebhookDelivery.id)]
    assert rows == ["bad signature", rows[1]] and rows[1].startswith(
        "bad signature: 29 more refused since ")


def test_a_slowly_sent_body_is_answered_408_and_closed(tmp_path):
    init_db(tmp_path / "state.db")
    app = WebhookReceiver(StaticSecrets({"": WEBHOOK_SECRET}), clock=ManualClock(),
                          body_timeout_s=0.5)
    server = ReceiverServer(app, "127.0.0.1:0")
    server.start()
    try:
        socks = []
        for _ in range(20):  # many half-sent requests, as in the attack
            s = socket.create_connection(("127.0.0.1", server.port), timeout=15)
            s.sendall(b"POST /webhooks/woocommerce HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":")
            socks.append(s)
        for s in socks:
            answer = b""
            while chunk := s.recv(4096):  # the server answers, then closes: recv returns b""
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 408"), answer
            s.close()
        assert WebhookDelivery.select().count() == 0
    finally:
        server.stop()
        app.close()
        close_db()
