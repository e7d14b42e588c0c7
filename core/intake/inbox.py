"""From "WooCommerce told us something" to "the order is safely in our inbox".

`accept_order_snapshot` is the one door every order comes through (webhook, poller, backfill):
one BEGIN IMMEDIATE transaction upserts the Order row and its SKUs, records the audit event and
queues the posting job, or changes nothing when the snapshot is not newer than the one stored
(snapshots arrive duplicated, coalesced and out of order; `date_modified_gmt` decides). Two changes
in the same second share `date_modified_gmt`, so a different snapshot with the stored timestamp
cannot be ordered: it overwrites nothing but queues the job, whose REST re-read is the truth.

`process_deliveries` turns stored webhook deliveries into those calls, after the 200 was sent.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock, parse_gmt, trusted_for_ordering
from core.money import MoneyError, parse_money
from core.products.intake import product_changed
from core.replay import ORDER_JOB, order_job_key
from core.skus import no_sku_key
from core.store import audit, queue
from core.store.db import database, tuples
from core.store.models import Order, OrderSku, WebhookDelivery
from core.store.states import DocState
from core.woo.views import line_display_name

log = logging.getLogger(__name__)

# Drafts are carts in progress, not orders: they get no row until they leave
# draft, which WooCommerce announces with order.created / a new date_modified.
DRAFT_STATUSES = ("checkout-draft", "auto-draft")
ACTOR = "intake"


def customer_key(payload: dict[str, Any]) -> str:
    """"id:N" for registered customers, "guest:email" (lower case) for guests."""
    cid = payload.get("customer_id") or 0
    if isinstance(cid, int) and cid > 0:
        return f"id:{cid}"
    email = str((payload.get("billing") or {}).get("email") or "").strip().lower()
    return f"guest:{email}" if email else f"guest:order-{payload.get('id')}"


def customer_name(payload: dict[str, Any]) -> str | None:
    billing = payload.get("billing") or {}
    name = " ".join(p for p in (str(billing.get("first_name") or "").strip(),
                                str(billing.get("last_name") or "").strip()) if p)
    return name or str(billing.get("company") or "").strip() or None


def _line_skus(payload: dict[str, Any]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for line in payload.get("line_items") or []:
        if not isinstance(line, dict):
            continue
        sku = line.get("sku") or ""
        if not sku:
            sku = no_sku_key(line.get("variation_id") or line.get("product_id"))
        found.setdefault(str(sku), line_display_name(line))
    return found


def _total(payload: dict[str, Any]) -> Any:
    try:
        return parse_money(payload.get("total"))
    except MoneyError:
        return None


def accept_order_snapshot(payload: dict[str, Any], *, source: str,
                          clock: Clock = SYSTEM_CLOCK) -> bool:
    """Upsert one order snapshot; True when a posting job is queued: the snapshot was new or
    newer, or it differs from the stored one within the same second (then only the job)."""
    woo_id = payload.get("id")
    if not isinstance(woo_id, int) or woo_id <= 0:
        raise ValueError("an order snapshot needs an integer id")
    status = str(payload.get("status") or "")
    if status in DRAFT_STATUSES:
        return False
    modified = parse_gmt(payload.get("date_modified_gmt"))
    now = clock.now()
    key = customer_key(payload)
    fields = dict(
        number=str(payload.get("number") or woo_id), status=status, customer_key=key,
        customer_name=customer_name(payload), total=_total(payload),
        currency=str(payload.get("currency") or "USD"),
        payment_method=payload.get("payment_method") or None,
        date_created_gmt=parse_gmt(payload.get("date_created_gmt")),
        date_paid_gmt=parse_gmt(payload.get("date_paid_gmt")),
        modified_gmt=modified, payload=payload, updated_at=now)
    with database.atomic("IMMEDIATE"):
        # Two columns, not the whole row: this runs for every snapshot of every poll.
        existing = Order.select(Order.id, Order.modified_gmt).where(Order.woo_id == woo_id).first()
        if existing is not None:
            stored = existing.modified_gmt
            if stored is not None and modified is not None and modified == stored:
                return _same_second(existing.id, payload, source=source, clock=clock)
            if not trusted_for_ordering(modified, now) and stored is not None:
                # Dated beyond now + skew: its date cannot order it. Keep the stored row and
                # let the posting job's REST re-read decide what the order is now.
                audit.record("order", woo_id, "received", f"order {fields['number']}: a snapshot "
                             f"from {source} is dated {payload.get('date_modified_gmt')}, in the "
                             "future; not trusted for ordering, re-reading the order from "
                             "WooCommerce", actor=ACTOR, clock=clock,
                             data={"source": source, "future_dated": True,
                                   "modified_gmt": payload.get("date_modified_gmt")})
                queue.enqueue(ORDER_JOB, order_job_key(woo_id), clock=clock, group_key=key)
                return True
            if stored is not None and trusted_for_ordering(stored, now) and (
                    modified is None or modified < stored):
                return False  # older snapshot: the newer one stays
            Order.update(**fields).where(Order.id == existing.id).execute()
            order_id = existing.id
            OrderSku.delete().where(OrderSku.order == order_id).execute()
            what = "updated"
        else:
            order_id = Order.insert(woo_id=woo_id, state=DocState.NEW, created_at=now,
                                    **fields).execute()
            what = "new"
        skus = _line_skus(payload)
        if skus:
            OrderSku.insert_many([{"order": order_id, "sku": sku, "product_name": name}
                                  for sku, name in skus.items()]).execute()
        audit.record("order", woo_id, "received",
                     f"order {fields['number']} received from {source} ({what}, status {status})",
                     actor=ACTOR, clock=clock,
                     data={"source": source, "status": status, "total": str(fields["total"]),
                           "modified_gmt": payload.get("date_modified_gmt")})
        queue.enqueue(ORDER_JOB, order_job_key(woo_id), clock=clock, group_key=key)
    return True


def _comparable(payload: Any) -> Any:
    # `_links` is REST decoration (absent from some webhook bodies), not order content.
    return {k: v for k, v in payload.items() if k != "_links"} if isinstance(payload, dict) \
        else payload


def _same_second(order_id: int, payload: dict[str, Any], *, source: str, clock: Clock) -> bool:
    """A snapshot stamped with the stored `date_modified_gmt`: a duplicate, or another change made
    in the same second. Which of the two is the later one cannot be told, so the stored row stays
    and the posting job re-reads the order from REST (store_fresh keeps that copy)."""
    order = Order.select(Order.number, Order.payload, Order.customer_key).where(
        Order.id == order_id).first()
    if order is None or _comparable(order.payload) == _comparable(payload):
        return False  # the same snapshot again
    status = str(payload.get("status") or "")
    audit.record("order", payload["id"], "received",
                 f"order {order.number}: another change from {source} in the same second "
                 f"(status {status}); re-reading it from WooCommerce", actor=ACTOR, clock=clock,
                 data={"source": source, "status": status, "same_second": True,
                       "modified_gmt": payload.get("date_modified_gmt")})
    queue.enqueue(ORDER_JOB, order_job_key(payload["id"]), clock=clock,
                  group_key=order.customer_key)
    return True


def mark_order_trashed(woo_id: int, *, source: str, clock: Clock = SYSTEM_CLOCK) -> bool:
    """`order.deleted` carries only {"id": N}: note the trash and let the pipeline re-read it."""
    with database.atomic("IMMEDIATE"):
        order = Order.get_or_none(Order.woo_id == woo_id)
        if order is None or order.status == "trash":
            return False
        Order.update(status="trash", updated_at=clock.now()).where(Order.id == order.id).execute()
        audit.record("order", woo_id, "received", f"order {order.number} moved to the trash in "
                     f"WooCommerce (from {source})", actor=ACTOR, clock=clock,
                     data={"source": source, "status": "trash"})
        queue.enqueue(ORDER_JOB, order_job_key(woo_id), clock=clock, group_key=order.customer_key)
    return True


def stored_versions(woo_ids: list[int]) -> dict[int, datetime | None]:
    """woo_id -> stored date_modified_gmt for those already in the inbox (one query)."""
    found: dict[int, datetime | None] = {}
    for start in range(0, len(woo_ids), 500):
        chunk = woo_ids[start:start + 500]
        for woo_id, modified in tuples(Order.select(Order.woo_id, Order.modified_gmt)
                                       .where(Order.woo_id.in_(chunk))):
            found[woo_id] = Order.modified_gmt.python_value(modified) \
                if isinstance(modified, str) else modified
    return found


def is_newer(modified_gmt: datetime | None, stored: datetime | None, known: bool,
             now: datetime | None = None) -> bool:
    """Would a snapshot stamped `modified_gmt` change an inbox row holding `stored`? A stored
    date beyond `now` plus the allowed skew orders nothing: any snapshot may replace it."""
    if not known:
        return True
    if stored is not None and now is not None and not trusted_for_ordering(stored, now):
        return True
    return stored is None or (modified_gmt is not None and modified_gmt > stored)


@dataclass(frozen=True)
class ProcessResult:
    processed: int
    orders_changed: int
    errors: int
    more: bool = False  # stopped before the last stored delivery (paused, or the limit reached)


def _process_one(delivery: WebhookDelivery, clock: Clock) -> bool:
    topic = delivery.topic or ""
    resource = topic.split(".", 1)[0]
    event = topic.split(".", 1)[1] if "." in topic else ""
    if delivery.body is None:  # accepted deliveries keep their body: a broken row, say so
        raise ValueError("the delivery has no body")
    payload = json.loads(bytes(delivery.body))
    if not isinstance(payload, dict):
        raise ValueError("the delivery body is not a JSON object")
    if resource == "order":
        if event == "deleted":
            return mark_order_trashed(int(payload["id"]), source="webhook", clock=clock)
        if "date_modified_gmt" not in payload:  # e.g. a REST error body for a purged order
            raise ValueError("the delivery is not an order snapshot")
        return accept_order_snapshot(payload, source="webhook", clock=clock)
    if resource == "product":
        product_changed(payload, clock=clock)
    # customer.*: the row itself is the record; customers are upserted from each order's billing.
    return False


def process_deliveries(clock: Clock = SYSTEM_CLOCK, *, limit: int = 500,
                       per_transaction: int = 20,
                       pause: Callable[[], bool] | None = None) -> ProcessResult:
    """Hand accepted, unprocessed deliveries to intake, oldest first.

    Each delivery is marked processed in the same transaction as its effect, so a crash
    re-processes at most what was in flight (harmless: snapshots are idempotent). Deliveries go in
    small groups per transaction, each in its own savepoint: one fsync per group keeps the write
    lock free for the receiver most of the time, and one bad delivery spoils nothing else.
    `pause`, asked before each group: True stops here (the receiver is taking a burst; the rest
    waits, stored, for the next pass)."""
    rows = list(WebhookDelivery.select().where(
        (WebhookDelivery.verdict == "accepted") & WebhookDelivery.processed_at.is_null())
        .order_by(WebhookDelivery.id).limit(limit))
    changed = errors = 0
    for start in range(0, len(rows), per_transaction):
        if pause is not None and start and pause():
            return ProcessResult(start, changed, errors, more=True)
        with database.atomic("IMMEDIATE"):
            for delivery in rows[start:start + per_transaction]:
                try:
                    with database.atomic():  # savepoint
                        changed += bool(_process_one(delivery, clock))
                        WebhookDelivery.update(processed_at=clock.now(), error=None).where(
                            WebhookDelivery.id == delivery.id).execute()
                except Exception as exc:  # noqa: BLE001 - one bad delivery must not block the rest
                    errors += 1
                    log.warning("webhook delivery %s (%s) could not be processed: %s",
                                delivery.id, delivery.topic, type(exc).__name__)
                    WebhookDelivery.update(processed_at=clock.now(),
                                           error=f"{type(exc).__name__}: {exc}"[:500]).where(
                        WebhookDelivery.id == delivery.id).execute()
    return ProcessResult(len(rows), changed, errors, more=len(rows) == limit)
