"""Read the facts the alert rules need from the state database (cheap indexed queries only)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import fn

from core.alerts.conditions import Snapshot
from core.clock import SYSTEM_CLOCK, Clock
from core.intake.poller import WEBHOOK_HEALTH_KEY
from core.store.db import tuples
from core.store.models import Order, Refund, Setting
from core.store.states import DocState
from core.worker.lease import read_lease


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def disabled_webhooks() -> list[str]:
    """Webhooks WooCommerce reports as disabled or paused, as the worker last read them."""
    row = Setting.get_or_none(Setting.key == WEBHOOK_HEALTH_KEY)
    if row is None or not isinstance(row.value, dict):
        return []
    out = []
    for hook in row.value.get("webhooks", []):
        if isinstance(hook, dict) and str(hook.get("status", "")).lower() in ("disabled",
                                                                               "paused"):
            out.append(f"{hook.get('topic', '?')} #{hook.get('id', '?')}")
    return out


def read_snapshot(clock: Clock = SYSTEM_CLOCK, **extra: Any) -> Snapshot:
    """Everything `evaluate` looks at; `extra` carries what only the caller knows (a lost lease,
    the last audit check, yesterday's reconciliation)."""
    now = clock.now()
    snap = Snapshot(now=now, **extra)
    for model, kind in ((Order, "order"), (Refund, "refund")):
        rows = (model.select(model.hold_reason, fn.COUNT(model.id))
                .where(model.state == DocState.HELD).group_by(model.hold_reason))
        for reason, count in tuples(rows):
            key = str(reason or "other")
            snap.held[key] = snap.held.get(key, 0) + int(count)
        oldest = (model.select(model.updated_at, model.id).where(model.state == DocState.HELD)
                  .order_by(model.updated_at, model.id).first())
        if oldest is not None and (snap.oldest_held_at is None
                                   or oldest.updated_at < snap.oldest_held_at):
            snap.oldest_held_at = oldest.updated_at
            snap.oldest_held_number = (str(getattr(oldest, "number", "")) if kind == "order"
                                       else f"refund {oldest.woo_id}")
        failed = model.select().where(model.state == DocState.FAILED)
        snap.failed += failed.count()
        for row in failed.order_by(model.updated_at.desc()).limit(5):
            label = row.gp_doc_number or (getattr(row, "number", "") if kind == "order"
                                          else f"refund {row.woo_id}")
            snap.failed_examples.append(str(label))
    snap.webhooks_disabled = disabled_webhooks()
    lease = read_lease()
    if lease is not None:
        snap.worker_alive = lease.alive(now)
        snap.worker_host = lease.host
        snap.worker_heartbeat_age_s = max(0.0, (now - lease.heartbeat_at).total_seconds())
        status = lease.status or {}
        if snap.worker_alive and "gp_down_since" not in extra:  # another process's view
            snap.gp_down_since = _when(status.get("gp_down_since"))
            snap.gp_last_error = str(status.get("gp_last_error") or "")[:300]
    return snap
