"""Send held or failed orders (and their held or failed refunds) back to the posting queue.

The worker posts them. Idempotent and safe to run twice at once: GP is always read before
anything is created, so a replay can never make a second invoice. With --dry-run nothing changes:
each selected order is mapped and checked against GP, and the command says what would be posted.
"""
from __future__ import annotations

import click

from core.config import Settings, Workspace
from core.connections import gp_gateway, woo_client
from core.dryrun import check_order, format_report
from core.pipeline.context import PipelineContext
from core.replay import order_woo_ids, replay_orders, replayable_orders
from core.secrets.vault import open_vault
from core.store.audit import actor
from core.store.models import HOLD_REASONS, Order
from tui.commands.common import CommandError, global_options, open_state


def _dry_run(ws: Workspace, settings: Settings, orders: list[Order]) -> int:
    vault = open_vault(ws)
    gateway = gp_gateway(settings, vault, ws.db_path.parent)
    woo = woo_client(settings, vault)
    try:
        ctx = PipelineContext(settings, gateway, woo, actor="cli:dry-run")
        for order in orders:
            click.echo(format_report(check_order(ctx, order)))
    finally:
        gateway.close()
        woo.close()
    click.echo(f"dry run: {len(orders)} order(s) checked, nothing changed")
    return 0


@click.command(help=__doc__)
@global_options()
@click.argument("orders", nargs=-1, metavar="[ORDER]...")
@click.option("--held", is_flag=True, help="every held order")
@click.option("--reason", type=click.Choice(HOLD_REASONS),
              help="only orders held for this reason")
@click.option("--failed", is_flag=True, help="every failed order")
@click.option("--sku", help="orders waiting on this SKU")
@click.option("--dry-run", is_flag=True,
              help="map and check against GP, change nothing, say what would be posted")
def command(orders: tuple[str, ...], held: bool, reason: str | None, failed: bool,
            sku: str | None, dry_run: bool) -> int:
    if not (orders or held or reason or failed or sku is not None):
        raise CommandError("say what to replay: ORDER..., --held, --failed or --sku SKU",
                           command="replay")
    ws, settings = open_state()
    woo_ids: list[int] | None = None
    if orders:
        woo_ids, unknown = order_woo_ids(orders)
        for text in unknown:
            click.echo(f"ml-connector replay: no order {text} in this workspace", err=True)
        if not woo_ids:
            return 1
    if dry_run:
        selected = replayable_orders(woo_ids, held_reason=reason, held=held, failed=failed,
                                     sku=sku)
        return _dry_run(ws, settings, selected)
    moved = replay_orders(woo_ids, held_reason=reason, held=held, failed=failed, sku=sku,
                          actor=actor("cli"), why="ml-connector replay")
    if moved:
        click.echo(f"{moved} document(s) back in the posting queue: the worker posts them "
                   "(GP is read first, so nothing is ever posted twice)")
    else:
        click.echo("nothing to replay: no held or failed document matches")
    return 0
