"""`WooStandIn`: the WooCommerce 10 stand-in served by uvicorn in background threads."""
from __future__ import annotations

import datetime as dt
import random
import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.tls import self_signed_cert
from sandbox.woo import control, routes_catalog, routes_orders
from sandbox.woo.app import WooApp
from sandbox.woo.auth import ApiKey, Authenticator
from sandbox.woo.currency import shop_currency
from sandbox.woo.orders import OrderBook
from sandbox.woo.seed import ShopLife
from sandbox.woo.store import Store
from sandbox.woo.views import order_bytes, product_view, simple_links, with_links
from sandbox.woo.webhooks import WebhookEngine
from sandbox.woo.wpjson import dumps


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class WooStandIn:
    """A wc/v3 shop on loopback. See sandbox/woo/__init__.py for the contract."""

    def __init__(self, state_dir: Path, *, seed: int = 0, orders: int = 0, https: bool = False,
                 webhook_delay: float = 1.0, clock: Callable[[], dt.datetime] | None = None,
                 delivery_timeout: float = 10.0, currency: str = "USD") -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.seed, self.initial_orders, self.use_https = seed, orders, https
        self.clock = clock or _utc_now
        self.consumer_key = "ck_" + secrets.token_hex(20)
        self.consumer_secret = "cs_" + secrets.token_hex(20)
        self.readonly_key = "ck_" + secrets.token_hex(20)
        self.readonly_secret = "cs_" + secrets.token_hex(20)
        self.auth = Authenticator(
            [ApiKey(self.consumer_key, self.consumer_secret, "read_write"),
             ApiKey(self.readonly_key, self.readonly_secret, "read")],
            clock=lambda: self.clock().timestamp())
        self.faults: dict[str, Any] = {}
        self.fault_rng = random.Random(f"faults:{seed}")
        self.store = Store(clock=self.clock)
        self.book = OrderBook(self.store, self.state_dir / "woo-orders.sqlite")
        self.book.currency = shop_currency(currency)  # what the shop sells in
        self.home = ""  # the public base URL, known once started (webhook source)
        self.engine = WebhookEngine(
            self.store, self.render, delay=webhook_delay, source=lambda: self.home + "/",
            timeout=delivery_timeout, seed=seed,
            drop_rate=lambda: float(self.faults.get("drop_webhooks_rate", 0) or 0))
        self.app = WooApp(self, routes_orders.build(self) + routes_catalog.build(self),
                          control.handler(self))
        self.url = ""
        self.https_url: str | None = None
        self.ca_file: Path | None = None
        self.home = ""
        self.life: ShopLife
        self._servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def add_key(self, consumer_key: str, consumer_secret: str,
                permissions: str = "read_write") -> None:
        """Accept another key pair (e.g. the recordings' throwaway vector key)."""
        self.auth.keys[consumer_key] = ApiKey(consumer_key, consumer_secret, permissions)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0, https_port: int = 0) -> None:
        """Bind, seed the shop, serve in background threads; returns once both accept."""
        http_sock = self._bind(host, port)
        self.url = f"http://{host}:{http_sock.getsockname()[1]}"
        https_sock = None
        if self.use_https:
            cert, key = self_signed_cert(self.state_dir / "tls", (host, "localhost"))
            self.ca_file = cert
            https_sock = self._bind(host, https_port)
            self.https_url = f"https://{host}:{https_sock.getsockname()[1]}"
        self.home = self.https_url or self.url
        self.store.home = self.home
        self.store.seed_catalog()
        self.life = ShopLife(self.store, self.book, self.seed)
        if self.initial_orders:
            self.life.generate(self.initial_orders, now=self.clock())
        self._serve(http_sock, {})
        if https_sock is not None and self.ca_file is not None:
            self._serve(https_sock, {"ssl_certfile": str(self.ca_file),
                                     "ssl_keyfile": str(self.ca_file.with_name(
                                         "sandbox-key.pem"))})
        self.engine.start()

    @staticmethod
    def _bind(host: str, port: int) -> socket.socket:
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only for
        # such sockets, and without it each response (headers, then body) waits ~40 ms for the
        # client's delayed ACK.
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                             socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
        return sock

    def _serve(self, sock: socket.socket, extra: dict[str, Any]) -> None:
        config = uvicorn.Config(self.app, lifespan="off", log_level="warning",
                                access_log=False, server_header=False, **extra)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                  name="woo-standin", daemon=True)
        thread.start()
        ready = threading.Event()
        # uvicorn exposes readiness only as a flag; wait on it in short slices
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the WooCommerce stand-in failed to start")
            ready.wait(0.01)
        self._servers.append((server, thread))

    def stop(self) -> None:
        self.engine.stop()
        for server, _ in self._servers:
            server.should_exit = True
        for _, thread in self._servers:
            thread.join(timeout=10)
        self._servers.clear()
        self.book.db.close()

    def __enter__(self) -> WooStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for tests, demo and webhooks --------------------------------------------------
    def flush_webhooks(self, timeout: float = 15.0) -> bool:
        """Deliver every queued webhook now; True once the queue is empty."""
        return self.engine.flush(timeout)

    def render(self, resource: str, rid: int) -> bytes:
        """A webhook body: the REST representation now, or the REST error if it is gone."""
        api = f"{self.home}/wp-json/wc/v3"
        with self.store.lock:
            if resource == "order":
                raw = self.book.raw(rid)
                if raw is not None:
                    return order_bytes(api, raw)
                kind = "shop_order"
            elif resource == "product" and rid in self.store.products:
                return dumps(product_view(api, self.store.products[rid]))
            elif resource == "customer" and rid in self.store.customers:
                return dumps(with_links(self.store.customers[rid],
                                        simple_links(api, "customers", rid)))
            elif resource == "coupon" and rid in self.store.coupons:
                return dumps(with_links(self.store.coupons[rid], simple_links(api, "coupons",
                                                                              rid)))
            else:
                kind = resource
        return dumps({"code": f"woocommerce_rest_{kind}_invalid_id", "message": "Invalid ID.",
                      "data": {"status": 404}})
