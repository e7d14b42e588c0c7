"""The dashboard's figures, the worker's lease and cheap change detection.

Every query walks an index ((updated_at, id), state) or reads one row: cheap on 100,000 orders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from peewee import Database, fn

from core.clock import SYSTEM_CLOCK, Clock
from core.store.db import tuples
from core.store.models import (
    AuditEvent,
    FlaggedSku,
    GlMapping,
    GpItem,
    Job,
    Order,
    ProductTask,
    Refund,
    Setting,
    WorkerLease,
)
from core.store.states import IN_FLIGHT, POSTED_STATES, DocState

INCOMING_STATES = IN_FLIGHT
PAGE_SIZE = 50


def day_start(when: datetime) -> datetime:
    return datetime.combine(when.astimezone(UTC).date(), time(0), tzinfo=UTC)


# --- worker ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerStatus:
    """Who runs the sync, read from the lease row any process can see."""

    holder: str
    host: str
    pid: int
    mode: str  # headless / embedded
    alive: bool  # the lease has not expired
    heartbeat_age_s: float
    last_poll_at: datetime | None
    webhook_health: str | None
    status: dict[str, Any] = field(default_factory=dict)


def parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def worker_status(clock: Clock = SYSTEM_CLOCK, db: Database | None = None
                  ) -> WorkerStatus | None:
    """The lease holder, or None when no worker ever ran on this database (`db`: another
    pair's database, read through its own connection; default: the one this process opened)."""
    lease = WorkerLease.select().where(WorkerLease.name == "worker").first(db)
    if lease is None:
        return None
    now = clock.now()
    status = lease.status if isinstance(lease.status, dict) else {}
    # The worker writes what it knows under its own keys; read the likely spellings.
    last_poll = parse_time(status.get("last_poll_at") or status.get("last_poll"))
    webhook = status.get("webhook_health") or status.get("webhooks")
    if isinstance(webhook, dict):
        webhook = ", ".join(f"{k}: {v}" for k, v in sorted(webhook.items()))
    return WorkerStatus(
        holder=lease.holder, host=lease.host, pid=lease.pid, mode=lease.mode,
        alive=lease.expires_at > now,
        heartbeat_age_s=max(0.0, (now - lease.heartbeat_at).total_seconds()),
        last_poll_at=last_poll, webhook_health=None if webhook is None else str(webhook),
        status=status)


# --- dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    incoming: int
    held: dict[str, int]  # reason -> orders
    failed: int
    posted_today: int
    credit_memos_today: int
    refunds_waiting: int
    flagged_skus: int
    open_conflicts: int
    throughput: list[int]  # documents posted per hour, oldest first, the current hour last
    jobs: dict[str, int]
    worker: WorkerStatus | None
    attention: list[str]  # what needs the accountant first, most urgent first

    @property
    def held_total(self) -> int:
        return sum(self.held.values())


def _posted_since(since: datetime) -> list[datetime]:
    """posted_at of orders posted since `since`. updated_at >= posted_at always (posting bumps
    updated_at), so the (updated_at, id) index narrows the scan to recent rows."""
    rows = tuples(Order.select(Order.posted_at)
                  .where((Order.updated_at >= since) & Order.state.in_(POSTED_STATES)
                         & (Order.posted_at >= since)))
    return [posted for (posted,) in rows if posted is not None]


def dashboard(clock: Clock = SYSTEM_CLOCK, *, hours: int = 12) -> Dashboard:
    now = clock.now()
    by_state: dict[str, int] = dict(tuples(
        Order.select(Order.state, fn.COUNT(Order.id)).group_by(Order.state)))
    held: dict[str, int] = dict(tuples(Order.select(Order.hold_reason, fn.COUNT(Order.id))
                                       .where(Order.state == DocState.HELD)
                                       .group_by(Order.hold_reason)))
    held = {str(reason or "other"): n
            for reason, n in sorted(held.items(), key=lambda kv: str(kv[0]))}
    today = day_start(now)
    window_start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    posted = _posted_since(min(today, window_start))
    buckets = [0] * hours
    for at in posted:
        slot = int((at - window_start).total_seconds() // 3600)
        if 0 <= slot < hours:
            buckets[slot] += 1
    refunds_today = (Refund.select(fn.COUNT(Refund.id))
                     .where((Refund.updated_at >= today) & Refund.state.in_(POSTED_STATES)
                            & (Refund.posted_at >= today)).scalar() or 0)
    refunds_waiting = (Refund.select(fn.COUNT(Refund.id))
                       .where(Refund.state.not_in((*POSTED_STATES, DocState.VOID,
                                                   DocState.SKIPPED))).scalar() or 0)
    flagged = FlaggedSku.select(fn.COUNT(FlaggedSku.id)).where(
        FlaggedSku.resolved_at.is_null()).scalar() or 0
    conflicts = ProductTask.select(fn.COUNT(ProductTask.id)).where(
        ProductTask.status == "open").scalar() or 0
    jobs: dict[str, int] = dict(tuples(
        Job.select(Job.status, fn.COUNT(Job.id)).group_by(Job.status)))
    worker = worker_status(clock)
    board = Dashboard(
        incoming=sum(by_state.get(s, 0) for s in INCOMING_STATES), held=held,
        failed=by_state.get(DocState.FAILED, 0),
        posted_today=sum(1 for at in posted if at >= today),
        credit_memos_today=refunds_today, refunds_waiting=refunds_waiting, flagged_skus=flagged,
        open_conflicts=conflicts, throughput=buckets, jobs=jobs, worker=worker, attention=[])
    board.attention.extend(attention_items(board))
    return board


def attention_items(board: Dashboard) -> list[str]:
    """Plain sentences, most urgent first: what stops money reaching the books."""
    items: list[str] = []
    w = board.worker
    if w is None or not w.alive:
        items.append("No worker is running: nothing is being posted to GP.")
    elif w.webhook_health and "disabled" in w.webhook_health.lower():
        items.append(f"WooCommerce disabled a webhook ({w.webhook_health}): polling still runs.")
    if board.failed:
        items.append(f"{board.failed} order(s) failed in GP: read GP's message in Held & failed, "
                     "fix it, replay.")
    if board.held.get("sku"):
        items.append(f"{board.held['sku']} order(s) wait on {board.flagged_skus} flagged SKU(s): "
                     "map them in Flagged SKUs.")
    if board.held.get("gl"):
        items.append(f"{board.held['gl']} order(s) wait on a GL account: set it in GL mapping.")
    for reason in ("customer", "totals", "price", "status", "other"):
        if board.held.get(reason):
            items.append(f"{board.held[reason]} order(s) held ({reason}): see Held & failed.")
    if board.open_conflicts:
        items.append(f"{board.open_conflicts} product conflict(s) wait for a side to be chosen.")
    return items


# --- change detection -----------------------------------------------------------------------


def change_marker() -> tuple[object, ...]:
    """A few index-only maxima: when none moved, nothing the console shows has changed.
    Every state change writes an audit event, so the audit id alone catches most of them;
    the lease heartbeat keeps the worker panel fresh."""
    return (
        AuditEvent.select(fn.MAX(AuditEvent.id)).scalar(),
        Order.select(fn.MAX(Order.updated_at)).scalar(),
        Refund.select(fn.MAX(Refund.updated_at)).scalar(),
        WorkerLease.select(WorkerLease.heartbeat_at).where(WorkerLease.name == "worker")
        .scalar(),
        GpItem.select(fn.COUNT(GpItem.item_number)).scalar(),
        GlMapping.select(fn.MAX(GlMapping.updated_at)).scalar(),
        Setting.select(fn.MAX(Setting.updated_at)).scalar(),
        ProductTask.select(fn.MAX(ProductTask.id)).scalar(),
    )
