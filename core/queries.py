"""Read-only questions the console (and `ml-connector status`) ask of the state database.

Every query here is cheap on 100,000 orders: it walks an index ((updated_at, id), state,
date_created_gmt, audit (entity, entity_id, id)) and never reads the order payloads unless one
order was asked for. Nothing here writes; nothing here touches the network.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from peewee import SQL, Tuple, fn

from core.clock import SYSTEM_CLOCK, Clock
from core.models import (
    AuditEvent,
    FlaggedSku,
    GpItem,
    GlMapping,
    Job,
    Order,
    OrderSku,
    ProductTask,
    Refund,
    Setting,
    UTCField,
    WorkerLease,
)

INCOMING_STATES = ("new", "ready", "posting")
POSTED_STATES = ("posted", "verified")
PAGE_SIZE = 50
_UTC_TEXT = UTCField()


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


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def worker_status(clock: Clock = SYSTEM_CLOCK) -> WorkerStatus | None:
    """The lease holder, or None when no worker ever ran on this database."""
    lease = WorkerLease.get_or_none(WorkerLease.name == "worker")
    if lease is None:
        return None
    now = clock.now()
    status = lease.status if isinstance(lease.status, dict) else {}
    # The worker writes what it knows under its own keys; read the likely spellings.
    last_poll = _parse_time(status.get("last_poll_at") or status.get("last_poll"))
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
    rows = (Order.select(Order.posted_at)
            .where((Order.updated_at >= since) & Order.state.in_(POSTED_STATES)
                   & (Order.posted_at >= since)).tuples())
    return [posted for (posted,) in rows if posted is not None]


def dashboard(clock: Clock = SYSTEM_CLOCK, *, hours: int = 12) -> Dashboard:
    now = clock.now()
    by_state = dict(Order.select(Order.state, fn.COUNT(Order.id)).group_by(Order.state).tuples())
    held = dict(Order.select(Order.hold_reason, fn.COUNT(Order.id))
                .where(Order.state == "held").group_by(Order.hold_reason).tuples())
    held = {str(reason or "other"): n for reason, n in sorted(held.items(), key=lambda kv: str(kv[0]))}
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
                       .where(Refund.state.not_in(POSTED_STATES + ("void", "skipped"))).scalar()
                       or 0)
    flagged = FlaggedSku.select(fn.COUNT(FlaggedSku.id)).where(
        FlaggedSku.resolved_at.is_null()).scalar() or 0
    conflicts = ProductTask.select(fn.COUNT(ProductTask.id)).where(
        ProductTask.status == "open").scalar() or 0
    jobs = dict(Job.select(Job.status, fn.COUNT(Job.id)).group_by(Job.status).tuples())
    worker = worker_status(clock)
    board = Dashboard(
        incoming=sum(by_state.get(s, 0) for s in INCOMING_STATES), held=held,
        failed=by_state.get("failed", 0), posted_today=sum(1 for at in posted if at >= today),
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


# --- the order list -------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilter:
    """What the accountant typed in the filter bar; empty fields do not filter."""

    state: str | None = None  # an order state, or "held:<reason>"
    date_from: date | None = None  # order created on or after (UTC day)
    date_to: date | None = None  # order created on or before
    customer: str | None = None
    sku: str | None = None  # SKU prefix (case as in WooCommerce)
    text: str | None = None  # order number, GP document, customer name or e-mail


@dataclass(frozen=True)
class OrderRow:
    id: int
    woo_id: int
    number: str
    state: str
    hold_reason: str | None
    customer_name: str | None
    total: Decimal | None
    currency: str
    payment_method: str | None
    date_created: datetime | None
    updated_at: datetime
    gp_doc_number: str | None
    last_error: str | None

    @property
    def state_label(self) -> str:
        return f"held: {self.hold_reason}" if self.state == "held" and self.hold_reason else self.state


Cursor = tuple[str, int]  # (updated_at as stored, id): the keyset position


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    next_cursor: Cursor | None  # None: this was the last page


_ROW_FIELDS = (Order.id, Order.woo_id, Order.number, Order.state, Order.hold_reason,
               Order.customer_name, Order.total, Order.currency, Order.payment_method,
               Order.date_created_gmt, Order.updated_at, Order.gp_doc_number, Order.last_error)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str) -> str:
    return "%" + _escape(text) + "%"


def _matches(column: Any, pattern: str) -> Any:
    """column LIKE pattern ESCAPE '\\' (case-insensitive for ASCII, as SQLite's LIKE is), so a
    typed % or _ is taken literally."""
    return fn.LIKE(pattern, column, "\\")


def _filtered(flt: OrderFilter) -> Any:
    query = Order.select(*_ROW_FIELDS)
    if flt.state:
        state, _, reason = flt.state.partition(":")
        query = query.where(Order.state == state)
        if reason:
            query = query.where(Order.hold_reason == reason)
    if flt.date_from:
        query = query.where(Order.date_created_gmt >= datetime.combine(flt.date_from, time(0),
                                                                       tzinfo=UTC))
    if flt.date_to:
        query = query.where(Order.date_created_gmt < datetime.combine(
            flt.date_to + timedelta(days=1), time(0), tzinfo=UTC))
    if flt.customer and flt.customer.strip():
        pattern = _like(flt.customer.strip())
        query = query.where(_matches(Order.customer_name, pattern)
                            | _matches(Order.customer_key, pattern))
    if flt.sku and flt.sku.strip():
        sku = flt.sku.strip()
        # A prefix range the sku index can walk (LIKE would be case-folded and scan).
        query = query.where(Order.id.in_(OrderSku.select(OrderSku.order).where(
            (OrderSku.sku >= sku) & (OrderSku.sku < sku + "\U0010ffff"))))
    if flt.text and flt.text.strip():
        text = flt.text.strip()
        pattern = _like(text)
        cond = (_matches(Order.number, _escape(text.lstrip("#")) + "%")
                | _matches(Order.gp_doc_number, _escape(text) + "%")
                | _matches(Order.customer_name, pattern) | _matches(Order.customer_key, pattern))
        if text.lstrip("#").isdigit():
            cond = cond | (Order.woo_id == int(text.lstrip("#")))
        query = query.where(cond)
    return query


def _row(values: tuple[Any, ...]) -> OrderRow:
    (oid, woo_id, number, state, reason, name, total, currency, method, created, updated, doc,
     error) = values
    return OrderRow(oid, woo_id, number, state, reason, name, total, currency, method, created,
                    updated, doc, error)


def order_page(flt: OrderFilter = OrderFilter(), *, after: Cursor | None = None,
               limit: int = PAGE_SIZE) -> OrderPage:
    """One page of orders, most recently changed first, keyset-paged on (updated_at, id)."""
    query = _filtered(flt)
    if after is not None:
        query = query.where(Tuple(Order.updated_at, Order.id) < Tuple(SQL("?", [after[0]]),
                                                                       after[1]))
    query = query.order_by(Order.updated_at.desc(), Order.id.desc()).limit(limit + 1)
    rows = [_row(v) for v in query.tuples()]
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = (_UTC_TEXT.db_value(rows[-1].updated_at), rows[-1].id) if more and rows else None
    return OrderPage(rows, cursor)


def orders_by_id(ids: list[int]) -> dict[int, OrderRow]:
    """Fresh rows for the orders on screen: the table updates changed cells, not whole pages."""
    if not ids:
        return {}
    return {r.id: r for r in (_row(v) for v in Order.select(*_ROW_FIELDS)
                              .where(Order.id.in_(ids)).tuples())}


def order_by_woo_id(woo_id: int) -> Order | None:
    return Order.get_or_none(Order.woo_id == woo_id)


def order_refunds(order_id: int) -> list[Refund]:
    return list(Refund.select().where(Refund.order == order_id).order_by(Refund.id))


def order_skus(order_id: int) -> list[str]:
    return [s for (s,) in OrderSku.select(OrderSku.sku).where(OrderSku.order == order_id)
            .order_by(OrderSku.sku).tuples()]


# --- held and failed ------------------------------------------------------------------------

ADVICE = {
    "sku": "Map the SKU to a GP item in Flagged SKUs; its orders replay by themselves.",
    "gl": "Set the missing account in GL mapping, then replay.",
    "customer": "Fix the customer (GP id, class or address) and replay.",
    "totals": "Totals differ beyond the rounding tolerance: check the order in WooCommerce or "
              "the tolerance in GL mapping, then replay.",
    "price": "GP re-priced a line: check the item's price level in GP, then replay.",
    "status": "The WooCommerce status asks for a change GP cannot make by itself: act in GP, "
              "then replay.",
    "failed": "GP refused the document: fix what GP's message says (in GP or the mapping), "
              "then replay.",
}


@dataclass(frozen=True)
class ProblemRow:
    kind: str  # order / refund
    woo_id: int
    number: str
    state: str  # held / failed
    reason: str  # the hold reason, or "failed"
    detail: str  # our own words (hold_detail)
    gp_message: str  # GP's own message, when GP refused it
    advice: str
    updated_at: datetime


def problems(reason: str | None = None, *, limit: int = 1000) -> list[ProblemRow]:
    """Held and failed orders and refunds, oldest first (they have waited longest)."""
    out: list[ProblemRow] = []
    orders = Order.select(Order.woo_id, Order.number, Order.state, Order.hold_reason,
                          Order.hold_detail, Order.last_error, Order.updated_at).where(
        Order.state.in_(("held", "failed")))
    refunds = Refund.select(Refund.woo_id, Order.number, Refund.state, Refund.hold_reason,
                            Refund.hold_detail, Refund.last_error, Refund.updated_at).join(
        Order).where(Refund.state.in_(("held", "failed")))
    if reason == "failed":
        orders = orders.where(Order.state == "failed")
        refunds = refunds.where(Refund.state == "failed")
    elif reason:
        orders = orders.where((Order.state == "held") & (Order.hold_reason == reason))
        refunds = refunds.where((Refund.state == "held") & (Refund.hold_reason == reason))
    for kind, query in (("order", orders), ("refund", refunds)):
        for woo_id, number, state, hold, detail, error, updated in query.order_by(
                SQL("7"), SQL("1")).limit(limit).tuples():
            why = "failed" if state == "failed" else (hold or "other")
            out.append(ProblemRow(kind, woo_id, number if kind == "order" else f"{number}/R{woo_id}",
                                  state, why, detail or "", error or "",
                                  ADVICE.get(why, "Look at the order's timeline, then replay."),
                                  _UTC_TEXT.python_value(updated) if isinstance(updated, str)
                                  else updated))
    out.sort(key=lambda r: (r.updated_at, r.woo_id))
    return out[:limit]


def problem_counts() -> dict[str, int]:
    """reason -> held/failed orders, for the reason filter."""
    counts = {str(r or "other"): n for r, n in Order.select(Order.hold_reason, fn.COUNT(Order.id))
              .where(Order.state == "held").group_by(Order.hold_reason).tuples()}
    failed = Order.select(fn.COUNT(Order.id)).where(Order.state == "failed").scalar() or 0
    if failed:
        counts["failed"] = failed
    return counts


# --- audit ----------------------------------------------------------------------------------


def recent_audit(*, entity: str | None = None, entity_id: str | None = None,
                 before_id: int | None = None, limit: int = 200) -> list[AuditEvent]:
    """The newest events first (paged by id), for one entity or all."""
    query = AuditEvent.select()
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(query.order_by(AuditEvent.id.desc()).limit(limit))


def search_items(text: str, *, limit: int = 100) -> list[GpItem]:
    """GP items from the local cache whose number or description contains `text`."""
    query = GpItem.select()
    if text.strip():
        pattern = _like(text.strip())
        query = query.where(_matches(GpItem.item_number, pattern)
                            | _matches(GpItem.description, pattern))
    return list(query.order_by(GpItem.item_number).limit(limit))


def gl_rows() -> list[GlMapping]:
    return list(GlMapping.select().order_by(GlMapping.scope, GlMapping.scope_key,
                                            GlMapping.account_kind))


def known_gateways() -> list[str]:
    """Payment methods seen on orders (for the gateway -> cash account table)."""
    seen = {m for (m,) in Order.select(Order.payment_method).distinct().where(
        Order.payment_method.is_null(False)).limit(100).tuples() if m}
    seen |= {k for (k,) in GlMapping.select(GlMapping.scope_key).where(
        GlMapping.scope == "gateway").tuples()}
    return sorted(seen)
