"""Alerts, digest and metrics against real parts: the stand-ins' faults raise and resolve the
conditions, a real SMTP server (STARTTLS + AUTH) and a real HTTP receiver get the messages, and
the Prometheus endpoint is scraped and parsed."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.alerts import ledger
from core.alerts.channels import (
    ALERTS_SMTP_PASSWORD,
    ALERTS_WEBHOOK_SECRET,
    ChannelError,
    Message,
)
from core.alerts.conditions import Condition
from core.alerts.digest import build_digest, stored_reconciler
from core.alerts.service import build_alert_service
from core.clock import ManualClock
from core.config import ConfigError, load_settings
from core.errors import GPError
from core.intake.poller import check_webhook_health
from core.reconcile import reconcile
from core.secrets.vault import create_key, open_vault
from core.skus import map_sku
from core.store.db import close_db
from core.store.models import Order
from core.store.queue import enqueue
from core.telemetry.calls import HEALTH
from core.telemetry.metrics import MetricsServer, StateCollector
from core.worker.status import status_report
from tests.core.alert_receivers import HookReceiver, SmtpServer
from tests.core.pipeline_env import start_env

SMTP_USER, SMTP_PASSWORD = "alerts@office.example", "smtp-Pa55-word-9f2"
HOOK_SECRET = "hook-secret-7c1e0d2a"


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def env(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(HEALTH, "clock", clock)
    HEALTH.reset()
    e = start_env(tmp_path, orders=30, seed=3, clock=clock)
    yield e
    e.close()
    HEALTH.reset()
    close_db()


@pytest.fixture
def receivers(tmp_path):
    smtp = SmtpServer(tmp_path, SMTP_USER, SMTP_PASSWORD).start()
    hook = HookReceiver(HOOK_SECRET).start()
    yield smtp, hook
    smtp.stop()
    hook.stop()


def _configure(env, smtp, hook, **alerts):
    s = env.settings
    s.alerts.email.host, s.alerts.email.port = "127.0.0.1", smtp.port
    s.alerts.email.username, s.alerts.email.sender = SMTP_USER, "gp-sync@office.example"
    s.alerts.email.to = ["accounts@office.example"]
    s.alerts.email.ca_bundle = str(smtp.cert)
    s.alerts.webhook.url = hook.url
    s.alerts.digest_at = ""
    for k, v in alerts.items():
        setattr(s.alerts, k, v)
    env.ws.save(s)
    create_key(env.ws)
    vault = open_vault(env.ws, clock=env.clock)
    vault.set(ALERTS_SMTP_PASSWORD, SMTP_PASSWORD, "test")
    vault.set(ALERTS_WEBHOOK_SECRET, HOOK_SECRET, "test")
    return build_alert_service(s, vault, clock=env.clock, facts=HEALTH.facts)


def _hold_some(env) -> int:
    """The shop sells products GP does not have: those orders are held (flagged SKUs)."""
    env.ingest()
    env.woo_control("POST", "activity", {"unknown_sku_orders": 2})
    env.ingest()
    env.runner().run_until_idle()
    return Order.select().where(Order.state == "held").count()


def _said(smtp, hook):
    """(state, condition) pairs each channel received, in order."""
    mails = [(m["Subject"], m.get_content() if hasattr(m, "get_content") else m.get_payload())
             for m in smtp.mails]
    hooks = [(h["state"], h["condition"]) for h in hook.got if h.get("type") == "alert"]
    return mails, hooks


def _kinds_by_channel(result):
    return sorted((n.channel, n.kind, n.key) for n in result.sent)


def test_each_condition_alerts_once_and_resolves_once(env, receivers, clock):
    smtp, hook = receivers
    service = _configure(env, smtp, hook, held_threshold=0, gp_down_minutes=5)
    held = _hold_some(env)
    assert held > 0

    first = service.check()
    assert [c.key for c in first.conditions] == ["held_orders"]
    assert _kinds_by_channel(first) == [("email", "raised", "held_orders"),
                                        ("webhook", "raised", "held_orders")]
    assert smtp.logins == ["ok"] and hook.bad_signatures == 0
    subject = smtp.mails[0]["Subject"]
    assert f"{held} order(s) or refund(s) are held" in subject
    assert "Flagged SKUs (key 3)" in smtp.mails[0].get_payload()
    # The same condition a minute later: nothing new to anyone.
    clock.advance(minutes=1)
    assert service.check().sent == []

    # GP goes down: a real call gets 503s; after gp_down_minutes it is an alert, once.
    gateway = env.gateway()
    env.gp_faults(outage=True)
    with pytest.raises(GPError):
        gateway.get_customer("WC000001")
    assert service.check().sent == []  # not yet 5 minutes
    clock.advance(minutes=6)
    with pytest.raises(GPError):  # still down
        gateway.get_customer("WC000001")
    down = service.check()
    assert _kinds_by_channel(down) == [("email", "raised", "gp_unreachable"),
                                       ("webhook", "raised", "gp_unreachable")]
    assert "GP has been unreachable for 6 minutes" in down.sent[0].title
    clock.advance(minutes=1)
    assert service.check().sent == []
    env.gp_clear_faults()
    gateway.get_customer("WC000001")  # GP answers again
    back = service.check()
    assert _kinds_by_channel(back) == [("email", "resolved", "gp_unreachable"),
                                       ("webhook", "resolved", "gp_unreachable")]

    # The flagged SKUs are mapped and their orders replayed: held resolves, once.
    for sku in {s.sku for o in Order.select().where(Order.state == "held") for s in o.skus}:
        if sku:
            map_sku(sku, "MUG-STONE-12OZ", actor="test", clock=clock)
    for o in Order.select().where(Order.state == "held"):
        enqueue("post_order", f"order:{o.woo_id}", clock=clock, group_key=o.customer_key)
    env.runner().run_until_idle()
    assert Order.select().where(Order.state == "held").count() == 0
    resolved = service.check()
    assert _kinds_by_channel(resolved) == [("email", "resolved", "held_orders"),
                                           ("webhook", "resolved", "held_orders")]
    for _ in range(3):
        clock.advance(minutes=2)
        assert service.check().sent == []

    mails, hooks = _said(smtp, hook)
    assert hooks == [("raised", "held_orders"), ("raised", "gp_unreachable"),
                     ("resolved", "gp_unreachable"), ("resolved", "held_orders")]
    assert len(mails) == len(hooks)
    assert all(SMTP_PASSWORD not in str(m) and HOOK_SECRET not in str(m) for m in mails)


def test_webhook_disabled_by_woocommerce_alerts_and_resolves(env, receivers, clock):
    smtp, hook = receivers
    service = _configure(env, smtp, hook)
    woo = env.woo()
    made = woo.create_webhook(name="ml-connector order.updated", topic="order.updated",
                              delivery_url="http://127.0.0.1:9/closed", secret="s" * 32)
    for _ in range(8):  # WooCommerce disables a webhook after its deliveries keep failing
        env.woo_control("POST", f"orders/{env.woo_orders()[0]['id']}/touch",
                        {"status": "on-hold"})
        env.woo_control("POST", "webhooks/flush")
        env.woo_control("POST", f"orders/{env.woo_orders()[0]['id']}/touch",
                        {"status": "processing"})
        env.woo_control("POST", "webhooks/flush")
    check_webhook_health(woo, clock=clock)
    raised = service.check()
    assert ("webhook", "raised", "webhook_disabled") in _kinds_by_channel(raised)
    assert "order.updated" in raised.sent[0].text
    woo.update_webhook(int(made["id"]), status="active")
    check_webhook_health(woo, clock=clock)
    resolved = service.check()
    assert ("webhook", "resolved", "webhook_disabled") in _kinds_by_channel(resolved)
    assert ("email", "resolved", "webhook_disabled") in _kinds_by_channel(resolved)
    assert service.check().sent == []


def test_reminders_and_a_failing_channel(tmp_path, clock):
    """Ledger rules with real SQLite: a condition still true is repeated after reminder_hours,
    not before; a channel that failed is told later, one that succeeded is not told twice."""
    from core.store.db import init_db

    init_db(tmp_path / "state.db")
    try:
        cond = Condition("held_orders", "3 held", "detail")
        ledger.update([cond], clock.now())
        plan = ledger.plan(["email", "webhook"], clock.now(), timedelta(hours=24))
        assert [(n.channel, n.kind) for n in plan] == [("email", "raised"), ("webhook", "raised")]
        ledger.mark_sent(plan[0], clock.now())  # the webhook failed
        clock.advance(hours=1)
        ledger.update([cond], clock.now())
        assert [(n.channel, n.kind) for n in ledger.plan(
            ["email", "webhook"], clock.now(), timedelta(hours=24))] == [("webhook", "raised")]
        clock.advance(hours=23)
        assert [(n.channel, n.kind) for n in ledger.plan(
            ["email"], clock.now(), timedelta(hours=24))] == [("email", "reminder")]
        ledger.update([], clock.now())
        assert [(n.channel, n.kind) for n in ledger.plan(
            ["email", "webhook"], clock.now(), timedelta(hours=24))] == [("email", "resolved")]
        # Raised again later: a new epoch, told again.
        ledger.update([cond], clock.now())
        assert {n.kind for n in ledger.plan(["email"], clock.now(), timedelta(hours=24))} == {
            "raised"}
    finally:
        close_db()


def test_undeliverable_alert_is_retried_not_lost(env, receivers, clock):
    smtp, hook = receivers
    service = _configure(env, smtp, hook, held_threshold=0)
    assert _hold_some(env) > 0
    hook.status = 500
    first = service.check()
    assert [(n.channel, n.kind) for n, _ in first.failed] == [("webhook", "raised")]
    assert [(n.channel, n.kind) for n in first.sent] == [("email", "raised")]
    hook.status = 200
    clock.advance(minutes=1)
    second = service.check()
    assert [(n.channel, n.kind) for n in second.sent] == [("webhook", "raised")]
    assert len(smtp.mails) == 1


def test_digest_figures_equal_reconcile_and_status(env, receivers, clock):
    smtp, hook = receivers
    env.ingest()
    env.runner().run_until_idle()
    tz = "America/New_York"
    days = {o.date_created_gmt.astimezone(ZoneInfo(tz)).date()
            for o in Order.select() if o.date_created_gmt}
    day = max(days)
    digest = build_digest(day, tz, stored_reconciler(("processing", "completed")), clock=clock)
    total = reconcile(day, day, timezone=tz).total()
    assert digest.gp_invoices == (total.gp_invoices.count, f"{total.gp_invoices.total:.2f}")
    assert digest.woo_orders == (total.woo_orders.count, f"{total.woo_orders.total:.2f}")
    assert Decimal(digest.difference) == total.difference
    status = status_report(clock)
    assert digest.held == status["held"] and digest.failed == status["failed"]
    assert f"{total.gp_invoices.total:.2f}" in digest.text

    # Sent once per store day at digest_at, through each channel.
    service = _configure(env, smtp, hook, digest_at="07:30")
    env.settings.worker.schedule.timezone = tz
    # 07:45 in New York the next day (EST, UTC-5; the seeded orders are in November)
    clock.set(datetime.combine(day + timedelta(days=1), time(12, 45), tzinfo=UTC))
    assert service.digest_if_due(clock.now()) == day
    assert service.digest_if_due(clock.now()) is None
    assert sum(1 for m in smtp.mails if "Daily digest" in m["Subject"]) == 1
    assert [h["day"] for h in hook.got if h["type"] == "digest"] == [day.isoformat()]


def test_metrics_endpoint_scraped_and_parsed(env, clock):
    env.ingest()
    env.runner().run_until_idle()
    gateway = env.gateway()
    gateway.close()
    server = MetricsServer("127.0.0.1:0", StateCollector(clock))
    server.start()
    try:
        text = httpx.get(f"http://{server.address}/metrics", timeout=10).text
    finally:
        server.stop()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    docs = {(s.labels["kind"], s.labels["state"]): s.value
            for s in families["ml_connector_documents"].samples}
    status = status_report(clock)
    assert {k[1]: v for k, v in docs.items() if k[0] == "order"} == status["orders"]
    held = {s.labels["reason"]: s.value for s in families["ml_connector_held"].samples
            if s.labels["kind"] == "order"}
    assert sum(held.values()) == Order.select().where(Order.state == "held").count()
    posted = {s.labels["document"]: s.value
              for s in families["ml_connector_documents_posted"].samples
              if s.name.endswith("_total")}
    assert posted["invoice"] == Order.select().where(Order.posted_at.is_null(False)).count() > 0
    calls = [s for s in families["ml_connector_remote_call_seconds"].samples
             if s.name.endswith("_count")]
    ops = {(s.labels["system"], s.labels["operation"]) for s in calls}
    assert ("gp", "CreateSalesInvoice") in ops
    assert any(system == "woocommerce" and op.startswith("GET /orders") for system, op in ops)
    # No personal data in any label: no e-mail, customer name or order number.
    labels = " ".join(str(s.labels) for f in families.values() for s in f.samples)
    for o in Order.select():
        assert o.customer_name is None or o.customer_name not in labels
        assert f"/{o.woo_id}" not in labels
    assert "@" not in labels


def test_alert_settings_are_checked():
    with pytest.raises(ConfigError, match=r"\[alerts\] reminder_hours"):
        load_settings("[alerts]\nreminder_hours = 0.0\n")
    with pytest.raises(ConfigError, match=r"\[alerts.email\] sender and to"):
        load_settings('[alerts.email]\nhost = "mail.example.com"\n')
    with pytest.raises(ConfigError, match="digest_at"):
        load_settings('[alerts]\ndigest_at = "25:00"\n')
    with pytest.raises(ConfigError, match="must be https"):
        load_settings('[alerts.webhook]\nurl = "http://hooks.example.com/x"\n')
    with pytest.raises(ConfigError, match=r"\[metrics\] listen"):
        load_settings('[metrics]\nlisten = "9464"\n')
    assert load_settings('[alerts]\ndigest_at = ""\n').alerts.digest_at == ""


def test_smtp_refuses_wrong_password_with_a_clear_message(env, receivers):
    smtp, hook = receivers
    service = _configure(env, smtp, hook)
    vault = open_vault(env.ws, clock=env.clock)
    vault.set(ALERTS_SMTP_PASSWORD, "wrong", "test")
    service = build_alert_service(env.settings, vault, clock=env.clock)
    email = [c for c in service.channels if c.name == "email"][0]
    with pytest.raises(ChannelError, match="refused the login") as info:
        email.send(Message("s", "t", {}))
    assert "wrong" not in str(info.value)


def test_cli_alerts_test_sends_one_of_each(env, receivers, capsys):
    from tui.cli import main

    smtp, hook = receivers
    _configure(env, smtp, hook)
    close_db()
    code = main(["--workspace", str(env.ws.db_path.parent), "alerts", "test"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "email: sent" in out and "webhook: sent" in out
    assert len(smtp.mails) == 1 and [h["type"] for h in hook.got] == ["test"]
