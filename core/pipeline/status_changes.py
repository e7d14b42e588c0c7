"""WooCommerce order status changes after the invoice exists, through a configurable, audited
map.

[posting] status_map, e.g. cancelled -> void (when unposted; a credit memo once the accountant
posted the batch), refunded -> credit_memo (for whatever the refunds do not already cover),
on-hold -> hold (released when the order becomes eligible again). Each action is applied once per
status change: the last applied (status, action) is kept on the order (status_applied,
status_action), written in the same commit as the audit event that records it. A credit memo
goes through the one document path and is verified against GP (core.pipeline.status_credit).
"""
from __future__ import annotations

from typing import Any

from core.errors import GPError, GPRefused
from core.store.models import Order
from core.store.states import DocState
from core.woo.views import OrderView

from .changes import change
from .context import PipelineContext
from .gpdoc import gp_message
from .result import StepResult
from .status_credit import credit


def applied(ctx: PipelineContext, order: Order, kind: str, message: str, *, status: str,
            action: str, state: DocState | None = None, **data: Any) -> Order:
    """Record a status change as applied: the columns and the audit event, in one commit."""
    return change(ctx, order, kind, message, data={"status": status, "action": action, **data},
                  state=state, status_applied=status, status_action=action)


def apply_status(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    posting = ctx.settings.posting
    number = order.gp_doc_number or ""
    if view.status in posting.eligible_statuses:
        if order.status_action == "hold":
            try:
                ctx.gateway.set_invoice_hold(number, False)
                text = f"hold on invoice {number} released"
            except GPRefused as exc:
                # Recorded as GP answered, never as released: the accountant sees GP's words.
                text = (f"the hold on invoice {number} could not be released in GP: "
                        f"{gp_message(exc)}")
            except GPError as exc:  # GP unreachable, or the invoice in use: released later
                return StepResult.later(f"GP hold release: {gp_message(exc)}", cause=exc)
            applied(ctx, order, "status_updated", f"order {order.number} is {view.status} "
                    f"again: {text}", status=view.status, action="release")
        return StepResult.done()
    action = posting.status_map.get(view.status, "none")
    if action == "none" or order.status_applied == view.status or order.state == DocState.VOID:
        return StepResult.done()
    if action == "hold":
        return _hold(ctx, order, view, number)
    if action == "void":
        return _void(ctx, order, view, number)
    if action == "credit_memo":
        return credit(ctx, order, view, reason=view.status.capitalize())
    applied(ctx, order, "status_updated", f"status {view.status}: unknown action {action!r} in "
            "[posting] status_map, nothing done", status=view.status, action="none")
    return StepResult.done()


def _hold(ctx: PipelineContext, order: Order, view: OrderView, number: str) -> StepResult:
    try:
        ctx.gateway.set_invoice_hold(number, True)
        text = f"invoice {number} put on hold in GP"
    except GPRefused as exc:
        text = f"invoice {number} could not be held in GP: {gp_message(exc)}"
    except GPError as exc:
        return StepResult.later(f"GP hold: {gp_message(exc)}", cause=exc)
    applied(ctx, order, "status_updated", f"order {order.number} is {view.status}: " + text,
            status=view.status, action="hold")
    return StepResult.done()


def _void(ctx: PipelineContext, order: Order, view: OrderView, number: str) -> StepResult:
    try:
        doc = ctx.gateway.find_sales_invoice(number)
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}", cause=exc)
    if doc is not None and doc.state == "history":
        # Posted by the accountant: GP can no longer void it; credit what is still owed.
        return credit(ctx, order, view, reason="Cancelled")
    if doc is not None and doc.state != "void":
        try:
            ctx.gateway.void_sales_invoice(number)
        except GPRefused as exc:
            return StepResult.later(f"GP void of {number}: {gp_message(exc)}", transient=False)
        except GPError as exc:
            return StepResult.later(f"GP void of {number}: {gp_message(exc)}", cause=exc)
    applied(ctx, order, "voided", f"order {order.number} {view.status} in WooCommerce: "
            f"invoice {number} voided in GP", status=view.status, action="void",
            state=DocState.VOID, number=number)
    return StepResult.done()
