"""Webhook delivery bodies are personal data (names, addresses, e-mail): kept only as long as
needed. After `[worker] delivery_retention_days` (default 90) a processed delivery keeps its
metadata (when, topic, which order, verdict, any error) and loses its body; refusal records older
than that go entirely. A delivery not processed yet is never pruned: it is still work to do.
"""
from __future__ import annotations

from datetime import timedelta

from core.clock import SYSTEM_CLOCK, Clock
from core.store.db import database
from core.store.models import WebhookDelivery

BATCH = 500  # rows per transaction: the receiver's writes never wait long behind a prune


def prune_deliveries(retention_days: int, clock: Clock = SYSTEM_CLOCK) -> int:
    """Drop bodies (and old refusal rows) past the retention; returns how many rows changed."""
    cutoff = clock.now() - timedelta(days=retention_days)
    changed = 0
    while True:
        with database.atomic("IMMEDIATE"):
            ids = [r.id for r in WebhookDelivery.select(WebhookDelivery.id).where(
                (WebhookDelivery.received_at < cutoff) & WebhookDelivery.body.is_null(False)
                & WebhookDelivery.processed_at.is_null(False)).limit(BATCH)]
            if ids:
                WebhookDelivery.update(body=None).where(WebhookDelivery.id.in_(ids)).execute()
            gone = WebhookDelivery.delete().where(
                (WebhookDelivery.received_at < cutoff)
                & (WebhookDelivery.verdict == "rejected")).execute()
        changed += len(ids) + int(gone)
        if len(ids) < BATCH:
            return changed
