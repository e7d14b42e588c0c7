"""The periodic look at what the shop changed without telling.

WooCommerce sends no webhook when a refund is deleted (and the order's modified time does not
move), nor when an order's status is changed out of trash over REST; the poll, which walks
modified times, cannot see the first and may miss the second. So the worker compares, every
CHECK_EVERY_S, the orders it took in over the last LOOKBACK with the shop's own view of them
(status and refunds, one cheap listing):

- a different status: the order is taken in again (accept_order_snapshot), so the pipeline
  acts on the change exactly once like any other;
- a refund the connector took in and the shop no longer has: recorded (audit, and in Setting
  `intake.drift` for `status` and the console) with the GP credit document that still stands
  and what to do. Never silently dropped, never silently reversed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from core.clock import Clock
from core.errors import ConnectorError, WooError
from core.intake.inbox import accept_order_snapshot
from core.store import audit
from core.store.db import database
from core.store.models import Order, Refund, Setting
from core.woo.client import WooClient, format_gmt

log = logging.getLogger(__name__)

CHECK_EVERY_S = 3600.0
LOOKBACK = timedelta(days=31)
DRIFT_KEY = "intake.drift"
ACTOR = "worker:check"


@dataclass
class DriftResult:
    status_changes: list[str] = field(default_factory=list)
    deleted_refunds: list[dict[str, Any]] = field(default_factory=list)


def _live(woo: WooClient, since: str) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for status in ("any", "trash"):
        for page in woo.iter_pages("orders", {"after": since, "dates_are_gmt": "true",
                                              "status": status, "per_page": 100,
                                              "_fields": "id,status,refunds"}):
            for item in page.items:
                out[int(item["id"])] = item
    return out


def check_drift(woo: WooClient, *, clock: Clock) -> DriftResult:
    """One comparison (see the module docstring)."""
    now = clock.now()
    since = now - LOOKBACK
    live = _live(woo, format_gmt(since))
    result = DriftResult()
    stored = list(Order.select(Order.id, Order.woo_id, Order.number, Order.status)
                  .where(Order.date_created_gmt >= since))
    refunds: dict[int, list[Refund]] = {}
    for r in Refund.select().where(Refund.order.in_([o.id for o in stored])):
        refunds.setdefault(r.order_id, []).append(r)
    for order in stored:
        shop = live.get(order.woo_id)
        if shop is None:
            continue  # deleted for good: a 404 the pipeline reports when it next reads it
        if str(shop.get("status")) != order.status:
            try:
                payload = woo.get_order(order.woo_id)
            except WooError as exc:
                log.warning("order %s: status differs but it cannot be read: %s", order.number,
                            exc)
                continue
            if accept_order_snapshot(payload, source="check", clock=clock):
                result.status_changes.append(
                    f"order {order.number}: {order.status} -> {shop.get('status')}")
        kept = {int(x.get("id", 0)) for x in shop.get("refunds") or []}
        for r in refunds.get(order.id, []):
            if r.woo_id not in kept:
                result.deleted_refunds.append({
                    "order": order.number, "refund": r.woo_id, "amount": str(r.amount),
                    "gp_document": r.gp_doc_number or "", "state": r.state})
    _record(result, clock=clock)
    return result


def _record(result: DriftResult, *, clock: Clock) -> None:
    now = clock.now()
    row = Setting.get_or_none(Setting.key == DRIFT_KEY)
    before = {(d["order"], d["refund"]) for d in
              ((row.value or {}).get("deleted_refunds", []) if row else [])}
    value = {"checked_at": now.isoformat(timespec="seconds"),
             "deleted_refunds": result.deleted_refunds,
             "status_changes": result.status_changes}
    with database.atomic():
        for d in result.deleted_refunds:
            if (d["order"], d["refund"]) in before:
                continue
            audit.record("refund", d["refund"], "deleted_in_shop", deleted_text(d),
                         actor=ACTOR, data=d, clock=clock)
            log.warning("%s", deleted_text(d))
        Setting.insert(key=DRIFT_KEY, value=value, updated_by=ACTOR, updated_at=now).on_conflict(
            conflict_target=[Setting.key],
            update={Setting.value: value, Setting.updated_by: ACTOR,
                    Setting.updated_at: now}).execute()


def deleted_text(d: dict[str, Any]) -> str:
    doc = d.get("gp_document")
    return (f"refund {d['refund']} of order {d['order']} ({d['amount']}) was deleted in "
            "WooCommerce, which sends no webhook for it; "
            + (f"GP still holds credit document {doc}: void or reverse it in GP, or re-enter "
               "the refund in WooCommerce" if doc else
               "it had not reached GP: nothing to undo there"))


def drift_attention() -> list[str]:
    """Lines for `status` and the console's needs-attention list."""
    row = Setting.get_or_none(Setting.key == DRIFT_KEY)
    if row is None or not isinstance(row.value, dict):
        return []
    return [deleted_text(d) for d in row.value.get("deleted_refunds", [])]


def run_logged(check: Any, log_to: logging.Logger) -> bool:
    """The worker's call: one check, its outcome logged; True when something changed (the
    posting loop should look)."""
    try:
        found = check()
    except ConnectorError as exc:
        log_to.warning("shop check skipped: %s (next hour)", exc)
        return False
    except Exception:
        log_to.exception("shop check failed")
        return False
    if found.status_changes or found.deleted_refunds:
        log_to.info("shop check: %d status change(s) taken in, %d refund(s) deleted in "
                    "WooCommerce", len(found.status_changes), len(found.deleted_refunds))
        return True
    return False
