"""The worker's parts, built from the real modules: the seam between the worker and the rest.

Each part is optional (None = not available in this set-up), so a dry run, a `--once` pass or a
test can run with exactly the parts it needs. The Worker only calls what is here; the wiring to
the intake service, the posting runner, GP and product sync lives in this one file.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.alerts.service import AlertService, build_alert_service
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.connections import Connections, gp_configured
from core.errors import ConfigError
from core.gp.fenced import FencedGateway
from core.intake.drift import check_drift
from core.intake.service import IntakeService
from core.pipeline.runner import Runner
from core.products.intake import HINT_JOB
from core.products.sync import sync_products
from core.secrets.vault import Vault
from core.store.models import Job
from core.store.postgres import state_location
from core.store.queue import woo_wait_cap_s
from core.store.states import JobStatus
from core.telemetry.calls import HEALTH
from core.telemetry.metrics import MetricsServer, StateCollector
from core.worker.gp_link import GPLink
from core.worker.logs import register_secret

log = logging.getLogger("ml_connector.worker")


@dataclass
class Components:
    listen: str | None = None
    poll: Callable[[], int] | None = None  # one poll; returns how many orders changed
    post_until_idle: Callable[[threading.Event], int] | None = None  # returns documents done
    verify: Callable[[], int] | None = None  # re-read posted-but-unverified documents in GP
    sync_products: Callable[[], Any] | None = None  # one pass both ways; returns a report
    product_hints: Callable[[], bool] | None = None  # product webhooks are waiting for a pass
    webhook_status: Callable[[], Any] | None = None  # WooCommerce's view of our webhooks
    webhooks_down: Callable[[], bool] | None = None  # one was not active at the last look
    check_drift: Callable[[], Any] | None = None  # what the shop changed without telling
    on_start: list[Callable[[], None]] = field(default_factory=list)
    on_stop_intake: list[Callable[[], None]] = field(default_factory=list)
    on_close: list[Callable[[], None]] = field(default_factory=list)
    on_reconfigure: list[Callable[[Settings], None]] = field(default_factory=list)
    extra_watched: list[Any] = field(default_factory=list)
    gp_link: GPLink | None = None  # the worker's GP connection (None: GP not configured)
    alerts: AlertService | None = None  # alert conditions, channels and the daily digest
    metrics_url: str | None = None  # http://HOST:PORT/metrics when [metrics] listen is set

    def start(self) -> None:
        for fn in self.on_start:
            fn()

    def stop_intake(self) -> None:
        for fn in self.on_stop_intake:
            fn()

    def close(self) -> None:
        for fn in reversed(self.on_close):
            try:
                fn()
            except Exception:
                log.exception("closing a connection failed")

    def reconfigure(self, settings: Settings) -> None:
        for fn in self.on_reconfigure:
            fn(settings)

    def watched_files(self) -> list[Any]:
        return list(self.extra_watched)


def register_vault_secrets(vault: Vault) -> None:
    """Every stored secret's value joins the log filter before anything can log it."""
    for name in vault.names():
        try:
            register_secret(vault.get(name))
        except Exception:  # an unreadable secret is reported where it is used
            continue


def build_components(workspace: Workspace, settings: Settings, *, clock: Clock = SYSTEM_CLOCK,
                     options: Any = None, state: Any = None) -> Components:
    """The real parts for `ml-connector worker` (and the console's embedded worker)."""
    dry_run = bool(getattr(options, "dry_run", False))
    receiver = bool(getattr(options, "receiver", True)) and not getattr(options, "once", False)
    listen = getattr(options, "listen", None) or settings.worker.listen
    if not settings.woocommerce.url:
        raise ConfigError("[woocommerce] url is not set: run `ml-connector init` or "
                          "`ml-connector credentials set woocommerce`")
    # The vault is in the state the worker opened: its PostgreSQL database when it has one.
    connections = Connections.open(workspace, clock=clock, at=state_location(
        workspace.db_path, settings.store.database_url))
    vault = connections.vault
    register_vault_secrets(vault)
    comps = Components(listen=listen if receiver else None)

    # WooCommerce
    # Waits inside a job end well within its lease (a 429's long Retry-After is the queue's
    # backoff to honour, not a sleep holding a claimed job).
    cap = woo_wait_cap_s(settings.worker.lease_ttl_s)
    woo = connections.woo(settings, retry_after_cap_s=cap, backoff_cap_s=min(30.0, cap))
    fence = getattr(options, "fence", None)
    comps.on_close.append(woo.close)

    # GP: opened now if it answers, else retried with backoff (core.worker.gp_link) while intake
    # keeps running. The gateway serialises its exchanges, so the runner opens one more per
    # posting thread through `gateway_factory` and posts with [posting] concurrency threads.
    link: GPLink | None = None
    current = {"settings": settings}
    comps.on_reconfigure.append(lambda s: current.__setitem__("settings", s))
    if gp_configured(settings):
        link = GPLink(connections.gp_opener(lambda: current["settings"]),
                      settings.gp.soap_url or settings.gp.sba_url, clock=clock)
        link.get()  # one attempt now: a clear log line at start-up when GP is down
        comps.gp_link = link
        comps.on_close.append(link.close)

    # Intake: receiver + delivery processing; the worker's schedule drives polling (poll=False)
    intake = IntakeService(settings, vault, clock, listen=listen, woo=woo, poll=False,
                           receiver=receiver)
    comps.on_start.append(intake.start)
    comps.on_stop_intake.append(intake.stop)
    comps.poll = lambda: int(intake.poll_once().changed)
    comps.webhooks_down = lambda: intake.webhooks_down
    comps.check_drift = lambda: check_drift(intake.woo, clock=clock)
    comps.on_start.append(lambda: setattr(comps, "listen", intake.url if receiver else None))

    # Posting
    if link is not None:
        _wire_posting(comps, link, woo, current, clock=clock, dry_run=dry_run, fence=fence)

    add_alerts_and_metrics(comps, settings, vault, clock, state)

    # Products
    if link is not None and settings.products.enabled:
        gp_products = link

        def products_gateway() -> Any:
            if fence is not None:
                fence()  # a pass also writes to WooCommerce: not after the lease is gone
            gateway = gp_products.require()
            return FencedGateway(gateway, fence) if fence is not None else gateway

        comps.sync_products = lambda: sync_products(products_gateway(), woo,
                                                    current["settings"], clock=clock,
                                                    dry_run=dry_run)
        comps.product_hints = _product_hints_pending
    return comps


def _wire_posting(comps: Components, gp: GPLink, woo: Any, current: dict[str, Settings], *,
                  clock: Clock, dry_run: bool, fence: Any = None) -> None:
    """Posting and GP verification, through a runner built the first time GP answers."""
    made: list[Any] = []
    made_lock = threading.Lock()

    def the_runner() -> Any:
        """The runner, built the first time GP answers; None while GP is unreachable."""
        gateway = gp.get()
        if gateway is None:
            return None
        with made_lock:
            if not made:
                made.append(Runner(
                    current["settings"], gateway=gateway, woo=woo, clock=clock,
                    dry_run=dry_run, gateway_factory=gp.open_more, fence=fence))
            return made[0]

    def post_until_idle(stop: threading.Event) -> int:
        runner = the_runner()
        if runner is None:
            # Orders wait in the queue; rest until the next attempt (bounded so a stop or
            # a reload is noticed) instead of spinning on the due jobs.
            stop.wait(min(max(gp.seconds_to_retry(), 0.05), 1.0))
            return 0
        return int(runner.run_until_idle(stop=stop))

    def verify() -> int:
        runner = the_runner()
        if runner is None:
            gp.require()  # raises GPUnavailable: "verification skipped: GP is not ..."
        return int(runner.verify_posted()) if hasattr(runner, "verify_posted") else 0

    def reconfigure(s: Settings) -> None:
        with made_lock:
            for runner in made:
                getattr(runner, "reconfigure", lambda _s: None)(s)

    def close_runner() -> None:
        with made_lock:
            for runner in made:
                runner.close()

    comps.post_until_idle = post_until_idle
    comps.verify = verify
    comps.on_reconfigure.append(reconfigure)
    comps.on_close.append(close_runner)  # after link.close in reverse order: runner first


def add_alerts_and_metrics(comps: Components, settings: Settings, vault: Any, clock: Clock,
                           state: Any) -> None:
    """Alerts (conditions -> e-mail / webhook, the daily digest) and the Prometheus endpoint."""
    # The worker knows first-hand whether GP answers (its own calls): HEALTH, not the lease row.
    comps.alerts = build_alert_service(settings, vault, clock=clock, facts=HEALTH.facts)
    if settings.metrics.listen:
        server = MetricsServer(settings.metrics.listen, StateCollector(
            clock, status=state.as_status if state is not None else None))
        comps.metrics_url = f"http://{server.address}/metrics"
        comps.on_start.append(server.start)
        comps.on_close.append(server.stop)


def _product_hints_pending() -> bool:
    return Job.select().where((Job.kind == HINT_JOB) & (Job.status == JobStatus.QUEUED)).exists()
