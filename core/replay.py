"""Replay: put held or failed documents back in the posting queue.

Idempotent and safe to run twice at once: each replay is one BEGIN IMMEDIATE transaction that
resets the document and (re)enqueues its job; the queue never duplicates a job and the pipeline
reads GP before any create, so a replay can never make a second invoice.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.clock import SYSTEM_CLOCK, Clock
from core.store import audit, queue
from core.store.db import database
from core.store.models import Order, OrderSku, Refund
from core.store.states import (
    ORDER_LIFECYCLE,
    REFUND_LIFECYCLE,
    REPLAYABLE,
    DocState,
    Lifecycle,
    move,
)

ORDER_JOB = "post_order"
REFUND_JOB = "post_refund"


def order_job_key(woo_id: int) -> str:
    return f"order:{woo_id}"


def refund_job_key(woo_id: int) -> str:
    return f"refund:{woo_id}"


@dataclass(frozen=True)
class _Replayed:
    """What replaying one kind of document needs: its table, lifecycle, job and words."""

    entity: str
    model: type[Order] | type[Refund]
    lifecycle: Lifecycle
    job: str


_ORDERS = _Replayed("order", Order, ORDER_LIFECYCLE, ORDER_JOB)
_REFUNDS = _Replayed("refund", Refund, REFUND_LIFECYCLE, REFUND_JOB)


def _replay(kind: _Replayed, row_id: int, actor: str, clock: Clock, why: str) -> bool:
    with database.atomic("IMMEDIATE"):
        fresh = kind.model.get_by_id(row_id)
        if fresh.state not in REPLAYABLE:
            return False
        order = fresh if isinstance(fresh, Order) else fresh.order
        move(kind.model, fresh.id, kind.lifecycle, DocState.NEW, what=f"{kind.entity} "
             f"{fresh.woo_id}", hold_reason=None, hold_detail=None, last_error=None, attempts=0,
             next_attempt_at=None, updated_at=clock.now())
        queue.enqueue(kind.job, f"{kind.entity}:{fresh.woo_id}", clock=clock,
                      group_key=order.customer_key)
        if isinstance(fresh, Order):
            was = f"{fresh.state}" + (f" ({fresh.hold_reason})" if fresh.hold_reason else "")
            text = f"order {fresh.number} replayed ({why}); was {was}"
        else:
            text = f"refund {fresh.woo_id} of order {order.number} replayed ({why}); was " \
                   f"{fresh.state}"
        audit.record(kind.entity, fresh.woo_id, "replayed", text, actor=actor, clock=clock)
        return True


def order_woo_ids(numbers: Iterable[str]) -> tuple[list[int], list[str]]:
    """WooCommerce ids of orders given by number (or id); and the texts that match no order."""
    found: list[int] = []
    unknown: list[str] = []
    for text in numbers:
        row = Order.get_or_none(Order.number == text)
        if row is None and text.isdigit():
            row = Order.get_or_none(Order.woo_id == int(text))
        if row is None:
            unknown.append(text)
        else:
            found.append(row.woo_id)
    return found, unknown


def _states(held_reason: str | None, held: bool, failed: bool) -> list[DocState]:
    states: list[DocState] = []
    if held or held_reason:
        states.append(DocState.HELD)
    if failed:
        states.append(DocState.FAILED)
    return states


def replayable_orders(woo_ids: Iterable[int] | None = None, *, held_reason: str | None = None,
                      held: bool = False, failed: bool = False,
                      sku: str | None = None) -> list[Order]:
    """The orders a replay with these filters moves, in order (a dry run shows the same)."""
    query = Order.select().where(Order.state.in_(REPLAYABLE))
    if woo_ids is not None:
        query = query.where(Order.woo_id.in_(list(woo_ids)))
    states = _states(held_reason, held, failed)
    if states:
        query = query.where(Order.state.in_(states))
    if held_reason:
        query = query.where((Order.state != DocState.HELD) | (Order.hold_reason == held_reason))
    if sku is not None:
        with_sku = OrderSku.select(OrderSku.order).where(OrderSku.sku == sku)
        query = query.where(Order.id.in_(with_sku))
    return list(query.order_by(Order.id))


def replay_orders(woo_ids: Iterable[int] | None = None, *, held_reason: str | None = None,
                  held: bool = False, failed: bool = False, sku: str | None = None,
                  actor: str, clock: Clock = SYSTEM_CLOCK, why: str = "replay") -> int:
    """Replay the selected orders (and their held/failed refunds). Returns how many moved."""
    if woo_ids is not None:
        woo_ids = list(woo_ids)
    orders = replayable_orders(woo_ids, held_reason=held_reason, held=held, failed=failed,
                               sku=sku)
    states = _states(held_reason, held, failed)
    moved = 0
    for order in orders:
        moved += _replay(_ORDERS, order.id, actor, clock, why)
    refunds = Refund.select().join(Order).where(Refund.state.in_(states or list(REPLAYABLE)))
    if woo_ids is not None:
        refunds = refunds.where(Order.woo_id.in_(woo_ids))
    if sku is None and (held_reason is None or held_reason != "sku"):
        for refund in list(refunds):
            moved += _replay(_REFUNDS, refund.id, actor, clock, why)
    return moved
