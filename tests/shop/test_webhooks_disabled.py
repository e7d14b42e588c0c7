"""Issue 13 item 8: WooCommerce disables our webhooks after a short outage. The worker polls at
the business interval (even off hours) while one is down, re-activates it once its receiver
runs, says that WooCommerce keeps the failure count (the stand-in does, as the real store),
looks again soon, and `status` shows WooCommerce's state."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx

from core.clock import ManualClock
from core.config import ScheduleSettings
from core.intake import webhook_watch
from core.intake.service import IntakeService
from core.secrets.vault import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET
from core.store.db import close_db
from core.store.models import AuditEvent
from core.worker.schedule import plan_next_poll
from core.worker.status import format_status, status_report
from sandbox.woo import WooStandIn
from tests.core.intake_helpers import make_vault, settings_for
from tests.ports import port_for_later
from tui.demo.setup import install_webhooks


def _orders(shop: WooStandIn, n: int) -> None:
    httpx.post(f"{shop.url}/_sandbox/activity", json={"orders": n},
               timeout=30).raise_for_status()
    assert shop.flush_webhooks()


def _hooks(shop: WooStandIn) -> dict[str, tuple[str, int]]:
    state = httpx.get(f"{shop.url}/_sandbox/state", timeout=30).json()
    return {h["topic"]: (h["status"], h["failure_count"]) for h in state["webhooks"]}


def test_disabled_webhooks_fast_poll_reactivation_and_kept_failure_count(tmp_path):
    shop = WooStandIn(tmp_path / "shop", seed=1, webhook_delay=0, delivery_timeout=2)
    shop.start()
    try:
        ws, vault = make_vault(tmp_path / "ws")
        vault.set(WOO_CONSUMER_KEY, shop.consumer_key, "test")
        vault.set(WOO_CONSUMER_SECRET, shop.consumer_secret, "test")
        settings = settings_for(shop.url)
        port = port_for_later()
        install_webhooks(ws, settings, f"http://127.0.0.1:{port}/webhooks/woocommerce")
        _orders(shop, 7)  # the worker is down: 7 failed deliveries disable the order webhooks
        assert _hooks(shop)["order.created"][0] == "disabled"

        service = IntakeService(settings, vault, listen=f"127.0.0.1:{port}", poll=False)
        service.start()
        try:
            service.poll_once()  # the first poll looks at WooCommerce's webhooks at once
            assert service.webhooks_down
            assert _hooks(shop)["order.created"][0] == "active"
            events = list(AuditEvent.select().where(AuditEvent.kind == "reactivated"))
            assert events and all("keeps the webhook's failure count" in e.message
                                  for e in events)
            report = status_report()
            text = format_status(report)
            assert "In WooCommerce:" in text and "order.created" in text
        finally:
            service.stop()
        # WooCommerce kept the count: one more failed delivery disables it again at once.
        assert _hooks(shop)["order.created"][1] >= 6
        _orders(shop, 1)
        assert _hooks(shop)["order.created"][0] == "disabled"
    finally:
        shop.stop()
        close_db()
    # While down, the poll never waits longer than the business interval, even at 3 a.m.
    sched = ScheduleSettings(timezone="America/New_York")
    night = ManualClock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC)).now()  # 03:00 in New York
    assert plan_next_poll(night, sched).interval_s == sched.off_hours_interval_s
    fast = plan_next_poll(night, sched, webhooks_down=True)
    assert fast.interval_s == sched.business_interval_s and "webhooks disabled" in fast.reason
    assert webhook_watch.RECHECK_S < webhook_watch.CHECK_EVERY_S
