"""WooCommerce status changes after the invoice exists, through a configurable, audited map.

[posting] status_map, e.g. cancelled -> void (when unposted; a credit memo once the accountant
posted the batch), refunded -> credit_memo (for whatever the refunds do not already cover),
on-hold -> hold (released when the order becomes eligible again). Each action is applied once per
status change: the last applied (status, action) is read from the order's audit trail.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.errors import GPError
from core.gp.gateway import GPCustomer
from core.mapping import Held, RefundInputs, Rejected, map_status_credit
from core.money import ZERO
from core.store.models import AuditEvent, Order
from core.woo.views import OrderView

from . import states
from .context import PipelineContext
from .gpdoc import gp_message, post_once
from .post_order import StepResult
from .prepare import resolve_accounts

STATUS_KINDS = ("status_updated", "voided", "credit_memo")


def last_applied(order: Order) -> dict[str, Any]:
    ev = (AuditEvent.select().where((AuditEvent.entity == "order")
                                    & (AuditEvent.entity_id == str(order.woo_id))
                                    & (AuditEvent.kind.in_(STATUS_KINDS)))
          .order_by(AuditEvent.id.desc()).first())
    return dict(ev.data or {}) if ev is not None else {}


def apply_status(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    posting = ctx.settings.posting
    last = last_applied(order)
    number = order.gp_doc_number or ""
    if view.status in posting.eligible_statuses:
        if last.get("action") == "hold":
            try:
                ctx.gateway.set_invoice_hold(number, False)
            except GPError as exc:
                if not exc.validation:
                    return StepResult.later(f"GP hold release: {gp_message(exc)}")
            states.order_change(ctx, order, "status_updated", f"order {order.number} is "
                                f"{view.status} again: hold on invoice {number} released",
                                data={"status": view.status, "action": "release"})
        return StepResult.done()
    action = posting.status_map.get(view.status, "none")
    if action == "none" or last.get("status") == view.status or order.state == "void":
        return StepResult.done()
    if action == "hold":
        return _hold(ctx, order, view, number)
    if action == "void":
        return _void(ctx, order, view, number)
    if action == "credit_memo":
        return _credit(ctx, order, view, reason=view.status.capitalize())
    states.order_change(ctx, order, "status_updated", f"status {view.status}: unknown action "
                        f"{action!r} in [posting] status_map, nothing done",
                        data={"status": view.status, "action": "none"})
    return StepResult.done()


def _hold(ctx: PipelineContext, order: Order, view: OrderView, number: str) -> StepResult:
    try:
        ctx.gateway.set_invoice_hold(number, True)
        text = f"invoice {number} put on hold in GP"
    except GPError as exc:
        if not exc.validation:
            return StepResult.later(f"GP hold: {gp_message(exc)}")
        text = f"invoice {number} could not be held in GP: {gp_message(exc)}"
    states.order_change(ctx, order, "status_updated", f"order {order.number} is {view.status}: "
                        + text, data={"status": view.status, "action": "hold"})
    return StepResult.done()


def _void(ctx: PipelineContext, order: Order, view: OrderView, number: str) -> StepResult:
    try:
        doc = ctx.gateway.find_sales_invoice(number)
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}")
    if doc is not None and doc.state == "history":
        # Posted by the accountant: GP can no longer void it; credit what is still owed.
        return _credit(ctx, order, view, reason="Cancelled")
    if doc is not None and doc.state != "void":
        try:
            ctx.gateway.void_sales_invoice(number)
        except GPError as exc:
            return StepResult.later(f"GP void of {number}: {gp_message(exc)}",
                                    transient=not exc.validation)
    states.order_change(ctx, order, "voided", f"order {order.number} {view.status} in "
                        f"WooCommerce: invoice {number} voided in GP", state="void",
                        data={"status": view.status, "action": "void", "number": number})
    return StepResult.done()


def _credit(ctx: PipelineContext, order: Order, view: OrderView, *, reason: str) -> StepResult:
    remaining: Decimal = (order.gp_total or view.total) - view.refunded_total
    if remaining <= ZERO:
        states.order_change(ctx, order, "status_updated", f"order {order.number} is "
                            f"{view.status}: its refunds already credit the whole invoice",
                            data={"status": view.status, "action": "credit_memo"})
        return StepResult.done()
    customer = GPCustomer(order.gp_customer_id or "", "", ctx.settings.posting.customer_class)
    inputs = RefundInputs(ctx.settings.posting, order.gp_customer_id or "", order.gp_doc_number
                          or "", resolve_accounts(customer, ""), ctx.clock.now().date())
    result = map_status_credit(view, inputs, amount=remaining, reason=reason)
    if isinstance(result, (Held, Rejected)):
        states.order_change(ctx, order, "status_updated", f"order {order.number} is "
                            f"{view.status}: no credit memo ({result.detail})",
                            data={"status": view.status, "action": "credit_memo",
                                  "problem": result.detail})
        return StepResult.done()
    memo = result.document
    outcome = post_once(lambda: ctx.gateway.find_credit_memo(memo.number),
                        lambda: ctx.gateway.create_credit_memo(memo),  # type: ignore[arg-type]
                        before_create=lambda: None)
    if outcome.kind == "retry":
        return StepResult.later(outcome.error)
    if outcome.kind == "failed":
        states.order_change(ctx, order, "status_updated", f"GP rejected credit memo "
                            f"{memo.number}: {outcome.error}",
                            data={"status": view.status, "action": "credit_memo",
                                  "problem": outcome.error})
        return StepResult.done()
    states.order_change(ctx, order, "credit_memo", f"order {order.number} is {view.status}: "
                        f"credit memo {memo.number} for {remaining} against invoice "
                        f"{order.gp_doc_number}", data={"status": view.status,
                                                          "action": "credit_memo",
                                                          "number": memo.number,
                                                          "amount": str(remaining),
                                                          "reads": outcome.reads})
    return StepResult.done()
