"""Several pairs of one workspace and the receiver of every pair (core.intake.router) serving
them over loopback HTTP: each pair with its own shop URL, webhook secret, key and state (a
state.db, or a PostgreSQL schema of one database)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.clock import SYSTEM_CLOCK
from core.config import Settings, Workspace
from core.intake.router import WebhookRouter, open_router
from core.intake.service import ReceiverServer
from core.pairs import DEFAULT_PAIR
from core.secrets.keys import key_store_for
from core.secrets.vault import WEBHOOK_SECRET, create_key, open_vault
from core.store.db import close_db, init_db
from core.store.models import Order, WebhookDelivery
from core.store.pair_state import open_state_at
from tests.core.intake_helpers import body_of, order_payload

PATH = "/webhooks/woocommerce"


@dataclass
class Pair:
    name: str
    ws: Workspace
    shop: str  # the shop's URL as configured ([woocommerce] url)
    secret: str
    location: str | Path  # its state: state.db or a postgresql:// URL

    def open(self) -> Any:
        """This pair's state as a database object of the test's own."""
        return open_state_at(self.location)


def pair_root(folder: Path, name: str) -> Path:
    return folder if name == DEFAULT_PAIR else folder / "pairs" / name


def make_pair(folder: Path, name: str, shop: str, secret: str, database_url: str = "") -> Pair:
    """A pair as `init` makes it: config, key, migrated state, its webhook secret stored."""
    ws = Workspace.at(pair_root(folder, name))
    settings = Settings()
    settings.woocommerce.url = shop
    settings.store.database_url = database_url
    ws.save(settings)
    at = database_url or None
    create_key(ws, at=at)
    init_db(database_url or ws.db_path, home=ws.db_path)
    try:
        open_vault(ws, at=at).set(WEBHOOK_SECRET, secret, "test")
    finally:
        close_db()
    return Pair(name, ws, shop, secret, database_url or ws.db_path)


def signed_headers(body: bytes, secret: str, source: str, *, webhook_id: str = "7",
                   topic: str = "order.updated") -> dict[str, str]:
    resource, event = topic.split(".")
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"Content-Type": "application/json", "X-WC-Webhook-Source": source,
            "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event, "X-WC-Webhook-ID": webhook_id,
            "X-WC-Webhook-Signature": base64.b64encode(mac).decode(),
            "X-WC-Webhook-Delivery-ID": "d" * 32}


def order_body(woo_id: int) -> bytes:
    return body_of(order_payload(woo_id, "2026-11-27T10:00:00"))


@contextmanager
def serving(folder: Path, *, busy_wait_ms: int | None = None
            ) -> Iterator[tuple[httpx.Client, WebhookRouter]]:
    """The receiver of every pair of `folder`, on a loopback port."""
    router = open_router(Workspace.at(folder), clock=SYSTEM_CLOCK, busy_wait_ms=busy_wait_ms)
    server = ReceiverServer(router, "127.0.0.1:0")
    server.start()
    router.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield http, router
    finally:
        server.stop()


def post(http: httpx.Client, pair: Pair, woo_id: int, *, secret: str | None = None,
         source: str | None = None) -> httpx.Response:
    """A delivery of order `woo_id` from `pair`'s shop (trailing slash, as WordPress sends its
    home URL), signed with its secret unless another is given."""
    body = order_body(woo_id)
    return http.post(PATH, content=body, headers=signed_headers(
        body, secret or pair.secret, source if source is not None else pair.shop + "/"))


def accepted_ids(pair: Pair) -> list[int]:
    """The order ids of the deliveries stored as accepted in `pair`'s own table."""
    db = pair.open()
    try:
        rows = WebhookDelivery.select(WebhookDelivery.body).where(
            WebhookDelivery.verdict == "accepted").order_by(WebhookDelivery.id).bind(db)
        return [_id_of(bytes(r.body)) for r in rows]
    finally:
        db.close()


def _id_of(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["id"])
    except ValueError:
        return None


def delivery_errors(pair: Pair) -> list[str | None]:
    """The processing error of each accepted delivery in `pair`'s table, in order."""
    db = pair.open()
    try:
        rows = WebhookDelivery.select(WebhookDelivery.error).where(
            WebhookDelivery.verdict == "accepted").order_by(WebhookDelivery.id).bind(db)
        return [r.error for r in rows]
    finally:
        db.close()


def refusals(pair: Pair) -> list[tuple[str, str | None]]:
    """(reason, source) of the refusals recorded in `pair`'s table."""
    db = pair.open()
    try:
        rows = WebhookDelivery.select(WebhookDelivery.reject_reason, WebhookDelivery.source)\
            .where(WebhookDelivery.verdict == "rejected").bind(db)
        return [(str(r.reject_reason), r.source) for r in rows]
    finally:
        db.close()


def order_ids(pair: Pair) -> set[int]:
    """The WooCommerce order ids in `pair`'s Order table."""
    db = pair.open()
    try:
        return {int(o.woo_id) for o in Order.select(Order.woo_id).bind(db)}
    finally:
        db.close()


def key_texts(pair: Pair) -> list[bytes]:
    """The pair's keys as its key store holds them (what must never reach a database)."""
    return [k for k in key_store_for(pair.ws).load()]


__all__ = ["Pair", "accepted_ids", "delivery_errors", "key_texts", "make_pair", "order_ids",
           "post", "refusals", "serving", "signed_headers"]
