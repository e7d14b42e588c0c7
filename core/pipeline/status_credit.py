"""The credit memo an order's status change raises (cancelled or refunded after the accountant
posted the invoice), through the one document path: GP is read before the create, the create is
read back, and what GP holds is settled and verified to the cent (core.pipeline.documents).

The memo has no row of its own: its number is derived from the invoice's, and the order carries
it. The order's invoice is already verified, so settling the memo moves no state when GP agrees
(the order stays verified and the status change is recorded as applied, with the read-back);
when GP's memo differs (another amount, another customer, voided) the order is held with both
figures and what to do, and the status change stays unapplied, so a replay after the fix in GP
reads the memo again instead of taking it on trust.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.gp.gateway import GPCustomer, GPDocument, GPLine
from core.mapping import Held, RefundInputs, Rejected, map_status_credit
from core.money import ZERO
from core.store import audit
from core.store.db import database
from core.store.models import Order
from core.store.states import DocState
from core.woo.views import OrderView

from .changes import change, hold_order
from .context import PipelineContext
from .documents import CREDIT_MEMO, Event, GPDocType, settle
from .gpdoc import Verification, post_once
from .prepare import resolve_accounts
from .result import StepResult


def _applied(ctx: PipelineContext, order: Order, kind: str, message: str, *, status: str,
             **data: object) -> Order:
    return change(ctx, order, kind, message, data={"status": status, "action": "credit_memo",
                                                   **data},
                  status_applied=status, status_action="credit_memo")


@dataclass(frozen=True)
class StatusCredit:
    """The order's side of the credit memo its status change raises (documents.Side)."""

    view: OrderView
    number: str
    amount: Decimal  # what the memo must credit, to the cent
    gp: GPDocType = CREDIT_MEMO
    hold_first: frozenset[str] = frozenset()

    def expected(self, order: Order, doc: GPDocument) -> tuple[str, Decimal]:
        return order.gp_customer_id or "", self.amount

    def sent_lines(self) -> list[GPLine] | None:
        return None

    def sending(self, order: Order, number: str) -> Event:
        return Event(f"GP has no credit memo {number}: creating it",
                     {"number": number, "found": False, "status": self.view.status})

    def dedupe(self, order: Order, label: str, doc: GPDocument, reads: list[str]) -> Event:
        return Event(f"GP already holds {label}: not created again",
                     {"number": doc.number, "found": True, "reads": reads})

    def posted(self, order: Order, label: str, doc: GPDocument, created: bool,
               reads: list[str]) -> Event:
        # Only reached for an order whose invoice is not yet settled, which `credit` refuses.
        return Event(f"{label} posted to GP ({doc.total})", {"number": doc.number})

    def verified(self, order: Order, label: str, doc: GPDocument) -> Event:
        return Event(f"{label} read back from GP: total {doc.total} matches")

    def hold(self, ctx: PipelineContext, order: Order, v: Verification) -> Order:
        detail = (f"order {order.number} is {self.view.status} in WooCommerce; {v.detail}. "
                  f"Correct {self.gp.name} {self.number} in GP so that it credits "
                  f"{self.amount} to customer {order.gp_customer_id} against invoice "
                  f"{order.gp_doc_number}, then replay the order")
        return hold_order(ctx, order, v.reason, detail,
                          figures={**v.figures, "number": self.number,
                                   "status": self.view.status})

    def fail(self, ctx: PipelineContext, order: Order, number: str, error: str,
             reads: list[str]) -> Order:
        return _applied(ctx, order, "status_updated", f"GP rejected credit memo {number}: "
                        f"{error}", status=self.view.status, problem=error)


def credit(ctx: PipelineContext, order: Order, view: OrderView, *, reason: str) -> StepResult:
    """Credit what the posted invoice still owes, exactly once, verified against GP."""
    remaining: Decimal = (order.gp_total or view.total) - view.refunded_total
    if remaining <= ZERO:
        _applied(ctx, order, "status_updated", f"order {order.number} is {view.status}: its "
                 "refunds already credit the whole invoice", status=view.status)
        return StepResult.done()
    if order.state != DocState.VERIFIED:
        # The memo is checked against a verified invoice only: verification comes first.
        return StepResult.later(f"credit memo for order {order.number} waits for its invoice "
                                f"to be verified (now {order.state})")
    customer = GPCustomer(order.gp_customer_id or "", "", ctx.settings.posting.customer_class)
    inputs = RefundInputs(ctx.settings.posting, order.gp_customer_id or "", order.gp_doc_number
                          or "", resolve_accounts(customer, ""), ctx.clock.now().date(),
                          functional_currency=ctx.settings.gp.functional_currency)
    result = map_status_credit(view, inputs, amount=remaining, reason=reason)
    if isinstance(result, (Held, Rejected)):
        _applied(ctx, order, "status_updated", f"order {order.number} is {view.status}: no "
                 f"credit memo ({result.detail})", status=view.status, problem=result.detail)
        return StepResult.done()
    memo = result.document
    side = StatusCredit(view, memo.number, result.expected_total)

    def sending() -> None:
        ev = side.sending(order, memo.number)
        audit.record("order", order.woo_id, "dedupe", ev.text, actor=ctx.actor,
                     clock=ctx.clock, data=ev.data)

    # The same find/create/read-back as every document; the memo's number is derived from the
    # invoice's, so reading GP first makes it exactly once without a row of its own.
    outcome = post_once(lambda: CREDIT_MEMO.find(ctx.gateway, memo.number),
                        lambda: CREDIT_MEMO.create(ctx.gateway, memo), before_create=sending,
                        read_back=lambda: CREDIT_MEMO.read_back(ctx.gateway, memo.number))
    if outcome.kind == "retry":
        return StepResult.later(outcome.error, cause=outcome.cause)
    if outcome.kind == "failed":
        side.fail(ctx, order, memo.number, outcome.error, outcome.reads)
        return StepResult.done()
    assert outcome.document is not None
    doc = outcome.document
    with database.atomic("IMMEDIATE"):
        settled = settle(ctx, side, order, doc, created=outcome.kind == "created",
                         reads=outcome.reads)
        if settled.state == DocState.HELD:
            return StepResult.done()
        _applied(ctx, settled, "credit_memo", f"order {order.number} is {view.status}: credit "
                 f"memo {memo.number} for {remaining} against invoice {order.gp_doc_number}; "
                 f"read back from GP: total {doc.total} matches", status=view.status,
                 number=memo.number, amount=str(remaining), reads=outcome.reads,
                 verified=True)
    return StepResult.done()
