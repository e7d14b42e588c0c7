"""Document state changes, each committed together with its audit event (DESIGN §6.3).

One `change` for every posted document (an order's invoice, a refund's credit memo or return):
the row's kind says its table, its audit entity and its lifecycle, and the lifecycle refuses a
move it does not allow (core.store.states). A new kind of document is one `DocumentKind` row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from peewee import IntegrityError, Node

from core.skus import flag_sku
from core.store import audit
from core.store.db import database
from core.store.models import Order, OrderSku, Refund
from core.store.states import (
    INVOICE_DONE,
    ORDER_LIFECYCLE,
    REFUND_DONE,
    REFUND_LIFECYCLE,
    DocState,
    Lifecycle,
    move,
)

from .context import PipelineContext

Row = TypeVar("Row", Order, Refund)


@dataclass(frozen=True)
class DocumentKind:
    """A kind of row that becomes one GP document."""

    entity: str  # the audit trail's entity, and the word in messages: "order", "refund"
    model: type[Order] | type[Refund]
    lifecycle: Lifecycle
    done: tuple[DocState, ...]  # nothing left to create in GP


ORDERS = DocumentKind("order", Order, ORDER_LIFECYCLE, INVOICE_DONE)
REFUNDS = DocumentKind("refund", Refund, REFUND_LIFECYCLE, REFUND_DONE)
_KINDS: dict[type, DocumentKind] = {Order: ORDERS, Refund: REFUNDS}


def kind_of(row: Order | Refund) -> DocumentKind:
    return _KINDS[type(row)]


def change(ctx: PipelineContext, row: Row, kind: str | None, message: str, *,
           data: Any = None, state: DocState | None = None, **fields: Any) -> Row:
    """Update the row (only the given fields; the state only along an allowed move) and record
    the event, in one transaction."""
    dk = kind_of(row)
    with database.atomic("IMMEDIATE"):
        if fields or state is not None:
            move(dk.model, row.id, dk.lifecycle, state, what=f"{dk.entity} {row.woo_id}",
                 updated_at=ctx.clock.now(), **fields)
        if kind:
            audit.record(dk.entity, row.woo_id, kind, message, actor=ctx.actor, clock=ctx.clock,
                         data=data)
    if state is not None:
        fields["state"] = state
    return _refreshed(row, fields, ctx)


def _refreshed(row: Row, fields: dict[str, Any], ctx: PipelineContext) -> Row:
    """The row as now stored: plain values are set in memory, expressions (attempts + 1) need
    a read."""
    if any(isinstance(v, Node) for v in fields.values()):
        return type(row).get_by_id(row.id)
    for k, v in fields.items():
        setattr(row, k, v)
    if fields:
        row.updated_at = ctx.clock.now()
    return row


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
        move(Order, order.id, ORDER_LIFECYCLE, DocState.HELD, what=f"order {order.woo_id}",
             hold_reason=reason, hold_detail=detail, last_error=None, next_attempt_at=None,
             updated_at=ctx.clock.now())
        audit.record("order", order.woo_id, "held", f"order {order.number} held ({reason}): "
                     f"{detail}", actor=ctx.actor, clock=ctx.clock,
                     data={"reason": reason, "figures": figures,
                           "skus": [u.sku for u in unknown] or None})
    return Order.get_by_id(order.id)


def hold_refund(ctx: PipelineContext, refund: Refund, reason: str, detail: str, *,
                figures: Any = None, text: str | None = None) -> Refund:
    return change(ctx, refund, "held", text or f"refund {refund.woo_id} held: {detail}",
                  state=DocState.HELD, hold_reason=reason, hold_detail=detail,
                  data={"figures": figures})


def fail_order(ctx: PipelineContext, order: Order, message: str, *, data: Any = None) -> Order:
    return change(ctx, order, "failed", f"order {order.number} failed: {message}",
                  data=data, state=DocState.FAILED, last_error=message[:2000],
                  attempts=Order.attempts + 1, next_attempt_at=None)


def record_number(ctx: PipelineContext, row: Row, *, number: str, message: str, data: Any,
                  **fields: Any) -> Row | str:
    """Commit the deterministic number before any create; a clash with another document's
    number is returned as the reason it cannot post."""
    model = kind_of(row).model
    try:
        return change(ctx, row, "mapped", message, data=data, state=DocState.READY,
                      gp_doc_number=number, hold_reason=None, hold_detail=None, **fields)
    except IntegrityError:
        other = model.get_or_none(model.gp_doc_number == number)
        if isinstance(other, Order) or other is None:
            owner = f"order {other.number if other else '?'}"
        else:
            owner = f"refund {other.woo_id}"
        return (f"document number {number} is already used by {owner}: change [posting] "
                "doc_number_template")
