"""The intake half of the worker: the webhook receiver (uvicorn in a thread) and the loop that
turns stored deliveries into orders and, unless the worker's own schedule drives it, polls.

    service = IntakeService(settings, vault, clock, listen="127.0.0.1:8787")
    service.start()      # returns once the receiver is accepting connections
    service.poll_once()  # one poll now (the worker calls this on its schedule with poll=False)
    service.stop()
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import uvicorn

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.connections import woo_client
from core.errors import ConnectorError
from core.intake import webhook_watch
from core.intake.inbox import ProcessResult, process_deliveries
from core.intake.poller import PollResult, WebhookState, check_webhook_health, poll_once
from core.intake.receiver import SecretSource, VaultSecrets, WebhookReceiver
from core.store.db import database
from core.woo.client import WooClient
from core.woo.site import read_site, same_site

log = logging.getLogger(__name__)

# A burst of deliveries is acknowledged first and processed once it ebbs. Processing (parse and
# upsert, ~0.5 ms a delivery) shares the interpreter and the write lock with the
# acknowledgements; run during a burst it cut the receiver from ~3,900 to ~1,400 deliveries/s and
# took the 200's p99 from ~14 to ~180 ms (issue 16, bench/receiver.py). Every delivery is stored
# before its 200, so waiting costs only latency, and BURST_MAX_DEFER_S bounds that: past it the
# backlog is processed even while deliveries keep coming.
BURST_QUIET_S = 0.1
BURST_MAX_DEFER_S = 5.0
# How often stored deliveries are looked for when nothing wakes the loop: the own receiver wakes
# it at once; deliveries another process stores (the receiver of every pair,
# core.intake.router) are seen at the next look.
IDLE_LOOK_S = 5.0
ELSEWHERE_LOOK_S = 1.0


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"listen address {listen!r} should look like 127.0.0.1:8787")
    return host.strip("[]"), int(port)


class ReceiverServer:
    """A WebhookReceiver served by uvicorn in a daemon thread, on a socket bound up front (so the
    port is known, and taken, before start() returns)."""

    def __init__(self, app: Any, listen: str) -> None:
        host, port = parse_listen(listen)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this. Without it the 200 (headers and body are two writes)
        # waits for the sender's delayed ACK: 40 ms per delivery instead of well under one.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind((host, port))
        self.host = host
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=5, server_header=False)
        self._server = uvicorn.Server(config)
        self._app = app
        self._thread = threading.Thread(target=self._run, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self, timeout_s: float = 15.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:  # uvicorn offers a flag, not an event
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ConnectorError(f"the webhook receiver did not start on {self.url}")
            time.sleep(0.005)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        close = getattr(self._app, "close", None)
        if callable(close):
            close()
        try:
            self._sock.close()
        except OSError:
            pass


class IntakeService:
    """Receiver + delivery processing + (optionally) its own poll loop."""

    def __init__(self, settings: Settings, vault: Any, clock: Clock = SYSTEM_CLOCK, *,
                 listen: str | None = None, woo: WooClient | None = None, poll: bool = True,
                 receiver: bool = True, poll_interval_s: float | None = None,
                 secrets: SecretSource | None = None, webhooks_elsewhere: bool = False) -> None:
        """`webhooks_elsewhere`: no receiver here, the receiver of every pair stores this pair's
        deliveries (`ml-connector receive`, `worker --route-webhooks`): they are looked for every
        ELSEWHERE_LOOK_S, and disabled webhooks are still re-activated."""
        self.settings = settings
        self.vault = vault
        self.clock = clock
        self.listen = listen or settings.worker.listen
        self._woo = woo
        self._own_woo = woo is None
        self.poll_enabled = poll
        self.receiver_enabled = receiver and not webhooks_elsewhere
        self.webhooks_elsewhere = webhooks_elsewhere
        self.poll_interval_s = poll_interval_s or float(
            settings.worker.schedule.business_interval_s)
        self._secrets = secrets
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._server: ReceiverServer | None = None
        self._loop: threading.Thread | None = None
        self._poll_lock = threading.Lock()
        self.last_poll: PollResult | None = None
        self.last_error: str | None = None
        self._last_webhook_check = -webhook_watch.CHECK_EVERY_S  # first poll looks at once
        self.webhooks_down = False  # one of the shop's webhooks was not active at the last look
        self._defer_until: float | None = None  # processing waits for a burst to ebb until then
        self._backlog = False  # the last pass left stored deliveries unprocessed

    # --- parts --------------------------------------------------------------------------------

    @property
    def woo(self) -> WooClient:
        if self._woo is None:
            self._woo = woo_client(self.settings, self.vault)
        return self._woo

    @property
    def url(self) -> str | None:
        return self._server.url if self._server else None

    @property
    def port(self) -> int | None:
        return self._server.port if self._server else None

    def store_home(self) -> str:
        """The URL WooCommerce signs webhooks with (`X-WC-Webhook-Source`): WordPress's home,
        as `init` recorded it or, for the worker, as the shop says now; the configured URL
        only when neither is known (core.woo.site)."""
        woo = self.settings.woocommerce
        if woo.home_url:
            return woo.home_url
        if self._woo is None:
            return woo.url
        try:
            home = read_site(self._woo).home
        except ConnectorError as exc:
            log.warning("the store's home URL cannot be read (%s): webhook sources are compared "
                        "with [woocommerce] url %s", exc, woo.url)
            return woo.url
        if home and not same_site(home, woo.url):
            log.warning("WordPress's home URL is %s, [woocommerce] url is %s: webhooks are "
                        "checked against the home URL (set [woocommerce] url to it)", home,
                        woo.url)
        return home or woo.url

    def make_receiver(self) -> WebhookReceiver:
        woo = self.settings.woocommerce
        return WebhookReceiver(self._secrets or VaultSecrets(self.vault),
                               store_url=self.store_home() if woo.verify_source else "",
                               max_body=self.settings.worker.max_body_bytes, clock=self.clock,
                               on_accepted=self._wake.set)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        if self.receiver_enabled and self._server is None:
            receiver = self.make_receiver()
            self._server = ReceiverServer(receiver, self.listen)
            self._server.start()
            receiver.writer.start()  # imports what a busy database or a crash left spooled
            log.info("webhook receiver listening on %s/webhooks/woocommerce", self._server.url)
        if self._loop is None:
            self._loop = threading.Thread(target=self._run_loop, name="intake", daemon=True)
            self._loop.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._server is not None:
            self._server.stop(timeout_s)
            self._server = None
        if self._loop is not None:
            self._loop.join(timeout_s)
            self._loop = None
        if self._own_woo and self._woo is not None:
            self._woo.close()
            self._woo = None

    def _run_loop(self) -> None:
        next_poll = time.monotonic()
        with database.connection_context():
            while not self._stop.is_set():
                self._safely(self.process_now)
                if self.poll_enabled and time.monotonic() >= next_poll:
                    self._safely(self.poll_once)
                    next_poll = time.monotonic() + self.poll_interval_s
                wait = max(0.05, next_poll - time.monotonic()) if self.poll_enabled \
                    else IDLE_LOOK_S
                if self.webhooks_elsewhere:
                    wait = min(wait, ELSEWHERE_LOOK_S)
                if self._backlog and not self._deferring():
                    continue  # past the deferral bound: keep processing
                if self._wake.wait(wait) or self._backlog:
                    self._await_lull()
                self._wake.clear()

    def _deferring(self) -> bool:
        return self._defer_until is not None and time.monotonic() < self._defer_until

    def _await_lull(self) -> None:
        """Return once no delivery has arrived for BURST_QUIET_S, or at the deferral bound
        (counted from the first delivery of the burst)."""
        if self._defer_until is None:
            self._defer_until = time.monotonic() + BURST_MAX_DEFER_S
        while not self._stop.is_set() and self._deferring():
            self._wake.clear()
            left = (self._defer_until or 0.0) - time.monotonic()
            if not self._wake.wait(max(0.0, min(BURST_QUIET_S, left))):
                return

    def _burst_arriving(self) -> bool:
        return self._wake.is_set() and self._deferring()

    def _safely(self, fn: Any) -> None:
        try:
            fn()
            self.last_error = None
        except ConnectorError as exc:
            self.last_error = str(exc)
            log.warning("intake: %s", exc)
        except Exception as exc:  # noqa: BLE001 - the loop must outlive one bad pass
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("intake pass failed")

    # --- work ---------------------------------------------------------------------------------

    def process_now(self) -> ProcessResult:
        result = process_deliveries(self.clock, pause=self._burst_arriving)
        self._backlog = result.more
        if not result.more:
            self._defer_until = None  # all caught up: the next burst gets its own bound
        return result

    def poll_once(self) -> PollResult:
        """Process stored deliveries, then one poll; the webhook check rides along (every
        5 minutes, every minute while one is down: core.intake.webhook_watch)."""
        with self._poll_lock:
            self.process_now()
            result = poll_once(self.woo, clock=self.clock,
                               overlap_s=self.settings.worker.poll_overlap_s)
            self.last_poll = result
            every = webhook_watch.RECHECK_S if self.webhooks_down else webhook_watch.CHECK_EVERY_S
            if time.monotonic() - self._last_webhook_check >= every:
                self._last_webhook_check = time.monotonic()
                try:
                    self.watch_webhooks()
                except ConnectorError as exc:
                    log.warning("could not read WooCommerce's webhook statuses: %s", exc)
            return result

    def watch_webhooks(self) -> list[WebhookState]:
        """Read WooCommerce's view of the webhooks; while our receiver runs, re-activate the
        disabled ones (then they count as down until a later look finds them active)."""
        hooks = self.webhook_status()
        lost = webhook_watch.down(hooks)
        receiving = self.webhooks_elsewhere or (self.receiver_enabled and self._server is not None)
        revived = (webhook_watch.reactivate(self.woo, lost, clock=self.clock)
                   if lost and receiving else [])
        # Re-activated or not, a webhook that was down may have missed deliveries and may be
        # disabled again by its kept failure count: keep polling fast until a look says active.
        self.webhooks_down = bool(lost)
        if revived:
            log.info("re-activated %d webhook(s); next look in %.0f s", len(revived),
                     webhook_watch.RECHECK_S)
        return hooks

    def webhook_status(self) -> list[WebhookState]:
        return check_webhook_health(self.woo, clock=self.clock)
