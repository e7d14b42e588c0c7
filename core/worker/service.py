"""The Worker: one process that runs the whole sync unattended.

It holds the single-worker lease (heartbeat in a thread), starts the webhook receiver, polls
WooCommerce on the business-hours/volume schedule, posts queued documents to GP, verifies
posted ones, syncs products, checkpoints the WAL when idle, and reloads config.toml live.

Stopping (SIGTERM, SIGINT, the console closing, `--once` finishing) is one path, `_shutdown`:
1. stop taking work: the receiver and poller stop, the posting loop claims nothing new;
2. the GP call in flight finishes, or after `drain_timeout_s` is abandoned — safe, because its
   document number was committed before the call and the next run reads GP before re-posting;
3. the lease is released, so a restarted or second worker takes over at once;
4. `run()` returns an exit code (EXIT_* below, documented in the README).
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from core import dry_pass
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConfigError, ConnectorError, LeaseLost, StateError
from core.intake import drift
from core.store.db import (
    database,
    ensure_db,
    init_db,
    is_open_at,
    on_postgres,
    thread_connection,
)
from core.store.integrity import quick_check
from core.store.postgres import state_location
from core.worker import housekeeping
from core.worker.alerting import WorkerAlerts
from core.worker.components import Components, build_components
from core.worker.lease import Heartbeat, Lease, LeaseHeld
from core.worker.logs import set_level
from core.worker.options import (
    EXIT_CONFIG,
    EXIT_ERROR,
    EXIT_LEASE_HELD,
    EXIT_LEASE_LOST,
    EXIT_OK,
    EXIT_STATE,
    WorkerOptions,
    WorkerState,
)
from core.worker.posting_loop import run_posting_loop
from core.worker.product_hints import ProductHints
from core.worker.reload import ConfigWatcher
from core.worker.schedule import plan_next_poll

log = logging.getLogger("ml_connector.worker")

CHECKPOINT_EVERY_S = 3600.0
DRIFT_FIRST_S = 60.0  # the first look at unannounced shop changes, a minute after start


class Worker:
    def __init__(self, workspace: Workspace, settings: Settings,
                 options: WorkerOptions | None = None, *, clock: Clock = SYSTEM_CLOCK,
                 components: Callable[..., Components] | None = None) -> None:
        self.workspace = workspace
        self.settings = settings
        self.options = options or WorkerOptions()
        self.clock = clock
        self._build = components or build_components
        self.components: Components | None = None
        self.dry_report: Any = None  # core.dry_pass.DryPassReport after a dry run
        self.state = WorkerState(dry_run=self.options.dry_run)
        self.stop_requested = threading.Event()
        self.stop_reason = ""
        self.started = threading.Event()  # lease held and everything running
        self.polled = threading.Event()  # set after each poll's outcome is recorded
        self.lease = Lease(mode=self.options.mode, ttl_s=settings.worker.lease_ttl_s, clock=clock)
        self.options = dataclasses.replace(self.options, fence=self.lease.fence)
        self.lease_lost: str | None = None  # set when a fence or the heartbeat found it gone
        self.heartbeat: Heartbeat | None = None
        self._wake_posting = threading.Event()
        self._posting_thread: threading.Thread | None = None
        self._posting_busy = threading.Event()
        self._watcher: Any = None
        self.alerts = WorkerAlerts(self.stop_requested)
        self.hints = ProductHints()
        self._lock = threading.Lock()

    # --- control ------------------------------------------------------------------------

    def request_stop(self, reason: str = "asked to stop") -> None:
        """Safe from a signal handler: only sets events."""
        if not self.stop_requested.is_set():
            self.stop_reason = reason
        self.stop_requested.set()
        self._wake_posting.set()

    def wake(self) -> None:
        """New work may be waiting (a webhook, a replay in the console): look now."""
        self._wake_posting.set()

    # --- live reload --------------------------------------------------------------------

    def apply_settings(self, settings: Settings, changed: list[str]) -> None:
        """Called by the config watcher with a checked configuration."""
        with self._lock:
            self.settings = settings
        if "logging.level" in changed:
            set_level(settings.logging.level)
        if self.components is not None:
            self.components.reconfigure(settings)
        if any(k.startswith("worker.schedule") for k in changed) and self.state.last_poll_at:
            plan = plan_next_poll(self.clock.now(), settings.worker.schedule,
                                  self.state.last_poll_orders)
            self.state.next_poll_at, self.state.poll_reason = plan.next_at, plan.reason
        self.state.config_error = None

    # --- the run ------------------------------------------------------------------------

    def run(self) -> int:
        """Run until stopped (or one pass with --once). Returns an EXIT_* code."""
        if self.options.dry_run:  # one read-only pass: no lease, intake, cursor or audit
            code, self.dry_report = dry_pass.run_logged(
                self.workspace, self.settings, clock=self.clock, products=self.options.products,
                log=log)
            return code
        try:
            where = state_location(self.workspace.db_path, self.settings.store.database_url)
        except ConfigError as exc:
            log.error("cannot start: %s", exc)
            return EXIT_CONFIG
        try:
            # The console (embedded mode) already has this database open: re-initialising it
            # would close the console's connection under it.
            if not is_open_at(where):  # a damaged file: exit 4
                init_db(where, check=True, home=self.workspace.db_path)
            elif on_postgres():  # the spool of this host goes beside the workspace's state.db
                ensure_db(where, home=self.workspace.db_path)
            else:
                quick_check(database, self.workspace.db_path)
        except StateError as exc:
            log.error("%s", exc)
            return EXIT_STATE
        with thread_connection():
            return self._run_with_db()

    def _run_with_db(self) -> int:
        code = self._acquire_lease()
        if code is not None:
            return code
        try:
            try:
                self.components = self._build(self.workspace, self.settings, clock=self.clock,
                                              options=self.options, state=self.state)
            except ConfigError as exc:
                log.error("cannot start: %s", exc)
                return EXIT_CONFIG
            self.heartbeat = Heartbeat(self.lease, self.state.as_status)
            self.heartbeat.start()
            self._start_watcher()
            self.components.start()
            self.state.listen = self.components.listen
            log.info("worker started (%s%s)%s", self.options.mode,
                     ", DRY RUN: nothing is created in GP" if self.options.dry_run else "",
                     f", webhooks on {self.components.listen}" if self.components.listen else "")
            self.started.set()
            if self.options.once:
                return self._one_pass()
            return self._loop()
        except ConnectorError as exc:
            log.error("worker stopped: %s", exc)
            return EXIT_ERROR
        except Exception:
            log.exception("worker stopped by an unexpected error")
            return EXIT_ERROR
        finally:
            self._shutdown()

    def _acquire_lease(self) -> int | None:
        try:
            if self.options.wait_for_lease:
                def told(info: Any) -> None:
                    log.warning("waiting for the lease: held by %s", info.describe())

                if self.lease.wait_acquire(self.stop_requested, on_wait=told) is None:
                    return EXIT_OK
            else:
                self.lease.acquire(self.state.as_status())
        except LeaseHeld as exc:
            log.error("%s", exc)
            return EXIT_LEASE_HELD
        return None

    def _start_watcher(self) -> None:
        if not self.options.watch_config or self.options.once:
            return
        if not self.workspace.config_path.exists():
            return

        def outcome(result: Any) -> None:
            if not result.accepted:
                self.state.config_error = result.message

        self._watcher = ConfigWatcher(self.workspace.config_path, self.settings,
                                      self.apply_settings, on_outcome=outcome,
                                      extra=self.components.watched_files() if self.components
                                      else None)
        self._watcher.start()

    # --- one pass (--once) --------------------------------------------------------------

    def _one_pass(self) -> int:
        c = self._components()
        self._poll()
        self._check_drift()
        if not self.stop_requested.is_set():
            self._post_until_idle()
        if not self.stop_requested.is_set() and c.verify is not None:
            self._verify()
        if not self.stop_requested.is_set() and self._products_enabled():
            self._sync_products()
        if not self.stop_requested.is_set():
            self._checkpoint()  # a scheduled --once is the only pass: prune and checkpoint here
        if self.settings.alerts.enabled:
            self.check_alerts()  # `worker --once` from a timer still tells people
        self.stop_reason = self.stop_reason or "one pass done (--once)"
        return self._exit_code()

    # --- the loop -----------------------------------------------------------------------

    def _loop(self) -> int:
        now = self.clock.now()
        next_poll = now
        next_products = now if self._products_enabled() else None
        next_verify = now + timedelta(seconds=60)
        next_checkpoint = now + timedelta(seconds=CHECKPOINT_EVERY_S)
        next_drift = now + timedelta(seconds=DRIFT_FIRST_S)
        self._posting_thread = threading.Thread(target=self._posting_loop, name="posting",
                                                daemon=True)
        self._posting_thread.start()
        self._start_alerts()
        while not self.stop_requested.is_set():
            if self.lease_lost is not None:
                return EXIT_LEASE_LOST
            if self.heartbeat and self.heartbeat.lost.is_set():
                log.error("%s", self.heartbeat.error)
                self.lease_lost = self.heartbeat.error or "lease lost"
                self._alert_lease_lost()
                self.request_stop("the worker lease was lost")
                return EXIT_LEASE_LOST
            now = self.clock.now()
            if now >= next_poll:
                self._poll()
                next_poll = self.state.next_poll_at or now + timedelta(seconds=60)
            hints = self._components().product_hints
            if next_products is not None and (
                    now >= next_products
                    or self.hints.due(now, self.state.last_product_sync_at, hints)):
                self._sync_products()
                next_products = now + timedelta(seconds=self.settings.products.scan_interval_s)
            if now >= next_verify and self._components().verify is not None:
                self._verify()
                next_verify = now + timedelta(seconds=300)
            if now >= next_drift:
                self._check_drift()
                next_drift = now + timedelta(seconds=drift.CHECK_EVERY_S)
            if now >= next_checkpoint and not self._posting_busy.is_set():
                self._checkpoint()
                next_checkpoint = now + timedelta(seconds=CHECKPOINT_EVERY_S)
            due = [t for t in (next_poll, next_products, next_verify, next_checkpoint,
                               next_drift) if t]
            wait = max(0.05, min((t - self.clock.now()).total_seconds() for t in due))
            # Cap the wait so a ManualClock or a reload's new schedule is noticed promptly.
            self.stop_requested.wait(min(wait, 1.0))
        return self._exit_code()

    # --- alerts -----------------------------------------------------------------------------

    def _start_alerts(self) -> None:
        """Alerts run on their own thread: a slow mail server never delays a poll or a post."""
        if self._components().alerts is None or not self.settings.alerts.enabled:
            return
        self.alerts.start(self._components().alerts,
                          lambda: self.settings.alerts.check_interval_s)

    def check_alerts(self, service: Any = None) -> Any:
        """One alert check (the alerts thread's step; tests call it directly)."""
        return self.alerts.check(service or self._components().alerts)

    def _alert_lease_lost(self) -> None:
        self.alerts.lease_lost(self.components.alerts if self.components else None,
                               f"on {self.lease.host} (pid {self.lease.pid})")

    def _exit_code(self) -> int:
        if self.lease_lost is not None or (self.heartbeat and self.heartbeat.lost.is_set()):
            self._alert_lease_lost()
            return EXIT_LEASE_LOST
        return EXIT_OK

    def _fenced_out(self, exc: LeaseLost) -> None:
        """A fence found the lease gone: stop everything at once; exit 5."""
        if self.lease_lost is None:
            self.lease_lost = str(exc)
            log.error("%s", exc)
            self._alert_lease_lost()
        self.lease.held = False
        self.request_stop("the worker lease was lost")

    def _components(self) -> Components:
        assert self.components is not None
        return self.components

    def _products_enabled(self) -> bool:
        return (self.options.products and self.settings.products.enabled
                and self._components().sync_products is not None)

    # --- activities ---------------------------------------------------------------------

    def _poll(self) -> None:
        c = self._components()
        seen = 0
        try:
            seen = int(c.poll() or 0) if c.poll else 0
            self.state.last_poll_error = None
            self.state.last_poll_ok_at = self.clock.now()
        except ConnectorError as exc:
            self.state.last_poll_error = str(exc)
            log.warning("poll failed: %s (the next poll retries)", exc)
        except Exception as exc:
            self.state.last_poll_error = f"{type(exc).__name__}: {exc}"
            log.exception("poll failed")
        now = self.clock.now()
        down = bool(c.webhooks_down()) if c.webhooks_down is not None else False
        plan = plan_next_poll(now, self.settings.worker.schedule, seen, webhooks_down=down)
        self.state.webhooks_down = down
        self.state.last_poll_at, self.state.last_poll_orders = now, seen
        self.state.next_poll_at, self.state.poll_reason = plan.next_at, plan.reason
        if c.webhook_status is not None:
            try:
                self.state.webhooks = c.webhook_status()
            except Exception as exc:  # informative only
                log.debug("webhook status unavailable: %s", exc)
        log.info("poll: %d order(s) changed; next poll in %.0f s (%s)", seen, plan.interval_s,
                 plan.reason)
        if seen:
            self._wake_posting.set()
        self.polled.set()

    def _check_drift(self) -> None:
        """Deleted refunds and unannounced status changes (core.intake.drift)."""
        c = self._components()
        if c.check_drift is not None and not self.stop_requested.is_set():
            if drift.run_logged(c.check_drift, log):
                self._wake_posting.set()

    def _post_until_idle(self) -> int:
        c = self._components()
        if c.post_until_idle is None:
            return 0
        self._posting_busy.set()
        try:
            done = int(c.post_until_idle(self.stop_requested) or 0)
            self.state.jobs_done += done
            self.state.last_post_error = None
            return done
        except LeaseLost as exc:
            self._fenced_out(exc)
        except ConnectorError as exc:
            self.state.last_post_error = str(exc)
            log.warning("posting paused: %s", exc)
        except Exception as exc:
            self.state.last_post_error = f"{type(exc).__name__}: {exc}"
            log.exception("posting loop error")
        finally:
            self._posting_busy.clear()
        return 0

    def _posting_loop(self) -> None:
        run_posting_loop(self._post_until_idle, stop=self.stop_requested,
                         wake=self._wake_posting, clock=self.clock)

    def _verify(self) -> None:
        housekeeping.verify(self._components(), self.state, self.clock)

    def _sync_products(self) -> None:
        try:
            housekeeping.sync_products(self._components(), self.state, self.clock)
        except LeaseLost as exc:
            self._fenced_out(exc)

    def _checkpoint(self) -> None:
        housekeeping.hourly(self.settings, self.clock)

    # --- stopping -----------------------------------------------------------------------

    def _shutdown(self) -> None:
        housekeeping.shut_down(self)
