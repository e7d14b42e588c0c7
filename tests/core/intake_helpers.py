"""Shared set-up for the intake tests (vault, client, receiver, stand-in)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.clock import ManualClock
from core.config import Settings, Workspace
from core.secrets.vault import Vault, create_key, open_vault
from core.store.db import close_db, init_db

WEBHOOK_SECRET = "Wh00kSecretForTestsOnly0123456789abcdefXYZ"


def make_workspace(root: Path) -> Workspace:
    ws = Workspace.at(root)
    create_key(ws)
    init_db(ws.db_path)
    return ws


def make_vault(root: Path, clock: ManualClock | None = None) -> tuple[Workspace, Vault]:
    ws = make_workspace(root)
    return ws, open_vault(ws, clock=clock or ManualClock())


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def order_payload(woo_id: int, modified: str, *, status: str = "processing", total: str = "10.00",
                  customer_id: int = 0, email: str = "Guest@Example.com",
                  skus: tuple[str, ...] = ("TEE-BLU-M",)) -> dict[str, Any]:
    return {
        "id": woo_id, "number": str(woo_id), "status": status, "currency": "USD",
        "total": total, "customer_id": customer_id, "payment_method": "bacs",
        "billing": {"first_name": "Ann", "last_name": "Lee", "email": email, "company": ""},
        "date_created_gmt": "2026-11-27T08:00:00", "date_paid_gmt": None,
        "date_modified_gmt": modified,
        "line_items": [{"id": i + 1, "name": f"Item {sku}", "product_id": 100 + i,
                        "variation_id": 0, "sku": sku, "quantity": 1, "total": total,
                        "price": 10} for i, sku in enumerate(skus)],
    }


def delivery_headers(body: bytes, *, topic: str = "order.updated", secret: str = WEBHOOK_SECRET,
                     webhook_id: str = "1", source: str = "https://shop.example.test/"
                     ) -> dict[str, str]:
    resource, event = topic.split(".")
    return {"Content-Type": "application/json", "X-WC-Webhook-Source": source,
            "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event, "X-WC-Webhook-Signature": signed(body, secret),
            "X-WC-Webhook-ID": webhook_id, "X-WC-Webhook-Delivery-ID": "d" * 32}


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


@contextmanager
def closing_db() -> Iterator[None]:
    try:
        yield
    finally:
        close_db()


def settings_for(url: str = "https://shop.example.test", **worker: Any) -> Settings:
    s = Settings()
    s.woocommerce.url = url
    for k, v in worker.items():
        setattr(s.worker, k, v)
    return s
