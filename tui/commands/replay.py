"""`ml-connector replay ORDER... | --held [--reason R] | --failed | --sku SKU [--dry-run]`

Puts held or failed orders (and their held or failed refunds) back in the posting queue; the
worker posts them. Idempotent and safe to run twice at once: GP is always read before anything
is created, so a replay can never make a second invoice. With --dry-run nothing changes: each
selected order is mapped and checked against GP, and the command says what would be posted.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from core.errors import ConnectorError
from core.store.models import HOLD_REASONS


def register(sub: Any) -> None:
    p = sub.add_parser("replay", help="send held or failed orders back to posting",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("orders", nargs="*", metavar="ORDER",
                   help="WooCommerce order number(s) (or id)")
    p.add_argument("--held", action="store_true", help="every held order")
    p.add_argument("--reason", choices=HOLD_REASONS, help="only orders held for this reason")
    p.add_argument("--failed", action="store_true", help="every failed order")
    p.add_argument("--sku", help="orders waiting on this SKU")
    p.add_argument("--dry-run", action="store_true",
                   help="map and check against GP, change nothing, say what would be posted")
    p.set_defaults(func=run)


def _woo_ids(numbers: list[str]) -> tuple[list[int], list[str]]:
    from core.store.models import Order

    found: list[int] = []
    unknown: list[str] = []
    for text in numbers:
        row = Order.get_or_none(Order.number == text)
        if row is None and text.isdigit():
            row = Order.get_or_none(Order.woo_id == int(text))
        if row is None:
            unknown.append(text)
        else:
            found.append(row.woo_id)
    return found, unknown


def _selected(args: argparse.Namespace, woo_ids: list[int] | None) -> list[Any]:
    """The orders a replay would move (for --dry-run): the same selection as replay_orders."""
    from core.store.models import Order, OrderSku
    from core.store.states import REPLAYABLE, DocState

    q = Order.select().where(Order.state.in_(REPLAYABLE))
    if woo_ids is not None:
        q = q.where(Order.woo_id.in_(woo_ids))
    states = [s for s, on in ((DocState.HELD, args.held or args.reason),
                             (DocState.FAILED, args.failed)) if on]
    if states:
        q = q.where(Order.state.in_(states))
    if args.reason:
        q = q.where((Order.state != DocState.HELD) | (Order.hold_reason == args.reason))
    if args.sku is not None:
        q = q.where(Order.id.in_(OrderSku.select(OrderSku.order).where(OrderSku.sku == args.sku)))
    return list(q.order_by(Order.id))


def _dry_run(ws: Any, settings: Any, orders: list[Any]) -> int:
    from core.connections import woo_client
    from core.dryrun import check_order, format_report
    from core.gp.factory import open_gateway
    from core.pipeline.context import PipelineContext
    from core.secrets.vault import GP_PASSWORD, open_vault

    vault = open_vault(ws)
    gateway = open_gateway(settings, vault.get(GP_PASSWORD) or "", ws.db_path.parent)
    woo = woo_client(settings, vault)
    try:
        ctx = PipelineContext(settings, gateway, woo, actor="cli:dry-run")
        for order in orders:
            print(format_report(check_order(ctx, order)))
    finally:
        gateway.close()
        woo.close()
    print(f"dry run: {len(orders)} order(s) checked, nothing changed")
    return 0


def run(args: argparse.Namespace) -> int:
    from core.replay import replay_orders
    from tui.commands.status import open_workspace

    if not (args.orders or args.held or args.reason or args.failed or args.sku is not None):
        print("ml-connector replay: say what to replay: ORDER..., --held, --failed or --sku SKU",
              file=sys.stderr)
        return 2
    try:
        ws, settings = open_workspace(args)
        woo_ids: list[int] | None = None
        if args.orders:
            woo_ids, unknown = _woo_ids(args.orders)
            for text in unknown:
                print(f"ml-connector replay: no order {text} in this workspace", file=sys.stderr)
            if not woo_ids:
                return 1
        if args.dry_run:
            return _dry_run(ws, settings, _selected(args, woo_ids))
        actor = f"cli:{getpass.getuser()}"
        moved = replay_orders(woo_ids, held_reason=args.reason, held=args.held,
                              failed=args.failed, sku=args.sku, actor=actor,
                              why="ml-connector replay")
    except ConnectorError as exc:
        print(f"ml-connector replay: {exc}", file=sys.stderr)
        return 2
    if moved:
        print(f"{moved} document(s) back in the posting queue: the worker posts them "
              "(GP is read first, so nothing is ever posted twice)")
    else:
        print("nothing to replay: no held or failed document matches")
    return 0
