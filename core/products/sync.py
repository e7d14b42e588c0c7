"""One product sync pass, both ways: read, link, compare, write, record.

    report = sync_products(gateway, woo, settings, clock=clock)

A full scan runs when the last one is `[products] scan_interval_s` old (or never ran); between
them a pass reads only what changed: GP's changed-key list, WooCommerce products modified since
the cursor, and the SKUs a product webhook hinted at (core.products.intake). `dry_run` reads
and decides but writes nothing anywhere (no WooCommerce, no GP, no database).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.clock import Clock
from core.gp.gateway import GPGateway, GPItemInfo
from core.products import conflicts
from core.products.approval import current_plan, may_write, pass_written, why_wait
from core.products.compare import owners_from
from core.products.fields import FIELDS, WooEntry, to_text
from core.products.gp_to_woo import write_to_woo
from core.products.inflight import in_flight_quantities
from core.products.intake import HINT_JOB, hint_key
from core.products.links import ensure_links, links_by_sku, resolve_item, save_base, sku_overrides
from core.products.plan import LinkPlan, plan_link
from core.products.quiet import quiet_skus
from core.products.reading import (
    WooProducts,
    read_gp_all,
    read_gp_items,
    read_woo_all,
    read_woo_modified,
    read_woo_skus,
)
from core.products.report import SyncReport
from core.products.woo_to_gp import pending_adjustments, settle_adjustments, write_to_gp
from core.store.db import database
from core.store.models import GpItem, Job, PollCursor, ProductLink, ProductTask
from core.store.states import JobStatus

CURSOR_FULL, CURSOR_GP, CURSOR_WOO = "products_full_scan", "products_gp", "products_woo"
OVERLAP = timedelta(minutes=5)  # clocks of the shop, GP and us differ a little


def _cursor(name: str) -> datetime | None:
    row = PollCursor.get_or_none(PollCursor.name == name)
    return row.cursor if row else None


def _set_cursors(names: list[str], when: datetime, now: datetime) -> None:
    with database.atomic():
        for name in names:
            PollCursor.insert(name=name, cursor=when, updated_at=now).on_conflict(
                conflict_target=[PollCursor.name],
                update={PollCursor.cursor: when, PollCursor.updated_at: now}).execute()


def _hints() -> dict[str, int]:
    return {job.key.removeprefix("product:"): job.id for job in
            Job.select(Job.id, Job.key).where((Job.kind == HINT_JOB)
                                              & (Job.status == JobStatus.QUEUED))}


def _refresh_cache(items: list[GPItemInfo], *, full: bool, now: datetime) -> None:
    """The console's local copy of GP's item list (searched without the network)."""
    rows = [{"item_number": i.item_number, "description": i.description or "",
             "price": i.price, "quantity": i.quantity_available, "refreshed_at": now}
            for i in items]
    with database.atomic():
        for i in range(0, len(rows), 200):
            # An upsert of every column (not INSERT OR REPLACE): PostgreSQL has no REPLACE.
            GpItem.insert_many(rows[i:i + 200]).on_conflict(
                conflict_target=[GpItem.item_number],
                preserve=[GpItem.description, GpItem.price, GpItem.quantity,
                          GpItem.refreshed_at]).execute()
        if full:
            GpItem.delete().where(GpItem.refreshed_at < now).execute()


def sync_products(gateway: GPGateway, woo: WooProducts, settings: Any, *, clock: Clock,
                  dry_run: bool = False, full: bool | None = None,
                  also_in_flight: dict[str, Decimal] | None = None) -> SyncReport:
    """One pass both ways (see the module docstring). `settings` is core.config.Settings.

    `also_in_flight` (dry run): units on orders the real pass would take in and invoice first,
    so the dry run compares GP's stock as the real pass will see it after posting."""
    ps = settings.products
    report = SyncReport(dry_run=dry_run)
    if not ps.enabled:
        return report
    owners = owners_from(ps)
    uofm = settings.posting.unit_of_measure
    adjust_site = ps.site if ps.site.lower() not in ("", "all") else settings.posting.site
    started = clock.now()
    hints = _hints()
    last_full = _cursor(CURSOR_FULL)
    if full is None:
        # The worker calls at the scan interval; 90 % of it counts, so timing jitter does not
        # turn every other scheduled pass into an incremental one.
        age = None if last_full is None else (started - last_full).total_seconds()
        full = age is None or age >= 0.9 * ps.scan_interval_s
    report.full_scan = full
    read = {"price_level": ps.price_level, "uofm": uofm, "site": ps.site}

    if full:
        gp = read_gp_all(gateway, **read)
        entries = read_woo_all(woo)
        gp_numbers = set(gp)
    else:
        gp, entries = _read_changes(gateway, woo, hints, read, started)
        gp_numbers = set(gp)
    report.woo_entries, report.gp_items = len(entries), len(gp)
    if not dry_run and gp:
        _refresh_cache(list(gp.values()), full=full, now=started)

    links, unknown = ensure_links(entries.values(), gp_numbers, clock=clock, dry_run=dry_run)
    report.unknown_skus = sorted(unknown)
    plans = _plans(links, entries, gp, owners, clock=clock, dry_run=dry_run,
                   also_in_flight=also_in_flight or {})
    report.linked = len(plans)
    lines = _foretell(plans, gateway, report)
    changing = sum(1 for p in plans if p.to_woo or p.to_gp)
    if dry_run:
        report.awaiting_approval = why_wait(current_plan(), changing, settings) or ""
        return report
    # The real writers count what they really did.
    report.would, report.to_woo, report.to_gp, report.manual, report.conflicts = [], 0, 0, 0, 0
    why = may_write(changing, lines, settings, clock=clock)
    if why:
        report.awaiting_approval = why
        return report

    _record_local(plans, clock=clock, report=report)
    write_to_woo(woo, plans, clock=clock, report=report)
    write_to_gp(gateway, plans, site=adjust_site, price_level=ps.price_level, uofm=uofm,
                clock=clock, report=report)
    names = [CURSOR_GP, CURSOR_WOO] + ([CURSOR_FULL] if full else [])
    _set_cursors(names, started, clock.now())
    pass_written(clock)
    if hints:
        Job.update(status=JobStatus.DONE, updated_at=clock.now()).where(
            Job.id.in_(list(hints.values())) & (Job.status == JobStatus.QUEUED)
            & (Job.updated_at <= started)).execute()
    return report


def _read_changes(gateway: GPGateway, woo: WooProducts, hints: dict[str, int],
                  read: dict[str, str], now: datetime
                  ) -> tuple[dict[str, GPItemInfo], dict[str, WooEntry]]:
    since_gp = (_cursor(CURSOR_GP) or now) - OVERLAP
    since_woo = (_cursor(CURSOR_WOO) or now) - OVERLAP
    gp = read_gp_items(gateway, gateway.changed_item_numbers(since_gp), **read)
    entries = read_woo_modified(woo, since_woo)
    by_item = {link.gp_item: link.sku for link in
               ProductLink.select(ProductLink.sku, ProductLink.gp_item)
               .where(ProductLink.gp_item.in_(list(gp)))} if gp else {}
    resolved = {t.link.sku for t in ProductTask.select(ProductTask, ProductLink).join(ProductLink)
                .where((ProductTask.status == "resolved") & ProductTask.kind.in_(
                    conflicts.TASK_KINDS))}
    wanted = (set(hints) | set(by_item.values()) | resolved) - set(entries)
    if wanted:
        entries.update(read_woo_skus(woo, wanted))
    links = links_by_sku(entries)
    for sku in quiet_skus(entries, links, gp_changed=gp, keep=set(hints) | resolved):
        del entries[sku]  # our own write read back, or a field the sync does not carry
    overrides = sku_overrides()
    need: set[str] = set()
    for sku in entries:
        link = links.get(sku)
        if link is not None:
            need.add(link.gp_item)
        else:
            need.update({overrides.get(sku, sku), sku.upper()})
    missing = need - set(gp)
    if missing:
        gp.update(read_gp_items(gateway, missing, **read))
    return gp, entries


def _foretell(plans: list[LinkPlan], gateway: GPGateway, report: SyncReport) -> list[str]:
    """A dry run's report: what the real writers would do with these plans, counted as they
    count (core.products.gp_to_woo / woo_to_gp), including the GP changes this route cannot
    make, which become tasks for the accountant instead."""
    caps: dict[str, str] = getattr(gateway, "capabilities", dict)()
    can_update = caps.get("item_update", "none") != "none"
    for p in plans:
        for f, v in p.to_woo.items():
            report.would.append(f"{p.link.sku}: {f} -> {to_text(f, v)} in WooCommerce")
        for f, v in p.to_gp.items():
            if f != "quantity" and not can_update:
                report.would.append(f"{p.link.sku}: {f} -> {to_text(f, v)}: a task for the "
                                    "accountant (this GP route cannot change items)")
                report.manual += 1
            else:
                report.would.append(f"{p.link.sku}: {f} -> {to_text(f, v)} in GP")
        report.manual += len(p.woo_cannot)
        report.conflicts += len(p.conflicts)
        report.to_woo += int(bool(p.to_woo))
        report.to_gp += int(can_update and bool({"name", "price"} & set(p.to_gp)))
        report.to_gp += int("quantity" in p.to_gp)
    return report.would


def _plans(links: dict[str, ProductLink], entries: dict[str, WooEntry],
           gp: dict[str, GPItemInfo], owners: dict[str, Any], *, clock: Clock,
           dry_run: bool, also_in_flight: dict[str, Decimal]) -> list[LinkPlan]:
    pairs = [(link, entries[sku], gp[link.gp_item]) for sku, link in links.items()
             if sku in entries and link.gp_item in gp]
    ids = [link.id for link, _, _ in pairs if link.id is not None]  # unsaved in a dry run
    tasks = conflicts.active_tasks(ids)
    pending = pending_adjustments(ids)
    flight = in_flight_quantities(link.sku for link, _, _ in pairs)
    for sku, units in also_in_flight.items():
        flight[sku] = flight.get(sku, Decimal(0)) + units
    plans: list[LinkPlan] = []
    for link, entry, info in pairs:
        mine = {f: tasks[(link.id, f)] for f in FIELDS if (link.id, f) in tasks}
        waiting = Decimal(0)
        if link.id in pending:
            force = "quantity" in mine and mine["quantity"].status == "resolved"
            if dry_run:
                waiting = sum((Decimal(t.gp_value or 0) for t in pending[link.id]), Decimal(0))
            else:
                waiting = settle_adjustments(pending[link.id], info.quantity_available,
                                             clock=clock, force=force)
        plans.append(plan_link(link, entry, info, owners, in_flight=flight.get(link.sku,
                                                                               Decimal(0)),
                               pending=waiting, tasks=mine))
    return plans


def _record_local(plans: list[LinkPlan], *, clock: Clock, report: SyncReport) -> None:
    """Everything that needs no remote write: agreed bases, conflicts, tasks, closures."""
    busy = [p for p in plans if p.adopt or p.conflicts or p.woo_cannot or p.closes or p.frozen]
    for i in range(0, len(busy), 200):
        with database.atomic():
            for p in busy[i:i + 200]:
                _record_one(p, clock=clock, report=report)


def _record_one(p: LinkPlan, *, clock: Clock, report: SyncReport) -> None:
    sku = p.link.sku
    base = {f: getattr(p.link, f"base_{f}") for f in FIELDS}
    if p.adopt:
        save_base(p.link, dict(p.adopt), kind="agreed",
                  message=f"{sku}: both sides show " + "; ".join(
                      f"{f} {to_text(f, v)}" for f, v in p.adopt.items()) + ": base updated",
                  clock=clock, woo_modified=p.entry.modified_gmt,
                  gp_modified=p.gp.modified_at)
        report.adopted += 1
    for task, why in p.closes:
        conflicts.close_task(task, message=f"{sku}: {task.kind} on {task.field} closed: {why}",
                             clock=clock)
    for f, d in p.conflicts.items():
        _, new = conflicts.raise_task(
            p.link, "conflict", f, base=base[f], woo=p.woo_values[f], gp=p.gp_values[f],
            clock=clock, message=(f"{sku}: {f} {d.reason}: WooCommerce "
                                  f"{to_text(f, p.woo_values[f])!r}, GP "
                                  f"{to_text(f, p.gp_values[f])!r}; choose a side"))
        report.conflicts += int(new)
    for f, why in p.woo_cannot.items():
        _, new = conflicts.raise_task(
            p.link, "manual", f, base=base[f], woo=p.woo_values[f], gp=p.gp_values[f],
            clock=clock, message=f"{sku}: GP's {f} {to_text(f, p.gp_values[f])!r} cannot be "
                                 f"written to WooCommerce: {why}")
        report.manual += int(new)
    for f, task in p.frozen.items():
        conflicts.raise_task(p.link, task.kind, f, base=base[f], woo=p.woo_values[f],
                             gp=p.gp_values[f], clock=clock, existing=task, message="")


__all__ = ["sync_products", "SyncReport", "hint_key", "HINT_JOB", "resolve_item"]
