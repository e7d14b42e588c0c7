"""The real worker carries the alerts and the metrics endpoint: `worker --once` tells people
(a timer-driven install has no long-running loop), a running worker serves /metrics, and a
worker that lost its lease says so before it exits 5."""
from __future__ import annotations

import logging
import threading

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.alerts.channels import ALERTS_WEBHOOK_SECRET
from core.secrets.vault import open_vault
from core.store.db import close_db
from core.store.models import Order, WorkerLease
from core.worker.components import build_components
from core.worker.options import EXIT_LEASE_LOST, EXIT_OK, WorkerOptions
from core.worker.service import Worker
from tests.core.alert_receivers import HookReceiver
from tests.ports import port_for_later
from tui.demo.setup import DemoEndpoints, prepare_workspace

SECRET = "worker-hook-secret-0d9a"


@pytest.fixture
def workspace(tmp_path):
    from sandbox.gp import GPStandIn
    from sandbox.woo import WooStandIn

    logging.getLogger("core.gp.auth").setLevel(logging.ERROR)
    shop = WooStandIn(tmp_path / "woo", seed=5, orders=8, webhook_delay=0)
    shop.start()
    gp = GPStandIn(tmp_path / "gp", seed=5)
    gp.start()
    hook = HookReceiver(SECRET).start()
    ep = DemoEndpoints(woo_url=shop.url, woo_key=shop.consumer_key,
                       woo_secret=shop.consumer_secret, gp_soap_url=gp.soap_url,
                       gp_user=f"{gp.domain}\\{gp.user}", gp_password=gp.password,
                       gp_company=gp.company)
    ws, settings = prepare_workspace(tmp_path / "ws", ep)
    made = httpx.post(f"{shop.url}/_sandbox/activity", json={"unknown_sku_orders": 2},
                      timeout=30)
    for woo_id in made.json()["unknown_sku_orders"]:  # paid orders for products GP lacks
        httpx.post(f"{shop.url}/_sandbox/orders/{woo_id}/touch", json={"status": "processing"},
                   timeout=30).raise_for_status()
    settings.alerts.held_threshold = 0
    settings.alerts.digest_at = ""
    settings.alerts.webhook.url = hook.url
    settings.metrics.listen = f"127.0.0.1:{port_for_later()}"
    ws.save(settings)
    open_vault(ws).set(ALERTS_WEBHOOK_SECRET, SECRET, "test")
    yield ws, settings, hook
    hook.stop()
    shop.stop()
    gp.stop()
    close_db()


def test_worker_once_sends_the_held_alert(workspace):
    ws, settings, hook = workspace
    worker = Worker(ws, settings, WorkerOptions(once=True, receiver=False, products=False,
                                                watch_config=False))
    assert worker.run() == EXIT_OK
    held = Order.select().where(Order.state == "held").count()
    assert held >= 2, [(o.state, o.status, o.hold_reason) for o in Order.select()]
    alerts = [h for h in hook.got if h["type"] == "alert"]
    assert [(a["state"], a["condition"]) for a in alerts] == [("raised", "held_orders")]
    assert alerts[0]["figures"]["held"] == held and hook.bad_signatures == 0
    # A second pass: the condition is still true, already told: nothing new.
    assert Worker(ws, settings, WorkerOptions(once=True, receiver=False, products=False,
                                              watch_config=False)).run() == EXIT_OK
    assert len([h for h in hook.got if h["type"] == "alert"]) == 1


def test_running_worker_serves_metrics_and_reports_a_lost_lease(workspace):
    ws, settings, hook = workspace
    built = []

    def build(*args, **kw):
        built.append(build_components(*args, **kw))
        return built[-1]

    worker = Worker(ws, settings, WorkerOptions(receiver=False, products=False,
                                                watch_config=False), components=build)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(worker.run()), daemon=True)
    thread.start()
    try:
        assert worker.started.wait(30), codes
        assert worker.polled.wait(30)
        url = built[0].metrics_url
        assert url and url.endswith("/metrics")
        families = {f.name: f for f in text_string_to_metric_families(
            httpx.get(url, timeout=10).text)}
        assert [s.value for s in families["ml_connector_worker_alive"].samples] == [1.0]
        [holder] = families["ml_connector_lease_holder_info"].samples
        assert holder.labels["mode"] == "headless"
        polls = families["ml_connector_last_successful_poll_timestamp_seconds"].samples
        assert polls and polls[0].value > 0
        # Another worker takes the lease (this one was frozen past its TTL).
        WorkerLease.update(holder="otherhost:1:abcd", host="otherhost", pid=1).execute()
        thread.join(60)
        assert codes == [EXIT_LEASE_LOST]
    finally:
        worker.request_stop("test over")
        thread.join(30)
    lost = [h for h in hook.got if h.get("condition") == "lease_lost"]
    assert [h["state"] for h in lost] == ["raised"]
    assert "took over" in lost[0]["text"]
    with pytest.raises(httpx.HTTPError):  # the endpoint closed with the worker
        httpx.get(url, timeout=2)
