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

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConfigError, ConnectorError, StateError
from core.store.db import thread_connection
from core.worker.components import Components, build_components
from core.worker.lease import Heartbeat, Lease, LeaseHeld
from core.worker.options import (  # noqa: F401 - the exit codes are part of this module's API
    EXIT_CONFIG,
    EXIT_ERROR,
    EXIT_LEASE_HELD,
    EXIT_LEASE_LOST,
    EXIT_OK,
    EXIT_STATE,
    WorkerOptions,
    WorkerState,
)
from core.worker.schedule import plan_next_poll

log = logging.getLogger("ml_connector.worker")

CHECKPOINT_EVERY_S = 3600.0
PRODUCT_HINT_DELAY_S = 15.0  # product webhooks waiting: an incremental pass this soon at most
IDLE_WAIT_S = 5.0  # how often an idle posting loop looks for due jobs (one indexed read)


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
        self.state = WorkerState(dry_run=self.options.dry_run)
        self.stop_requested = threading.Event()
        self.stop_reason = ""
        self.started = threading.Event()  # lease held and everything running
        self.polled = threading.Event()  # set after each poll's outcome is recorded
        self.lease = Lease(mode=self.options.mode, ttl_s=settings.worker.lease_ttl_s, clock=clock)
        self.heartbeat: Heartbeat | None = None
        self._wake_posting = threading.Event()
        self._posting_thread: threading.Thread | None = None
        self._posting_busy = threading.Event()
        self._watcher: Any = None
        self._alerts_thread: threading.Thread | None = None
        self._lease_lost_told = False
        self._hints_looked_at: datetime | None = None
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
        from core.worker.logs import set_level

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
        from core.store.db import database, init_db, thread_connection

        try:
            current = database.database
            # The console (embedded mode) already has this database open: re-initialising it
            # would close the console's connection under it.
            if not current or Path(current).resolve() != self.workspace.db_path.resolve():
                init_db(self.workspace.db_path)
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
        from core.worker.reload import ConfigWatcher

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
        if not self.stop_requested.is_set():
            self._post_until_idle()
        if not self.stop_requested.is_set() and c.verify is not None:
            self._verify()
        if not self.stop_requested.is_set() and self._products_enabled():
            self._sync_products()
        if self.settings.alerts.enabled:
            self.check_alerts()  # `worker --once` from a timer still tells people
        return self._exit_code()

    # --- the loop -----------------------------------------------------------------------

    def _loop(self) -> int:
        now = self.clock.now()
        next_poll = now
        next_products = now if self._products_enabled() else None
        next_verify = now + timedelta(seconds=60)
        next_checkpoint = now + timedelta(seconds=CHECKPOINT_EVERY_S)
        self._posting_thread = threading.Thread(target=self._posting_loop, name="posting",
                                                daemon=True)
        self._posting_thread.start()
        self._start_alerts()
        while not self.stop_requested.is_set():
            if self.heartbeat and self.heartbeat.lost.is_set():
                log.error("%s", self.heartbeat.error)
                self._alert_lease_lost()
                return EXIT_LEASE_LOST
            now = self.clock.now()
            if now >= next_poll:
                self._poll()
                next_poll = self.state.next_poll_at or now + timedelta(seconds=60)
            if next_products is not None and (now >= next_products or self._hints_due(now)):
                self._sync_products()
                next_products = now + timedelta(seconds=self.settings.products.scan_interval_s)
            if now >= next_verify and self._components().verify is not None:
                self._verify()
                next_verify = now + timedelta(seconds=300)
            if now >= next_checkpoint and not self._posting_busy.is_set():
                self._checkpoint()
                next_checkpoint = now + timedelta(seconds=CHECKPOINT_EVERY_S)
            due = [t for t in (next_poll, next_products, next_verify, next_checkpoint) if t]
            wait = max(0.05, min((t - self.clock.now()).total_seconds() for t in due))
            # Cap the wait so a ManualClock or a reload's new schedule is noticed promptly.
            self.stop_requested.wait(min(wait, 1.0))
        return self._exit_code()

    # --- alerts -----------------------------------------------------------------------------

    def _start_alerts(self) -> None:
        """Alerts run on their own thread: a slow mail server never delays a poll or a post."""
        if self._components().alerts is None or not self.settings.alerts.enabled:
            return
        self._alerts_thread = threading.Thread(target=self._alerts_loop, name="alerts",
                                               daemon=True)
        self._alerts_thread.start()

    def _alerts_loop(self) -> None:
        service = self._components().alerts
        with thread_connection():
            while not self.stop_requested.is_set():
                self.check_alerts(service)
                self.stop_requested.wait(max(5.0, float(self.settings.alerts.check_interval_s)))

    def check_alerts(self, service: Any = None) -> Any:
        """One alert check (the alerts thread's step; tests call it directly)."""
        service = service or self._components().alerts
        if service is None:
            return None
        try:
            return service.check()
        except Exception:  # a busy database or a bug here must not stop the sync
            log.exception("alert check failed; tried again at the next interval")
            return None

    def _alert_lease_lost(self) -> None:
        service = self.components.alerts if self.components else None
        if service is None or self._lease_lost_told:
            return
        self._lease_lost_told = True
        try:
            service.report_lease_lost(f"on {self.lease.host} (pid {self.lease.pid})")
        except Exception:
            log.exception("could not send the lease-lost alert")

    def _hints_due(self, now: datetime) -> bool:
        """Product webhooks are queued and the last pass is PRODUCT_HINT_DELAY_S old: an
        incremental pass now, not at the next full scan (which may be 15 minutes away)."""
        c = self._components()
        last = self.state.last_product_sync_at
        if c.product_hints is None or (last and (now - last).total_seconds()
                                       < PRODUCT_HINT_DELAY_S):
            return False
        # One look at the job table per PRODUCT_HINT_DELAY_S, not one per loop (each second):
        # the idle worker's biggest cost was this query (bench/idle_worker.py, py-spy).
        looked = self._hints_looked_at
        if looked is not None and (now - looked).total_seconds() < PRODUCT_HINT_DELAY_S:
            return False
        self._hints_looked_at = now
        try:
            return bool(c.product_hints())
        except Exception:  # a busy database: the next loop looks again
            return False

    def _exit_code(self) -> int:
        if self.heartbeat and self.heartbeat.lost.is_set():
            self._alert_lease_lost()
            return EXIT_LEASE_LOST
        return EXIT_OK

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
        plan = plan_next_poll(now, self.settings.worker.schedule, seen)
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

    def _post_until_idle(self) -> int:
        c = self._components()
        if c.post_until_idle is None:
            return 0
        self._posting_busy.set()
        try:
            done = int(c.post_until_idle(self.stop_requested) or 0)
            self.state.posted += done
            self.state.last_post_error = None
            return done
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
        from core.store import queue
        from core.store.db import thread_connection

        def next_due() -> datetime | None:
            try:
                return queue.next_due(self.clock)
            except Exception:  # a busy database: treat as due, the runner looks again
                return self.clock.now()

        with thread_connection():
            woken = True  # the first pass looks for work
            while not self.stop_requested.is_set():
                self._wake_posting.clear()
                due = next_due()
                now = self.clock.now()
                # Start the posting threads only when something is due or someone said so:
                # an idle worker then costs one indexed MIN() every IDLE_WAIT_S, not four
                # threads, four connections and four claims (bench/idle_worker.py).
                if woken or (due is not None and due <= now):
                    done = self._post_until_idle()
                    due = next_due()
                    now = self.clock.now()
                    if due is not None and due <= now and not done:
                        due = None  # due but nothing postable (e.g. product hints): rest
                if self.stop_requested.is_set():
                    break
                wait = IDLE_WAIT_S
                if due is not None:
                    wait = min(wait, max(0.05, (due - now).total_seconds()))
                woken = self._wake_posting.wait(wait)

    def _verify(self) -> None:
        c = self._components()
        try:
            n = c.verify() if c.verify else 0
            self.state.last_verify_at = self.clock.now()
            if n:
                log.info("verified %d posted document(s) in GP", n)
        except ConnectorError as exc:
            log.warning("GP verification skipped: %s", exc)
        except Exception:
            log.exception("GP verification failed")

    def _sync_products(self) -> None:
        c = self._components()
        try:
            report = c.sync_products() if c.sync_products else None
            self.state.last_product_sync_at = self.clock.now()
            self.state.last_product_sync_error = None
            if report is not None:
                log.info("product sync: %s", report)
        except ConnectorError as exc:
            self.state.last_product_sync_error = str(exc)
            log.warning("product sync failed: %s (retried at the next scan)", exc)
        except Exception as exc:
            self.state.last_product_sync_error = f"{type(exc).__name__}: {exc}"
            log.exception("product sync failed")

    def _checkpoint(self) -> None:
        from core.store.db import database

        try:
            database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception as exc:  # readers hold it back: next hour
            log.debug("WAL checkpoint skipped: %s", exc)

    # --- stopping -----------------------------------------------------------------------

    def _shutdown(self) -> None:
        self.state.stopping = True
        self.stop_requested.set()
        self._wake_posting.set()
        if self.stop_reason:
            log.info("stopping: %s", self.stop_reason)
        if self._watcher is not None:
            self._watcher.stop()
        c = self.components
        if c is not None:
            try:
                c.stop_intake()  # no new webhooks or polls
            except Exception:
                log.exception("stopping the receiver failed")
        if self._posting_thread is not None:
            self._posting_thread.join(timeout=self.options.drain_timeout_s)
            if self._posting_thread.is_alive():
                log.warning("a GP call was still in flight after %.0f s: abandoned. Its "
                            "document number is recorded, so the next run reads GP before "
                            "posting it again (no duplicate).", self.options.drain_timeout_s)
        if c is not None:
            try:
                c.close()
            except Exception:
                log.exception("closing connections failed")
        if self.heartbeat is not None:
            self.heartbeat.stop()
        try:
            if self.lease.held and self.lease.release():
                log.info("lease released")
        except Exception:
            log.exception("releasing the lease failed; it expires in %.0f s",
                          self.lease.ttl_s)
