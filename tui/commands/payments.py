"""`ml-connector payments list | set GATEWAY ...`: which GP payment each WooCommerce gateway's
invoices carry, chosen from GP's own lists (non-interactive; the console has the same picker).

  ml-connector payments list                      gateways, their GP payment, GP's card types
  ml-connector payments set stripe --type credit_card --card-type VISA [--checkbook UPTOWN]
  ml-connector payments set cod --type none       (paid later: the invoice stays open)

An id GP does not list is refused with GP's list. Exit 0 saved / listed, 1 refused, 2 workspace
or GP cannot be used.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from core.errors import ConnectorError, GPError
from core.mapping.payments import NOT_PAID, PAYMENT_KINDS


def register(sub: Any) -> None:
    p = sub.add_parser("payments", help="map WooCommerce gateways to GP payments (GP's ids)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    psub = p.add_subparsers(dest="payments_command", metavar="ACTION")
    lst = psub.add_parser("list", help="gateways, their GP payment, and what GP offers")
    lst.add_argument("--offline", action="store_true",
                     help="do not read GP's lists (show the mapping only)")
    lst.set_defaults(func=run_list)
    st = psub.add_parser("set", help="choose the GP payment for one gateway")
    st.add_argument("gateway", help="WooCommerce gateway id (payment_method), e.g. stripe")
    st.add_argument("--type", dest="payment_type", required=True,
                    choices=PAYMENT_KINDS + (NOT_PAID,),
                    help="credit_card, cash, check, or none (not paid at checkout)")
    st.add_argument("--card-type", default="", help="GP payment card type id (credit_card)")
    st.add_argument("--checkbook", default="",
                    help="GP checkbook id (default for cards: the card type's own checkbook)")
    st.add_argument("--unlisted-checkbook", action="store_true",
                    help="accept a checkbook no GP card type names (GP Web Services cannot list "
                    "checkbooks)")
    st.set_defaults(func=run_set)
    p.set_defaults(func=lambda _a: (p.print_help(), 2)[1])


def _gp_lists(ws: Any, settings: Any) -> Any:
    from core.gp.factory import open_gateway
    from core.payment_setup import read_lists
    from core.secrets.vault import GP_PASSWORD, open_vault

    vault = open_vault(ws)
    gateway = open_gateway(settings, vault.get(GP_PASSWORD) or "", ws.db_path.parent)
    try:
        return read_lists(gateway)
    finally:
        gateway.close()


def run_list(args: argparse.Namespace) -> int:
    from core.payment_setup import overview
    from core.queries import known_gateways
    from tui.commands.status import open_workspace

    try:
        ws, settings = open_workspace(args)
        lists = None if args.offline else _gp_lists(ws, settings)
    except (ConnectorError, GPError) as exc:
        print(f"ml-connector payments: {exc}", file=sys.stderr)
        return 2
    view = overview(settings, known_gateways(), lists)
    print("WooCommerce gateway -> GP payment")
    for line in view.gateways:
        print(f"  {line.gateway:<20} {line.mapping}")
        if line.problem:
            print(f"  {'':<20} ! {line.problem}")
    if lists is not None:
        print("\nGP payment card types (id -> checkbook):")
        for row in lists.card_types:
            print(f"  {row.id:<16} {row.checkbook or '-'}")
        print("GP checkbooks named by card types: " + (", ".join(lists.checkbooks) or "none")
              + ("" if lists.checkbooks_complete else
                 " (GP Web Services has no complete checkbook list)"))
    return 0


def run_set(args: argparse.Namespace) -> int:
    from core.payment_setup import choose, save_choice
    from tui.commands.intake_common import actor
    from tui.commands.status import open_workspace

    try:
        ws, settings = open_workspace(args)
        lists = _gp_lists(ws, settings)
    except (ConnectorError, GPError) as exc:
        print(f"ml-connector payments: {exc}", file=sys.stderr)
        return 2
    try:
        entry = choose(settings, args.gateway, args.payment_type, lists,
                       card_type=args.card_type, checkbook=args.checkbook,
                       allow_unlisted_checkbook=args.unlisted_checkbook)
    except ConnectorError as exc:
        print(f"ml-connector payments: {exc}", file=sys.stderr)
        return 1
    save_choice(ws, settings, args.gateway, entry, actor=actor())
    print(f"{args.gateway}: " + ", ".join(f"{k} {v}" for k, v in entry.items())
          + " (saved; replay orders left unpaid to add their payment)")
    return 0
