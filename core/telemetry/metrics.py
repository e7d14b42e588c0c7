"""The worker's Prometheus endpoint ([metrics] listen = "127.0.0.1:9464").

Queue figures are read from the state database at scrape time (so they are right whichever
process did the work); call latencies come from this process's histogram (core.telemetry.calls).
Labels carry states, hold reasons, job statuses, verdicts and operation names — never an order
number, a customer or an e-mail.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from peewee import fn
from prometheus_client import make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from core.clock import SYSTEM_CLOCK, Clock
from core.intake.poller import WEBHOOK_HEALTH_KEY
from core.store.db import thread_connection, tuples
from core.store.models import Job, Order, Refund, Setting, WebhookDelivery
from core.store.states import DocState
from core.telemetry.calls import HEALTH, REGISTRY
from core.worker.lease import read_lease

log = logging.getLogger("ml_connector.metrics")


class StateCollector(Collector):
    """Queue depths and totals from the state database, read at each scrape."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK, status: Any = None) -> None:
        self.clock = clock
        self.status = status  # callable -> the worker's live status dict (this process)

    def describe(self) -> list[Any]:
        return []  # no describe-time DB reads: the registry is built before the DB opens

    def collect(self) -> Iterator[Any]:
        with thread_connection():
            yield from self._collect()

    def _collect(self) -> Iterator[Any]:
        now = self.clock.now()
        docs = GaugeMetricFamily("ml_connector_documents", "WooCommerce documents by state.",
                                 labels=["kind", "state"])
        held = GaugeMetricFamily("ml_connector_held", "Held documents by reason.",
                                 labels=["kind", "reason"])
        posted = CounterMetricFamily("ml_connector_documents_posted",
                                     "Documents posted to GP (invoices, credit memos/returns).",
                                     labels=["document"])
        for model, kind, document in ((Order, "order", "invoice"),
                                      (Refund, "refund", "credit_memo")):
            for state, count in tuples(model.select(model.state, fn.COUNT(model.id))
                                 .group_by(model.state)):
                docs.add_metric([kind, str(state)], int(count))
            for reason, count in tuples(model.select(model.hold_reason, fn.COUNT(model.id))
                                  .where(model.state == DocState.HELD).group_by(model.hold_reason)
                                  ):
                held.add_metric([kind, str(reason or "other")], int(count))
            posted.add_metric([document], model.select().where(
                model.posted_at.is_null(False)).count())
        yield docs
        yield held
        yield posted
        jobs = GaugeMetricFamily("ml_connector_jobs", "Jobs by status.", labels=["status"])
        for status, count in tuples(Job.select(Job.status, fn.COUNT(Job.id))
                                    .group_by(Job.status)):
            jobs.add_metric([str(status)], int(count))
        yield jobs
        deliveries = GaugeMetricFamily("ml_connector_webhook_deliveries_24h",
                                       "Webhook deliveries in the last 24 h by verdict.",
                                       labels=["verdict"])
        since = now - timedelta(hours=24)
        for verdict, count in tuples(WebhookDelivery.select(WebhookDelivery.verdict,
                                                      fn.COUNT(WebhookDelivery.id))
                               .where(WebhookDelivery.received_at >= since)
                               .group_by(WebhookDelivery.verdict)):
            deliveries.add_metric([str(verdict)], int(count))
        yield deliveries
        yield from self._worker(now)

    def _worker(self, now: Any) -> Iterator[Any]:
        lease = read_lease()
        alive = GaugeMetricFamily("ml_connector_worker_alive",
                                  "1 while a worker holds a live lease.")
        alive.add_metric([], 1 if lease is not None and lease.alive(now) else 0)
        yield alive
        if lease is not None:
            holder = GaugeMetricFamily("ml_connector_lease_holder_info",
                                       "The worker holding the lease.",
                                       labels=["host", "pid", "mode"])
            holder.add_metric([lease.host, str(lease.pid), lease.mode], 1)
            yield holder
        status = dict(lease.status or {}) if lease is not None else {}
        if self.status is not None:
            status.update(self.status())
        last = status.get("last_poll_ok_at")
        poll = GaugeMetricFamily("ml_connector_last_successful_poll_timestamp_seconds",
                                 "When the poller last read WooCommerce without an error.")
        if last:
            poll.add_metric([], datetime.fromisoformat(str(last)).timestamp())
        yield poll
        up = GaugeMetricFamily("ml_connector_remote_up",
                               "0 while calls to the system fail to connect (this process).",
                               labels=["system"])
        for system in ("gp", "woocommerce"):
            up.add_metric([system], 0 if HEALTH.get(system).down_since else 1)
        yield up
        webhooks = GaugeMetricFamily("ml_connector_webhooks_active",
                                     "WooCommerce's webhooks for this connector by status.",
                                     labels=["status"])
        row = Setting.get_or_none(Setting.key == WEBHOOK_HEALTH_KEY)
        counts: dict[str, int] = {}
        for hook in (row.value or {}).get("webhooks", []) if row else []:
            if isinstance(hook, dict):
                key = str(hook.get("status", "unknown"))
                counts[key] = counts.get(key, 0) + 1
        for key, n in counts.items():
            webhooks.add_metric([key], n)
        yield webhooks


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        log.debug("metrics scrape: " + format, *args)


class MetricsServer:
    """A small HTTP server on its own thread; `stop()` closes it."""

    def __init__(self, listen: str, collector: StateCollector) -> None:
        host, _, port = listen.rpartition(":")
        self.collector = collector
        REGISTRY.register(collector)
        try:
            self._httpd: WSGIServer = make_server(host.strip("[]"), int(port),
                                                  make_wsgi_app(REGISTRY),
                                                  handler_class=_QuietHandler)
        except OSError:
            REGISTRY.unregister(collector)
            raise
        self.address = f"{host}:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="metrics",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()
        log.info("metrics on http://%s/metrics", self.address)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        REGISTRY.unregister(self.collector)
