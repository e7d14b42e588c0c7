"""GP -> WooCommerce: write changed names, prices and stock with the batch endpoints.

Simple products go to `products/batch`, variations to their product's `variations/batch`, at
most 100 elements a call (WooCommerce's limit is the sum of the arrays). WooCommerce answers 200
with one element per request element, each the product or `{"id", "error"}`: every element is
checked, the good ones get their new base (with their audit event, in one transaction per call),
the bad ones are reported and keep their old base, so the next pass tries them again.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.clock import Clock, parse_gmt
from core.errors import WooError
from core.products import conflicts
from core.products.fields import WOO_KEYS, for_woo, to_text
from core.products.links import save_base
from core.products.plan import LinkPlan
from core.products.reading import WooProducts
from core.products.report import SyncReport
from core.store import audit
from core.store.db import database

BATCH_LIMIT = 100


def _element(plan: LinkPlan) -> dict[str, Any]:
    body: dict[str, Any] = {"id": plan.entry.woo_id}
    for f, value in plan.to_woo.items():
        body[WOO_KEYS[f]] = for_woo(f, value)
    return body


def _change_text(plan: LinkPlan, side: str) -> str:
    values = plan.to_woo if side == "woo" else plan.to_gp
    current = plan.woo_values if side == "woo" else plan.gp_values
    return "; ".join(f"{f} {to_text(f, current[f])} -> {to_text(f, v)} ({plan.why.get(f, '')})"
                     for f, v in values.items())


def write_to_woo(woo: WooProducts, plans: list[LinkPlan], *, clock: Clock,
                 report: SyncReport) -> None:
    """Write every plan's `to_woo` fields; record bases and audit per element."""
    groups: dict[int | None, list[LinkPlan]] = defaultdict(list)
    for plan in plans:
        if plan.to_woo:
            groups[plan.entry.product_id if plan.entry.variation_id else None].append(plan)
    for parent, members in groups.items():
        for i in range(0, len(members), BATCH_LIMIT):
            chunk = members[i:i + BATCH_LIMIT]
            body = [_element(p) for p in chunk]
            report.woo_batch_calls += 1
            try:
                answer = (woo.batch_products(update=body) if parent is None
                          else woo.batch_variations(parent, update=body))
            except WooError as exc:
                for p in chunk:
                    report.failed.append((p.link.sku, f"WooCommerce: {exc}"))
                continue
            _record(chunk, list(answer.get("update") or []), clock=clock, report=report)


def _record(chunk: list[LinkPlan], elements: list[dict[str, Any]], *, clock: Clock,
            report: SyncReport) -> None:
    by_id = {int(e.get("id") or 0): e for e in elements if isinstance(e, dict)}
    with database.atomic():
        for pos, plan in enumerate(chunk):
            # Elements come back in request order; fall back to the id when the count differs.
            element = elements[pos] if pos < len(elements) and isinstance(elements[pos], dict) \
                else None
            if element is None or int(element.get("id") or 0) != plan.entry.woo_id:
                element = by_id.get(plan.entry.woo_id)
            if element is None:
                report.failed.append((plan.link.sku, "WooCommerce's batch answer left it out"))
                continue
            if "error" in element:
                err = element["error"] or {}
                why = f"WooCommerce refused it: {err.get('message', 'error')} ({err.get('code')})"
                report.failed.append((plan.link.sku, why))
                audit.record("product", plan.link.sku, "failed",
                             f"{plan.link.sku}: not written to WooCommerce: {why}",
                             actor="worker:products", clock=clock,
                             data={"fields": sorted(plan.to_woo)})
                continue
            verb = "put back in" if plan.restore & set(plan.to_woo) else "written to"
            save_base(plan.link, dict(plan.to_woo), kind="synced",
                      message=f"{plan.link.sku} {verb} WooCommerce: {_change_text(plan, 'woo')}",
                      clock=clock, woo_modified=parse_gmt(element.get("date_modified_gmt")),
                      data={"to": "woocommerce",
                            "replaced": {f: to_text(f, plan.woo_values[f]) for f in plan.to_woo}})
            for f in plan.to_woo:
                task = plan.applies.get(f)
                if task is not None:
                    conflicts.close_task(task, message=f"{plan.link.sku}: {f} written to "
                                         "WooCommerce as chosen", clock=clock)
                    report.applied += 1
            report.to_woo += 1
