"""Document state changes, each committed together with its audit event (DESIGN §6.3).

Order / refund states: new -> (skipped | held | ready) -> posting -> posted -> verified, or
failed (GP's own message); void when WooCommerce cancelled an unposted invoice.
"""
from __future__ import annotations

from typing import Any

from peewee import IntegrityError

from core.skus import flag_sku
from core.store import audit
from core.store.db import database
from core.store.models import Order, OrderSku, Refund

from .context import PipelineContext


def order_change(ctx: PipelineContext, order: Order, kind: str | None, message: str, *,
                 data: Any = None, **fields: Any) -> Order:
    """Update the order row (only the given fields) and record the event, in one transaction."""
    with database.atomic("IMMEDIATE"):
        if fields:
            Order.update(updated_at=ctx.clock.now(), **fields).where(
                Order.id == order.id).execute()
        if kind:
            audit.record("order", order.woo_id, kind, message, actor=ctx.actor, clock=ctx.clock,
                         data=data)
    return _refreshed(order, fields, ctx)


def _refreshed(row: Any, fields: dict[str, Any], ctx: PipelineContext) -> Any:
    """The row as now stored: plain values are set in memory, expressions (attempts + 1) need
    a read."""
    from peewee import Node

    if any(isinstance(v, Node) for v in fields.values()):
        return type(row).get_by_id(row.id)
    for k, v in fields.items():
        setattr(row, k, v)
    if fields:
        row.updated_at = ctx.clock.now()
    return row


def refund_change(ctx: PipelineContext, refund: Refund, kind: str | None, message: str, *,
                  data: Any = None, **fields: Any) -> Refund:
    with database.atomic("IMMEDIATE"):
        if fields:
            Refund.update(updated_at=ctx.clock.now(), **fields).where(
                Refund.id == refund.id).execute()
        if kind:
            audit.record("refund", refund.woo_id, kind, message, actor=ctx.actor,
                         clock=ctx.clock, data=data)
    return _refreshed(refund, fields, ctx)


def hold_order(ctx: PipelineContext, order: Order, reason: str, detail: str, *,
               figures: Any = None, unknown: tuple[Any, ...] = ()) -> Order:
    """Held for a person: flag unknown SKUs (with the orders waiting on them) in the same
    transaction, so the Flagged SKUs list and the held order can never disagree."""
    with database.atomic("IMMEDIATE"):
        for u in unknown:
            flag_sku(u.sku, product_name=u.product_name, woo_product_id=u.product_id or None,
                     clock=ctx.clock)
            OrderSku.insert(order=order.id, sku=u.sku, product_name=u.product_name).on_conflict(
                conflict_target=[OrderSku.order, OrderSku.sku], update={
                    OrderSku.product_name: u.product_name}).execute()
        Order.update(state="held", hold_reason=reason, hold_detail=detail, last_error=None,
                     next_attempt_at=None, updated_at=ctx.clock.now()).where(
            Order.id == order.id).execute()
        audit.record("order", order.woo_id, "held", f"order {order.number} held ({reason}): "
                     f"{detail}", actor=ctx.actor, clock=ctx.clock,
                     data={"reason": reason, "figures": figures,
                           "skus": [u.sku for u in unknown] or None})
    return Order.get_by_id(order.id)


def fail_order(ctx: PipelineContext, order: Order, message: str, *, data: Any = None) -> Order:
    return order_change(ctx, order, "failed", f"order {order.number} failed: {message}",
                        data=data, state="failed", last_error=message[:2000],
                        attempts=Order.attempts + 1, next_attempt_at=None)


def record_number(ctx: PipelineContext, order: Order, *, number: str, batch: str,
                  customer_id: str, total: Any, message: str, data: Any) -> Order | str:
    """Commit the deterministic number before any create; a clash with another order's number
    is returned as the reason it cannot post."""
    try:
        return order_change(ctx, order, "mapped", message, data=data, state="ready",
                            gp_doc_number=number, gp_batch=batch, gp_customer_id=customer_id,
                            gp_total=total, hold_reason=None, hold_detail=None)
    except IntegrityError:
        other = Order.get_or_none(Order.gp_doc_number == number)
        return (f"document number {number} is already used by order "
                f"{other.number if other else '?'}: change [posting] doc_number_template")
