"""`worker --dry-run`: one pass that shows what a real pass would write, and writes nothing.

A real pass polls the shop (orders into the inbox, jobs queued, the poll cursor moved, audit
events), posts the queued orders to GP and syncs products. The dry pass reads the same orders
the real poll would read (from the stored cursor, or the first poll's look-back), plus the
orders already queued, checks each against GP as posting would (core.dryrun.check_order), and
plans the product sync with `dry_run=True`. It runs on a read-only connection to the state
database (core.store.db.open_readonly), so a write anywhere in it fails loudly instead of
advancing the cursor under the next step of the set-up (`backfill`): before the database file
is byte-identical after.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.clock import Clock
from core.config import Settings, Workspace
from core.connections import gp_gateway, woo_client, workspace_folder
from core.dryrun import DryRunReport, check_order
from core.errors import ConfigError, ConnectorError, StateError
from core.gp.gateway import GPGateway
from core.intake.inbox import DRAFT_STATUSES, is_newer, stored_versions
from core.intake.poller import INITIAL_LOOKBACK, ORDERS_CURSOR, read_cursor
from core.money import parse_number
from core.pipeline.context import PipelineContext
from core.products.inflight import STOCK_TAKEN_STATUSES
from core.products.report import SyncReport
from core.products.sync import sync_products
from core.replay import ORDER_JOB
from core.secrets.vault import open_vault
from core.store.db import close_db, database, is_open_at, open_readonly
from core.store.models import Job, Order
from core.store.postgres import state_location
from core.woo.client import WooClient, gmt
from core.worker.components import register_vault_secrets
from core.worker.options import EXIT_CONFIG, EXIT_ERROR, EXIT_OK, EXIT_STATE


@dataclass
class IntakeLine:
    woo_id: int
    number: str
    kind: str  # new | changed
    modified_gmt: datetime | None
    status: str = ""
    units: dict[str, Decimal] = field(default_factory=dict)  # SKU -> quantity on the order


@dataclass
class DryPassReport:
    since: datetime
    cursor_after: datetime | None  # where a real poll would leave the cursor
    intake: list[IntakeLine] = field(default_factory=list)
    orders: list[DryRunReport] = field(default_factory=list)
    products: SyncReport | None = None
    products_note: str = ""

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.orders:
            out[r.outcome] = out.get(r.outcome, 0) + 1
        return out

    def lines(self) -> list[str]:
        """The report a person reads: every write a real pass would make, one per line."""
        out = ["DRY RUN: nothing was written (state database, GP, WooCommerce)."]
        new = sum(1 for i in self.intake if i.kind == "new")
        changed = len(self.intake) - new
        out.append(f"intake: {new} new and {changed} changed order(s) modified since "
                   f"{self.since:%Y-%m-%d %H:%M:%S} UTC would be taken in, one posting job and "
                   "one audit event each"
                   + (f"; the poll cursor would move to {self.cursor_after:%Y-%m-%d %H:%M:%S} "
                      "UTC" if self.cursor_after else ""))
        for r in self.orders:
            out.append(f"  order {r.number}: {r.detail}")
            out.extend(f"      {c}" for c in r.checks)
        counts = self.counts()
        out.append("posting: " + (", ".join(f"{n} {k.replace('_', ' ')}"
                                            for k, n in sorted(counts.items())) or "nothing"))
        if self.products is None:
            out.append(f"products: {self.products_note or 'not synced'}")
        else:
            p = self.products
            out.append(f"products: {p.linked} linked; would write {p.to_woo} to WooCommerce "
                       f"and {p.to_gp} to GP ({len(p.would)} field change(s)), "
                       f"{p.conflicts} conflict(s), {p.manual} task(s) for the accountant, "
                       f"{len(p.unknown_skus)} SKU(s) not in GP")
            out.extend(f"  {w}" for w in p.would)
            if p.awaiting_approval:
                out.append(f"products: the real pass would write none of these and wait for "
                           f"approval: {p.awaiting_approval}")
        return out


def _orders_to_take_in(woo: WooClient, since: datetime) -> tuple[list[IntakeLine],
                                                                 datetime | None]:
    seen: dict[int, IntakeLine] = {}
    newest: datetime | None = None
    for item in woo.iter_orders_modified_since(since, fields="id,number,status,"
                                                             "date_modified_gmt,line_items"):
        woo_id = int(item["id"])
        if str(item.get("status") or "") in DRAFT_STATUSES:
            continue
        stamp = gmt(item.get("date_modified_gmt"))
        if stamp is not None and (newest is None or stamp > newest):
            newest = stamp
        line = IntakeLine(woo_id, str(item.get("number") or woo_id), "new", stamp,
                          str(item.get("status") or ""))
        for li in item.get("line_items") or []:
            sku = str(li.get("sku") or "")
            if sku:
                line.units[sku] = line.units.get(sku, Decimal(0)) + parse_number(
                    li.get("quantity") or 0)
        seen[woo_id] = line
    versions = stored_versions(list(seen))
    lines = []
    for woo_id, line in seen.items():
        known = woo_id in versions
        if is_newer(line.modified_gmt, versions.get(woo_id), known):
            line.kind = "changed" if known else "new"
            lines.append(line)
    return lines, newest


def dry_pass(settings: Settings, woo: WooClient, gateway: GPGateway | None, *, clock: Clock,
             products: bool = True) -> DryPassReport:
    """One read-only pass (see the module docstring). The caller opened the state database
    read-only."""
    now = clock.now()
    cursor = read_cursor(ORDERS_CURSOR)
    overlap = timedelta(seconds=settings.worker.poll_overlap_s)
    since = cursor - overlap if cursor else now - INITIAL_LOOKBACK
    intake, newest = _orders_to_take_in(woo, since)
    report = DryPassReport(since=since, cursor_after=max(filter(None, (cursor, newest)),
                                                         default=None), intake=intake)
    queued = [int(j.key.split(":", 1)[1]) for j in
              Job.select(Job.key).where((Job.kind == ORDER_JOB) & (Job.status == "queued"))]
    wanted: dict[int, str] = {line.woo_id: line.number for line in intake}
    for woo_id in queued:
        wanted.setdefault(woo_id, "")
    if gateway is None:
        report.products_note = "GP is not configured: nothing can be checked"
        return report
    ctx = PipelineContext(settings, gateway, woo, clock=clock, actor="dry-run")
    stored = {o.woo_id: o for o in Order.select().where(Order.woo_id.in_(list(wanted)))}
    for woo_id, number in sorted(wanted.items()):
        order = stored.get(woo_id) or Order(woo_id=woo_id, number=number or str(woo_id))
        report.orders.append(check_order(ctx, order))
    if not products:
        report.products_note = "skipped (--no-products)"
    elif not settings.products.enabled:
        report.products_note = "off ([products] enabled = false)"
    else:
        report.products = sync_products(gateway, _ProductReader(woo), settings, clock=clock,
                                        dry_run=True, also_in_flight=_units_in_flight(intake))
    return report


def _units_in_flight(intake: list[IntakeLine]) -> dict[str, Decimal]:
    """Units WooCommerce already took on orders the real pass would take in: the real pass
    invoices them (GP's stock drops) or holds them in flight before it syncs products. Orders
    already stored are counted by core.products.inflight itself."""
    out: dict[str, Decimal] = {}
    for line in intake:
        if line.kind != "new" or line.status not in STOCK_TAKEN_STATUSES:
            continue
        for sku, units in line.units.items():
            out[sku] = out.get(sku, Decimal(0)) + units
    return out


class _ProductReader:
    """The shop as product sync sees it, with every write refused: a dry run that reached a
    write would be a bug, and must fail rather than change the shop."""

    def __init__(self, woo: WooClient) -> None:
        self._woo = woo

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("batch_", "update_", "create_", "delete_")):
            raise AttributeError(f"dry run: WooCommerce write {name} refused")
        return getattr(self._woo, name)


def run_dry_pass(workspace: Workspace, settings: Settings, *, clock: Clock,
                 products: bool = True, open_db: bool = True) -> DryPassReport:
    """Open everything a real pass would (the state database read-only), run `dry_pass`,
    close. `open_db=False` when the caller already holds the database open."""
    where = state_location(workspace.db_path, settings.store.database_url)
    if open_db:
        open_readonly(where)
    try:
        vault = open_vault(workspace, clock=clock, at=where)
        register_vault_secrets(vault)
        woo = woo_client(settings, vault)
        gateway = None
        try:
            if settings.gp.soap_url or settings.gp.sba_url:
                gateway = gp_gateway(settings, vault, workspace_folder(workspace), clock=clock)
            return dry_pass(settings, woo, gateway, clock=clock, products=products)
        finally:
            woo.close()
            if gateway is not None:
                gateway.close()
    finally:
        if open_db:
            close_db()


def run_logged(workspace: Workspace, settings: Settings, *, clock: Clock, products: bool,
               log: logging.Logger) -> tuple[int, DryPassReport | None]:
    """The worker's `--dry-run`: (exit code, report), each report line logged."""
    try:
        held = not database.is_closed() and is_open_at(
            state_location(workspace.db_path, settings.store.database_url))
        report = run_dry_pass(workspace, settings, clock=clock, products=products,
                              open_db=not held)
    except StateError as exc:
        log.error("%s", exc)
        return EXIT_STATE, None
    except ConfigError as exc:
        log.error("cannot start: %s", exc)
        return EXIT_CONFIG, None
    except ConnectorError as exc:
        log.error("dry run stopped: %s", exc)
        return EXIT_ERROR, None
    for line in report.lines():
        log.info("%s", line)
    return EXIT_OK, report
