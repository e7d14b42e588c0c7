"""WooCommerce -> GP: stock through inventory adjustments, names and prices through whatever
the customer's GP route offers (SBA where enabled), a task for the accountant where it offers
nothing (Web Services has no item or price update). Never a silent drop.

Stock is never overwritten in GP: the difference becomes one inventory adjustment per pass (one
line per item). GP moves its available quantity only when the accountant posts the adjustment,
so each adjustment is remembered (a ProductTask of kind "adjustment", status "pending", holding
GP's figure when it was made) and counted as if posted until GP's figure moves; without that,
every pass would adjust the same difference again.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from core.clock import Clock
from core.errors import GPError
from core.gp.gateway import AdjustmentLine, GPGateway, GPUnsupported
from core.products import conflicts
from core.products.fields import Value, same, to_text
from core.products.links import base_of, save_base
from core.products.plan import LinkPlan
from core.products.report import SyncReport
from core.store import audit
from core.store.db import database
from core.store.models import ProductTask

ADJUSTMENT_LINES = 250  # lines per GP inventory adjustment


def pending_adjustments(link_ids: list[int]) -> dict[int, list[ProductTask]]:
    out: dict[int, list[ProductTask]] = {}
    for i in range(0, len(link_ids), 500):
        for task in ProductTask.select().where(ProductTask.link.in_(link_ids[i:i + 500])
                                               & (ProductTask.kind == "adjustment")
                                               & (ProductTask.status == "pending")):
            out.setdefault(task.link_id, []).append(task)
    return out


def settle_adjustments(pending: list[ProductTask], gp_available: Decimal | None, *,
                       clock: Clock, force: bool = False) -> Decimal:
    """Close the adjustments GP now shows (its figure moved since); return the rest's sum."""
    still = Decimal(0)
    landed: list[int] = []
    for task in pending:
        made_at = Decimal(task.base_value) if task.base_value is not None else None
        if force or gp_available is None or made_at is None or gp_available != made_at:
            landed.append(task.id)
        else:
            still += Decimal(task.gp_value or "0")
    if landed:
        ProductTask.update(status="done", resolution="posted", resolved_by="worker:products",
                           resolved_at=clock.now()).where(ProductTask.id.in_(landed)).execute()
    return still


def adjustment_number(now: datetime, seq: int) -> str:
    """Our own number (GP's IV document number is 17 characters): WCA + yymmddHHMMSS + seq."""
    return f"WCA{now:%y%m%d%H%M%S}{seq:02d}"


def write_to_gp(gateway: GPGateway, plans: list[LinkPlan], *, site: str, price_level: str,
                uofm: str, clock: Clock, report: SyncReport) -> None:
    _write_items(gateway, [p for p in plans if set(p.to_gp) & {"name", "price"}],
                 price_level=price_level, uofm=uofm, clock=clock, report=report)
    _write_stock(gateway, [p for p in plans if "quantity" in p.to_gp], site=site, clock=clock,
                 report=report)


def _message(plan: LinkPlan, fields: list[str]) -> str:
    return "; ".join(f"{f} {to_text(f, plan.gp_values[f])} -> {to_text(f, plan.to_gp[f])} "
                     f"({plan.why.get(f, '')})" for f in fields)


def _done(plan: LinkPlan, fields: list[str], values: Mapping[str, Value], *, message: str,
          clock: Clock, report: SyncReport, data: dict[str, object] | None = None) -> None:
    """Inside a transaction: new base, audit, and close the tasks this write carried out."""
    save_base(plan.link, values, kind="synced", message=message, clock=clock,
              gp_modified=clock.now(),
              data={"to": "gp", "replaced": {f: to_text(f, plan.gp_values[f]) for f in fields},
                    **(data or {})})
    for f in fields:
        task = plan.applies.get(f)
        if task is not None:
            conflicts.close_task(task, message=f"{plan.link.sku}: {f} written to GP as chosen",
                                 clock=clock)
            report.applied += 1


def _write_items(gateway: GPGateway, plans: list[LinkPlan], *, price_level: str, uofm: str,
                 clock: Clock, report: SyncReport) -> None:
    for plan in plans:
        fields: list[str] = [f for f in ("name", "price") if f in plan.to_gp]
        name = plan.to_gp.get("name")
        price = plan.to_gp.get("price")
        report.gp_write_calls += 1
        try:
            gateway.update_item(plan.link.gp_item,
                                description=None if name is None else str(name)[:100],
                                price=None if price is None else Decimal(price),
                                price_level=price_level, uofm=uofm)
        except GPUnsupported as exc:
            with database.atomic():
                for f in fields:
                    _, new = conflicts.raise_task(
                        plan.link, "manual", f, base=base_of(plan.link)[f], woo=plan.woo_values[f],
                        gp=plan.gp_values[f], clock=clock,
                        message=(f"{plan.link.sku}: GP cannot take the {f} change over this "
                                 f"route ({exc}); set item {plan.link.gp_item}'s {f} to "
                                 f"{to_text(f, plan.to_gp[f])!r} in GP, then mark it done"))
                    report.manual += int(new)
            continue
        except GPError as exc:
            report.failed.append((plan.link.sku, f"GP: {exc}"))
            if not exc.transient:
                with database.atomic():
                    audit.record("product", plan.link.sku, "failed",
                                 f"{plan.link.sku}: GP refused the {', '.join(fields)} change: "
                                 f"{exc}", actor="worker:products", clock=clock,
                                 data={"messages": exc.messages})
            continue
        with database.atomic():
            verb = "put back in" if plan.restore & set(fields) else "written to"
            _done(plan, fields, {f: plan.to_gp[f] for f in fields},
                  message=f"{plan.link.sku} {verb} GP item {plan.link.gp_item}: "
                          f"{_message(plan, fields)}", clock=clock, report=report)
        report.to_gp += 1


def _write_stock(gateway: GPGateway, plans: list[LinkPlan], *, site: str, clock: Clock,
                 report: SyncReport) -> None:
    now = clock.now()
    for seq, i in enumerate(range(0, len(plans), ADJUSTMENT_LINES)):
        chunk = plans[i:i + ADJUSTMENT_LINES]
        lines: list[tuple[LinkPlan, Decimal]] = []
        for plan in chunk:
            target = Decimal(plan.to_gp["quantity"])
            current = Decimal(plan.gp_values["quantity"] or 0)
            if not same("quantity", target, current):
                lines.append((plan, (target - current).to_integral_value()))
        if not lines:
            continue
        number = adjustment_number(now, seq)
        note = f"ml-connector: WooCommerce stock for {len(lines)} item(s)"
        outcome_unknown = False
        report.gp_write_calls += 1
        try:
            gateway.create_inventory_adjustment(
                number, [AdjustmentLine(p.link.gp_item, site, d) for p, d in lines], note)
        except GPError as exc:
            if not exc.unknown_outcome:
                for p, _ in lines:
                    report.failed.append((p.link.sku, f"GP adjustment {number}: {exc}"))
                continue
            outcome_unknown = True  # it may be in GP: never send it twice, ask a person
        report.adjustments.append(number)
        with database.atomic():
            for plan, delta in lines:
                raw = plan.gp.quantity_available
                ProductTask.create(link=plan.link, kind="adjustment", field="quantity",
                                   status="pending", created_at=now, gp_value=str(delta),
                                   base_value=None if raw is None else str(raw),
                                   woo_value=to_text("quantity", plan.to_gp["quantity"]))
                _done(plan, ["quantity"], {"quantity": plan.to_gp["quantity"]},
                      message=(f"{plan.link.sku}: GP inventory adjustment {number} line "
                               f"{delta:+} at {site} ({plan.why.get('quantity', '')})"),
                      clock=clock, report=report, data={"adjustment": number,
                                                        "delta": str(delta), "site": site})
                if outcome_unknown:
                    _, new = conflicts.raise_task(
                        plan.link, "manual", "quantity", base=plan.to_gp["quantity"],
                        woo=plan.woo_values["quantity"], gp=plan.gp_values["quantity"],
                        clock=clock,
                        message=(f"{plan.link.sku}: GP's answer to inventory adjustment {number} "
                                 "was lost; check in GP that it exists (line "
                                 f"{delta:+} for {plan.link.gp_item}) and mark this done, or "
                                 "choose GP's figure to drop it"))
                    report.manual += int(new)
                report.to_gp += 1
