"""Refunds: discovered through REST once their invoice exists, each posted exactly once as its
own GP credit document (RM credit memo, or SOP return for restocked lines when configured)."""
from __future__ import annotations

from core.errors import GPError, WooError
from core.gp.gateway import GPCustomer, GPDocument
from core.mapping import Held, MappedRefund, RefundInputs, Rejected, map_refund
from core.mapping.lines import sku_keys
from core.replay import REFUND_JOB, refund_job_key
from core.store import audit, queue
from core.store.db import database
from core.store.models import Order, Refund
from core.woo.views import OrderView, RefundView

from . import states
from .context import PipelineContext, crash_point
from .gpdoc import gp_message, post_once, verify
from .post_order import DONE_STATES, StepResult
from .prepare import mapping_posting, resolve_accounts, resolve_items

REFUND_DONE = ("posted", "verified", "skipped")


def restocked(refund: RefundView, order: OrderView) -> bool:
    """Did the refunded lines go back to stock? WooCommerce marks the order's line with
    `_restock_refunded_items` when it restocked them."""
    for li in refund.line_items:
        original = order.line_by_id(li.refunded_item_id or 0)
        if original is not None and original.restocked_quantity > 0:
            return True
    return False


def discover_refunds(ctx: PipelineContext, order: Order, view: OrderView) -> StepResult:
    """Create Refund rows for refunds WooCommerce lists on the order and queue their posting;
    re-queue refunds that were waiting for this invoice."""
    known = {r.woo_id for r in Refund.select(Refund.woo_id).where(Refund.order == order.id)}
    missing = [s for s in view.refunds if s.id not in known]
    payloads: dict[int, dict] = {}
    if missing:
        try:
            for p in ctx.woo.list_refunds(order.woo_id):
                payloads[int(p.get("id") or 0)] = p
        except WooError as exc:
            return StepResult.later(f"WooCommerce refunds could not be read: {exc}")
    now = ctx.clock.now()
    with database.atomic("IMMEDIATE"):
        for s in missing:
            payload = payloads.get(s.id)
            if payload is None:
                continue  # listed on the order but not served yet: the next pass finds it
            rv = RefundView.from_payload(payload, order_id=order.woo_id)
            Refund.insert(woo_id=rv.id, order=order.id, amount=rv.amount, reason=rv.reason,
                          restock=restocked(rv, view), payload=payload,
                          date_created_gmt=rv.date_created, state="new", created_at=now,
                          updated_at=now).on_conflict_ignore().execute()
            audit.record("refund", rv.id, "received", f"refund {rv.id} of order {order.number} "
                         f"({rv.amount}) found through WooCommerce REST", actor=ctx.actor,
                         clock=ctx.clock, data={"order": order.woo_id, "amount": str(rv.amount)})
        for r in Refund.select().where((Refund.order == order.id) & (Refund.state == "new")):
            queue.enqueue(REFUND_JOB, refund_job_key(r.woo_id), clock=ctx.clock,
                          group_key=order.customer_key)
    return StepResult.done()


def _find(ctx: PipelineContext, doc_type: str, number: str) -> GPDocument | None:
    if doc_type == "return":
        return ctx.gateway.find_sales_return(number)
    return ctx.gateway.find_credit_memo(number)


def process_refund(ctx: PipelineContext, woo_id: int) -> StepResult:
    refund = Refund.get_or_none(Refund.woo_id == woo_id)
    if refund is None or refund.state in REFUND_DONE:
        return StepResult.done()
    order = Order.get_by_id(refund.order_id)
    if order.state == "void":
        states.refund_change(ctx, refund, "skipped", f"refund {woo_id} not posted: invoice "
                             f"{order.gp_doc_number} was voided, nothing is owed",
                             state="skipped", hold_detail="invoice voided")
        return StepResult.done()
    if order.state not in DONE_STATES or not order.gp_doc_number:
        text = f"waits for the invoice of order {order.number} (now {order.state})"
        if refund.hold_detail != text:
            states.refund_change(ctx, refund, None, "", hold_detail=text)
        return StepResult.done()  # posting the invoice queues this refund again
    payload = refund.payload
    if not payload:
        try:
            payload = ctx.woo.get_refund(order.woo_id, woo_id)
        except WooError as exc:
            return StepResult.later(f"WooCommerce refund could not be read: {exc}")
    rview = RefundView.from_payload(payload, order_id=order.woo_id)
    oview = OrderView.from_payload(order.payload or {})
    if refund.gp_doc_number and refund.gp_doc_type:
        try:
            found = _find(ctx, refund.gp_doc_type, refund.gp_doc_number)
        except GPError as exc:
            return StepResult.later(f"GP could not be read: {gp_message(exc)}")
        if found is not None:
            return _settle(ctx, refund, found, created=False, reads=["on resume: found"])
    customer = GPCustomer(order.gp_customer_id or "", "", ctx.settings.posting.customer_class)
    try:
        items = (resolve_items(ctx, sku_keys(rview.line_items))
                 if ctx.settings.posting.refund_document == "return_when_restocked" else {})
    except GPError as exc:
        return StepResult.later(f"GP could not be read: {gp_message(exc)}")
    inputs = RefundInputs(mapping_posting(ctx.settings.posting), order.gp_customer_id or "",
                          order.gp_doc_number,
                          resolve_accounts(customer, ""), ctx.clock.now().date(), items=items,
                          restocked=refund.restock)
    result = map_refund(rview, oview, inputs)
    if isinstance(result, Held):
        states.refund_change(ctx, refund, "held", f"refund {woo_id} held ({result.reason}): "
                             f"{result.detail}", state="held", hold_reason=result.reason,
                             hold_detail=result.detail, data={"figures": result.figures})
        return StepResult.done()
    if isinstance(result, Rejected):
        states.refund_change(ctx, refund, "failed", f"refund {woo_id} failed: {result.detail}",
                             state="failed", last_error=result.detail)
        return StepResult.done()
    assert isinstance(result, MappedRefund)
    return _post(ctx, refund, order, result)


def _post(ctx: PipelineContext, refund: Refund, order: Order, mapped: MappedRefund
          ) -> StepResult:
    doc = mapped.document
    number = refund.gp_doc_number or doc.number
    if number != doc.number:
        from dataclasses import replace

        doc = replace(doc, number=number)
    doc_type = refund.gp_doc_type or mapped.doc_type
    kind = "credit memo" if doc_type == "credit_memo" else "return"
    refund = states.refund_change(
        ctx, refund, "mapped", f"refund {refund.woo_id} of order {order.number} mapped to {kind} "
        f"{number} ({mapped.expected_total}) against invoice {order.gp_doc_number}",
        data={"figures": mapped.figures.as_dict(), "number": number, "type": doc_type},
        state="ready", gp_doc_number=number, gp_doc_type=doc_type,
        gp_total=mapped.expected_total, hold_reason=None, hold_detail=None)
    crash_point("after_record")

    def sending() -> None:
        states.refund_change(ctx, refund, "dedupe", f"GP has no {kind} {number}: creating it",
                             state="posting", data={"number": number, "found": False})

    create = (ctx.gateway.create_sales_return if doc_type == "return"
              else ctx.gateway.create_credit_memo)
    outcome = post_once(lambda: _find(ctx, doc_type, number),
                        lambda: create(doc),  # type: ignore[arg-type]
                        before_create=sending)
    if outcome.kind == "retry":
        return StepResult.later(outcome.error)
    if outcome.kind == "failed":
        states.refund_change(ctx, refund, "failed", f"GP rejected {kind} {number}: "
                             f"{outcome.error}", state="failed", last_error=outcome.error,
                             attempts=Refund.attempts + 1)
        return StepResult.done()
    assert outcome.document is not None
    return _settle(ctx, Refund.get_by_id(refund.id), outcome.document,
                   created=outcome.kind == "created", reads=outcome.reads)


def _settle(ctx: PipelineContext, refund: Refund, doc: GPDocument, *, created: bool,
            reads: list[str]) -> StepResult:
    order = Order.get_by_id(refund.order_id)
    kind = "credit memo" if refund.gp_doc_type != "return" else "return"
    expected = refund.gp_total if refund.gp_total is not None else refund.amount
    v = verify(doc, label=f"{kind} {doc.number}", customer_id=order.gp_customer_id or "",
               expected_total=expected)
    data = {"number": doc.number, "total": str(doc.total), "created": created, "reads": reads,
            "invoice": order.gp_doc_number}
    if not created:
        states.refund_change(ctx, refund, "dedupe", f"GP already holds {kind} {doc.number}: not "
                             "created again", data={"number": doc.number, "found": True})
    if refund.state not in ("posted", "verified"):
        refund = states.refund_change(
            ctx, refund, "credit_memo", f"refund {refund.woo_id} of order {order.number} posted "
            f"to GP as {kind} {doc.number} ({doc.total}) against invoice {order.gp_doc_number}",
            data=data, state="posted", posted_at=ctx.clock.now(), last_error=None,
            next_attempt_at=None)
    if not v.ok:
        states.refund_change(ctx, refund, "held", f"refund {refund.woo_id} held: {v.detail}",
                             state="held", hold_reason="totals" if v.reason != "price" else
                             "price", hold_detail=v.detail, data={"figures": v.figures})
        return StepResult.done()
    states.refund_change(ctx, refund, "verified", f"{kind} {doc.number} read back from GP: "
                         f"total {doc.total} matches the refund", state="verified",
                         gp_total=doc.total)
    return StepResult.done()
