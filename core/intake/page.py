"""A page of orders new to the inbox, stored with a handful of statements instead of seven per
order: the backfill's path (issue 16 item 4).

Exactly what `inbox.accept_order_snapshot` does for an order it has never seen — the Order row,
its SKUs, the "received" audit event, the posting job — for every such order of the page at once,
inside the caller's transaction. Anything else (an order already in the inbox, a job already
queued for it, the same order twice on one page, a draft or a malformed snapshot) goes back to
the caller for the one-order door, so the rules for updates live in one place.
"""
from __future__ import annotations

from typing import Any

from core.clock import SYSTEM_CLOCK, Clock, parse_gmt
from core.intake.inbox import (
    ACTOR,
    DRAFT_STATUSES,
    _line_skus,
    _total,
    customer_key,
    customer_name,
)
from core.replay import ORDER_JOB, order_job_key
from core.store import audit
from core.store.db import insert_rows, tuples
from core.store.models import Job, Order, OrderSku
from core.store.states import DocState, JobStatus


def _new_only(payloads: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(orders this module stores, the rest for accept_order_snapshot)."""
    counts: dict[Any, int] = {}
    for p in payloads:
        counts[p.get("id")] = counts.get(p.get("id"), 0) + 1
    candidates = [p for p in payloads if isinstance(p.get("id"), int) and p["id"] > 0
                  and counts[p["id"]] == 1 and str(p.get("status") or "") not in DRAFT_STATUSES]
    ids = [p["id"] for p in candidates]
    known: set[int] = set()
    queued: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        known.update(w for (w,) in tuples(Order.select(Order.woo_id)
                                          .where(Order.woo_id.in_(chunk))))
        queued.update(k for (k,) in tuples(Job.select(Job.key).where(
            (Job.kind == ORDER_JOB) & Job.key.in_([order_job_key(w) for w in chunk]))))
    fresh = [p for p in candidates if p["id"] not in known
             and order_job_key(p["id"]) not in queued]
    taken = {id(p) for p in fresh}
    return fresh, [p for p in payloads if id(p) not in taken]


def accept_new_orders(payloads: list[dict[str, Any]], *, source: str,
                      clock: Clock = SYSTEM_CLOCK) -> tuple[int, list[dict[str, Any]]]:
    """Store the page's orders that are new to the inbox; returns (how many were stored, the
    snapshots left for accept_order_snapshot). Call inside a BEGIN IMMEDIATE transaction."""
    fresh, rest = _new_only(payloads)
    if not fresh:
        return 0, rest
    now = clock.now()
    rows = [dict(woo_id=p["id"], number=str(p.get("number") or p["id"]),
                 status=str(p.get("status") or ""), customer_key=customer_key(p),
                 customer_name=customer_name(p), total=_total(p),
                 currency=str(p.get("currency") or "USD"),
                 payment_method=p.get("payment_method") or None,
                 date_created_gmt=parse_gmt(p.get("date_created_gmt")),
                 date_paid_gmt=parse_gmt(p.get("date_paid_gmt")),
                 modified_gmt=parse_gmt(p.get("date_modified_gmt")), payload=p,
                 state=DocState.NEW, created_at=now, updated_at=now) for p in fresh]
    insert_rows(Order, rows)
    ids = [p["id"] for p in fresh]
    order_ids: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        order_ids.update({w: i for w, i in tuples(Order.select(Order.woo_id, Order.id).where(
            Order.woo_id.in_(ids[start:start + 500])))})
    skus = [{"order": order_ids[p["id"]], "sku": sku, "product_name": name}
            for p in fresh for sku, name in _line_skus(p).items()]
    insert_rows(OrderSku, skus)
    audit.record_many([
        ("order", r["woo_id"], "received",
         f"order {r['number']} received from {source} (new, status {r['status']})",
         {"source": source, "status": r["status"], "total": str(r["total"]),
          "modified_gmt": p.get("date_modified_gmt")}) for r, p in zip(rows, fresh, strict=True)],
        actor=ACTOR, clock=clock)
    jobs = [{"kind": ORDER_JOB, "key": order_job_key(r["woo_id"]), "group_key": r["customer_key"],
             "status": JobStatus.QUEUED, "run_at": now, "created_at": now, "updated_at": now}
            for r in rows]
    insert_rows(Job, jobs)
    return len(fresh), rest


