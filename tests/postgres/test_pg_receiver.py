"""The webhook receiver with the state on PostgreSQL: a server that cannot be reached never loses
an acknowledged delivery (the spool on this host keeps it, /healthz says so) and the spool is
imported, in order, once the server takes connections again."""
from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from core.clock import ManualClock
from core.intake.receiver import StaticSecrets, WebhookReceiver
from core.intake.service import ReceiverServer
from core.intake.spool import spool_dir_for
from core.store.db import close_db, database, init_db
from core.store.models import WebhookDelivery
from tests.core.intake_helpers import WEBHOOK_SECRET, body_of, delivery_headers, order_payload
from tests.sandbox.demo_support import wait_for


@pytest.fixture
def served(tmp_path, pg_url):
    home = tmp_path / "state.db"  # never created: it only names the spool folder
    init_db(pg_url, home=home)
    app = WebhookReceiver(StaticSecrets({"": WEBHOOK_SECRET}), clock=ManualClock(),
                          busy_wait_ms=300)
    server = ReceiverServer(app, "127.0.0.1:0")
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http, home
    server.stop()
    app.close()
    close_db()


def test_an_unreachable_postgresql_spools_deliveries_then_they_are_imported(served, pg_url,
                                                                            pg_server):
    http, home = served
    database.close()  # this test's own connection: it reads the result afterwards
    name = urlsplit(pg_url).path.strip("/")
    admin = pg_server.admin()
    cur = admin.cursor()
    cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    cur.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    try:
        bodies = [body_of(order_payload(2000 + i, "2026-11-27T10:00:00")) for i in range(5)]
        sent = [http.post("/webhooks/woocommerce", content=b, headers=delivery_headers(b))
                for b in bodies]
        assert [r.status_code for r in sent] == [200] * 5
        health = http.get("/healthz")
        assert health.status_code == 503 and health.json()["spooled"] == 5
        assert len(list(spool_dir_for(home).glob("*.delivery"))) == 5
        assert not home.exists()
    finally:
        cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
    assert wait_for(lambda: http.get("/healthz").status_code == 200, 30)
    stored = [bytes(d.body) for d in WebhookDelivery.select().order_by(WebhookDelivery.id)]
    assert stored == bodies  # every one, in order
    assert list(spool_dir_for(home).glob("*")) == []
