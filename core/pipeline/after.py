"""What happens once GP holds the invoice: posted, verified (or held with both figures), then
status changes and refunds for that invoice."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.errors import GPError
from core.gp.gateway import GPDocument, GPLine
from core.store import audit
from core.store.db import database
from core.store.models import Order
from core.woo.views import OrderView

from . import states
from .context import PipelineContext
from .gpdoc import gp_message, verify
from .post_order import DONE_STATES, StepResult

_HOLD_FOR = {"price": "price", "totals": "totals", "customer": "customer", "void": "status"}


def settle_found(ctx: PipelineContext, order: Order, view: OrderView, doc: GPDocument, *,
                 created: bool, reads: list[str], sent_lines: list[GPLine] | None = None
                 ) -> Order:
    """GP holds the document: record posted (and the dedupe result), then verify it."""
    expected: Decimal = order.gp_total if order.gp_total is not None else view.total
    customer = order.gp_customer_id or doc.customer_id
    label = f"invoice {doc.number}"
    v = verify(doc, label=label, customer_id=customer, expected_total=expected,
               sent_lines=sent_lines)
    if not v.ok and v.reason in ("customer", "void"):
        return states.hold_order(ctx, order, _HOLD_FOR[v.reason], v.detail, figures=v.figures)
    now = ctx.clock.now()
    data: dict[str, Any] = {"number": doc.number, "gp_total": str(doc.total), "state": doc.state,
                            "created": created, "reads": reads}
    with database.atomic("IMMEDIATE"):
        if not created:
            audit.record("order", order.woo_id, "dedupe", f"GP already holds {label} "
                         f"({doc.state}): not created again", actor=ctx.actor, clock=ctx.clock,
                         data={"number": doc.number, "found": True, "reads": reads})
        if order.state not in ("posted", "verified"):
            # gp_total stays what WooCommerce says GP must show: a replay re-checks against it.
            Order.update(state="posted", posted_at=order.posted_at or now,
                         last_error=None, next_attempt_at=None, hold_reason=None,
                         hold_detail=None, updated_at=now).where(Order.id == order.id).execute()
            audit.record("order", order.woo_id, "posted", f"order {order.number} posted to GP as "
                         f"{label} (batch {doc.batch or order.gp_batch}, total {doc.total})",
                         actor=ctx.actor, clock=ctx.clock, data=data)
        if v.ok and order.state != "verified":
            # Read back and equal to the cent: verified in the same commit as posted.
            Order.update(state="verified", updated_at=now).where(Order.id == order.id).execute()
            audit.record("order", order.woo_id, "verified", f"{label} read back from GP: "
                         f"customer {doc.customer_id}, total {doc.total} matches WooCommerce to "
                         "the cent", actor=ctx.actor, clock=ctx.clock,
                         data={"number": doc.number, "total": str(doc.total)})
    order = Order.get_by_id(order.id)
    if not v.ok:
        return states.hold_order(ctx, order, _HOLD_FOR[v.reason], v.detail, figures=v.figures)
    return order


def after_posting(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    """Verification left over from a crash, then status changes, then refunds."""
    if order.state == "posted" and order.gp_doc_number:
        try:
            found = ctx.gateway.find_sales_invoice(order.gp_doc_number)
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}")
        if found is not None:
            order = settle_found(ctx, order, view, found, created=False, reads=["verify: found"])
    if order.state not in DONE_STATES:
        return StepResult.done()
    from .post_refund import discover_refunds
    from .status import apply_status

    result = apply_status(ctx, order, view)
    if result.retry:
        return result
    return discover_refunds(ctx, Order.get_by_id(order.id), view)
