"""Held and failed documents with what to do about each; audit pages; GL rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import SQL, fn

from core.store.db import tuples
from core.store.models import AuditEvent, GlMapping, Order, Refund, utc_value
from core.store.states import REPLAYABLE, DocState

# --- held and failed ------------------------------------------------------------------------

ADVICE = {
    "sku": "Map the SKU to a GP item in Flagged SKUs; its orders replay by themselves.",
    "gl": "Set the missing account in GL mapping, then replay.",
    "customer": "Fix the customer (GP id, class or address) and replay.",
    "totals": "Totals differ beyond the rounding tolerance: check the order in WooCommerce or "
              "the tolerance in GL mapping, then replay.",
    "price": "GP re-priced a line: check the item's price level in GP, then replay.",
    "tax": "GP computed a different tax: check GP's tax schedules (or the connector's tax "
           "mode and GP's Create Taxes policy), then replay.",
    "status": "The WooCommerce status asks for a change GP cannot make by itself: act in GP, "
              "then replay.",
    "currency": "The order's currency is not set up in GP (or has no rate the connector may "
                "send): add the currency, its access and an exchange table rate in GP, or the "
                "rate in [posting] shop_rates, then replay.",
    "failed": "GP refused the document: fix what GP's message says (in GP or the mapping), "
              "then replay.",
}


@dataclass(frozen=True)
class ProblemRow:
    kind: str  # order / refund
    woo_id: int
    number: str
    state: str  # held / failed
    reason: str  # the hold reason, or "failed"
    detail: str  # our own words (hold_detail)
    gp_message: str  # GP's own message, when GP refused it
    advice: str
    updated_at: datetime


def problems(reason: str | None = None, *, limit: int = 1000) -> list[ProblemRow]:
    """Held and failed orders and refunds, oldest first (they have waited longest)."""
    out: list[ProblemRow] = []
    orders = Order.select(Order.woo_id, Order.number, Order.state, Order.hold_reason,
                          Order.hold_detail, Order.last_error, Order.updated_at).where(
        Order.state.in_(REPLAYABLE))
    refunds = Refund.select(Refund.woo_id, Order.number, Refund.state, Refund.hold_reason,
                            Refund.hold_detail, Refund.last_error, Refund.updated_at).join(
        Order).where(Refund.state.in_(REPLAYABLE))
    if reason == "failed":
        orders = orders.where(Order.state == DocState.FAILED)
        refunds = refunds.where(Refund.state == DocState.FAILED)
    elif reason:
        orders = orders.where((Order.state == DocState.HELD) & (Order.hold_reason == reason))
        refunds = refunds.where((Refund.state == DocState.HELD) & (Refund.hold_reason == reason))
    for kind, query in (("order", orders), ("refund", refunds)):
        for woo_id, number, state, hold, detail, error, updated in tuples(query.order_by(
                SQL("7"), SQL("1")).limit(limit)):
            why = "failed" if state == DocState.FAILED else (hold or "other")
            label = number if kind == "order" else f"{number}/R{woo_id}"
            out.append(ProblemRow(kind, woo_id, label, state, why, detail or "", error or "",
                                  ADVICE.get(why, "Look at the order's timeline, then replay."),
                                  utc_value(updated)))
    out.sort(key=lambda r: (r.updated_at, r.woo_id))
    return out[:limit]


def problem_counts() -> dict[str, int]:
    """reason -> held/failed orders, for the reason filter."""
    counts = {str(r or "other"): n for r, n in tuples(
        Order.select(Order.hold_reason, fn.COUNT(Order.id))
        .where(Order.state == DocState.HELD).group_by(Order.hold_reason))}
    failed = Order.select(fn.COUNT(Order.id)).where(Order.state == DocState.FAILED).scalar() or 0
    if failed:
        counts["failed"] = failed
    return counts


# --- audit ----------------------------------------------------------------------------------


def recent_audit(*, entity: str | None = None, entity_id: str | None = None,
                 before_id: int | None = None, limit: int = 200) -> list[AuditEvent]:
    """The newest events first (paged by id), for one entity or all."""
    query = AuditEvent.select()
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(query.order_by(AuditEvent.id.desc()).limit(limit))


def gl_rows() -> list[GlMapping]:
    return list(GlMapping.select().order_by(GlMapping.scope, GlMapping.scope_key,
                                            GlMapping.account_kind))


def known_gateways() -> list[str]:
    """Payment methods seen on orders (for the gateway -> cash account table)."""
    seen = {m for (m,) in tuples(Order.select(Order.payment_method).distinct().where(
        Order.payment_method.is_null(False)).limit(100)) if m}
    seen |= {k for (k,) in tuples(GlMapping.select(GlMapping.scope_key).where(
        GlMapping.scope == "gateway"))}
    return sorted(seen)
