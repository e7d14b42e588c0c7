"""One posted-document path for every GP document: post -> settle -> verify.

An order's invoice, a refund's credit memo and a refund's SOP return all go the same way: the
number is committed (ready), GP is read before the create (posting), the create is read back
(post_once), and what GP holds is settled once: recorded posted, checked to the cent, verified
in the same commit, or held with both figures. What differs per document is thin: which GP
calls find and create it (`GPDocType`), and the words and hold rules of its row (`Side`).
A second batch or an additional invoice is one more `GPDocType`/`Side`, not another path.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from core.gp.errors import GPBatchUnavailable
from core.gp.gateway import GPDocument, GPGateway, GPLine
from core.store import audit
from core.store.db import database
from core.store.states import POSTED_STATES, DocState, move

from . import batches
from .changes import Row, change, kind_of
from .context import PipelineContext, crash_point
from .gpdoc import PostOutcome, Verification, post_once, verify
from .result import StepResult


@dataclass(frozen=True)
class GPDocType:
    """A kind of GP document: its name in messages and the GP calls that find and create it."""

    code: str  # as stored in gp_doc_type: "invoice", "credit_memo", "return"
    name: str  # in the accountant's words
    find: Callable[[GPGateway, str], GPDocument | None]
    create: Callable[[GPGateway, Any], None]
    # The read-back after GP accepted the create: by key alone (one round trip, not the list
    # read and the key read of `find`); it raises when it cannot read, never answers "absent".
    read_back: Callable[[GPGateway, str], GPDocument | None]


INVOICE = GPDocType("invoice", "invoice", lambda g, n: g.find_sales_invoice(n),
                    lambda g, d: g.create_sales_invoice(d),
                    lambda g, n: g.read_sales_invoice(n))
CREDIT_MEMO = GPDocType("credit_memo", "credit memo", lambda g, n: g.find_credit_memo(n),
                        lambda g, d: g.create_credit_memo(d),
                        lambda g, n: g.read_credit_memo(n))
RETURN = GPDocType("return", "return", lambda g, n: g.find_sales_return(n),
                   lambda g, d: g.create_sales_return(d),
                   lambda g, n: g.read_sales_return(n))
GP_DOC_TYPES = {t.code: t for t in (INVOICE, CREDIT_MEMO, RETURN)}


@dataclass(frozen=True)
class Event:
    text: str
    data: Any = None
    kind: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


class Side(Protocol):
    """The row's side of one GP document: what GP must show, and the words for each step."""

    @property
    def gp(self) -> GPDocType: ...
    @property
    def hold_first(self) -> frozenset[str]:
        """Verification failures held before the document is recorded as posted."""

    def expected(self, row: Any, doc: GPDocument) -> tuple[str, Decimal]:
        """(customer id, total) GP must show."""
    def sent_lines(self) -> list[GPLine] | None: ...
    def sending(self, row: Any, number: str) -> Event: ...
    def dedupe(self, row: Any, label: str, doc: GPDocument, reads: list[str]) -> Event: ...
    def posted(self, row: Any, label: str, doc: GPDocument, created: bool,
               reads: list[str]) -> Event: ...
    def verified(self, row: Any, label: str, doc: GPDocument) -> Event: ...
    def hold(self, ctx: PipelineContext, row: Any, v: Verification) -> Any: ...
    def fail(self, ctx: PipelineContext, row: Any, number: str, error: str,
             reads: list[str]) -> Any: ...


def post(ctx: PipelineContext, side: Side, row: Row, document: Any, number: str, *,
         before_send: Callable[[], StepResult | None] = lambda: None,
         on_send: Callable[[], None] = lambda: None) -> StepResult | Row:
    """Create the document in GP exactly once (its number is already committed on the row),
    then settle what GP holds. Returns the settled row, or the step's result when it stops.
    `on_send` writes in the transaction that records the create attempt (the document as
    sent, kept for the console)."""
    crash_point("after_record")
    stop = before_send()
    if stop is not None:
        return stop

    def sending() -> None:
        ev = side.sending(row, number)
        with database.atomic("IMMEDIATE"):
            on_send()
            change(ctx, row, "dedupe", ev.text, state=DocState.POSTING, data=ev.data)

    base = getattr(document, "batch", "")
    document = _in_batch(ctx, row, document, batches.current(base)) if base else document
    for _ in range(batches.MAX_MOVES):
        outcome: PostOutcome = post_once(lambda: side.gp.find(ctx.gateway, number),
                                         partial(side.gp.create, ctx.gateway, document),
                                         before_create=sending,
                                         read_back=lambda: side.gp.read_back(ctx.gateway,
                                                                             number))
        if not (outcome.kind == "failed" and isinstance(outcome.cause, GPBatchUnavailable)
                and base):
            break
        # GP refused the batch, not the document (and a read-back proved nothing was made):
        # the same number goes to the day's next batch.
        nxt = batches.move_on(base, document.batch, outcome.error, actor=ctx.actor,
                              clock=ctx.clock)
        document = _in_batch(ctx, row, document, nxt)
    if outcome.kind == "retry":
        return StepResult.later(outcome.error, cause=outcome.cause)
    if outcome.kind == "failed":
        side.fail(ctx, row, number, outcome.error, outcome.reads)
        return StepResult.done()
    assert outcome.document is not None
    return settle(ctx, side, type(row).get_by_id(row.id), outcome.document,
                  created=outcome.kind == "created", reads=outcome.reads)


def _in_batch(ctx: PipelineContext, row: Row, document: Any, batch: str) -> Any:
    """The document in `batch`, and the row saying so (the console shows the batch)."""
    if document.batch == batch:
        return document
    if hasattr(type(row), "gp_batch"):
        change(ctx, row, "batch_moved", f"{kind_of(row).entity} {row.woo_id} goes to GP batch "
               f"{batch} (GP will not take documents into {document.batch})",
               data={"from": document.batch, "batch": batch}, gp_batch=batch)
    return replace(document, batch=batch)


def settle(ctx: PipelineContext, side: Side, row: Row, doc: GPDocument, *, created: bool,
           reads: list[str]) -> Row:
    """GP holds the document: record posted (and the dedupe result), then verify it — posted
    and verified in one commit when the read-back matches to the cent."""
    label = f"{side.gp.name} {doc.number}"
    customer, total = side.expected(row, doc)
    expected_tax = getattr(side, "expected_tax", None)
    ship_to = getattr(side, "ship_to", None)  # the order's ship-to, invoices only
    currency = getattr(side, "currency", None)
    v = verify(doc, label=label, customer_id=customer, expected_total=total,
               sent_lines=side.sent_lines(), expected_tax=expected_tax, sent_ship_to=ship_to,
               expected_currency=currency)
    adjust = getattr(side, "adjust", None)
    if adjust is not None:
        # The side may bring GP's document in line once (a tax rounding within tolerance, the
        # payment GP's computed tax left short).
        adjusted = adjust(ctx, row, doc, v)
        if adjusted is not None:
            doc = adjusted
            v = verify(doc, label=label, customer_id=customer, expected_total=total,
                       sent_lines=side.sent_lines(), expected_tax=expected_tax,
                       sent_ship_to=ship_to, expected_currency=currency)
    if not v.ok and v.reason in side.hold_first:
        return side.hold(ctx, row, v)
    dk = kind_of(row)
    what = f"{dk.entity} {row.woo_id}"
    now = ctx.clock.now()

    def record(kind: str, ev: Event) -> None:
        audit.record(dk.entity, row.woo_id, kind, ev.text, actor=ctx.actor, clock=ctx.clock,
                     data=ev.data)

    with database.atomic("IMMEDIATE"):
        if not created:
            record("dedupe", side.dedupe(row, label, doc, reads))
        if row.state not in POSTED_STATES:
            ev = side.posted(row, label, doc, created, reads)
            move(dk.model, row.id, dk.lifecycle, DocState.POSTED, what=what,
                 posted_at=row.posted_at or now, last_error=None, next_attempt_at=None,
                 hold_reason=None, hold_detail=None, updated_at=now, **ev.fields)
            record(ev.kind or "posted", ev)
        if v.ok and row.state != DocState.VERIFIED:
            ev = side.verified(row, label, doc)
            move(dk.model, row.id, dk.lifecycle, DocState.VERIFIED, what=what, updated_at=now,
                 **ev.fields)
            record("verified", ev)
    row = type(row).get_by_id(row.id)
    if not v.ok:
        return side.hold(ctx, row, v)
    return row
