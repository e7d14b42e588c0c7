"""Which GP payment each WooCommerce gateway's invoices carry, chosen from GP's own lists.

list: the gateways seen on orders or configured, each with its GP payment (or why it has none),
and what GP offers: its payment card types (with the checkbook each deposits into).

set GATEWAY: choose one, non-interactively (the console has the same picker), e.g.
  ml-connector payments set stripe --type credit_card --card-type STRIPE
  ml-connector payments set cod --type none      (paid later: the invoice stays open)
An id GP does not list is refused with GP's list (exit 1); GP's own spelling is saved.
"""
from __future__ import annotations

import click

from core.config import Settings, Workspace
from core.connections import gp_gateway
from core.errors import ConfigError
from core.mapping.payments import NOT_PAID, PAYMENT_KINDS
from core.payment_setup import GPPaymentLists, choose, overview, read_lists, save_choice
from core.queries import known_gateways
from core.secrets.vault import open_vault
from core.store.audit import actor
from tui.commands.common import global_options, open_state, state_of


def _gp_lists(ws: Workspace, settings: Settings) -> GPPaymentLists:
    gateway = gp_gateway(settings, open_vault(ws, at=state_of(ws, settings)), ws.db_path.parent)
    try:
        return read_lists(gateway)
    finally:
        gateway.close()


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.command("list", help="Gateways, their GP payment, and GP's payment card types.")
@global_options()
@click.option("--offline", is_flag=True, help="do not read GP's lists (the mapping only)")
def list_payments(offline: bool) -> int:
    ws, settings = open_state()
    lists = None if offline else _gp_lists(ws, settings)
    view = overview(settings, known_gateways(), lists)
    click.echo("WooCommerce gateway -> GP payment")
    for line in view.gateways:
        click.echo(f"  {line.gateway:<20} {line.mapping}")
        if line.problem:
            click.echo(f"  {'':<20} ! {line.problem}")
    if lists is not None:
        click.echo("\nGP payment card types (id -> checkbook):")
        for row in lists.card_types:
            click.echo(f"  {row.id:<16} {row.checkbook or '-'}")
        click.echo("GP checkbooks named by card types: " + (", ".join(lists.checkbooks) or "none")
                   + ("" if lists.checkbooks_complete else
                      " (GP Web Services has no complete checkbook list)"))
    return 1 if any(not g.mapped and g.problem for g in view.gateways) else 0


@command.command("set", help="Choose the GP payment for one gateway, from GP's lists.")
@global_options()
@click.argument("gateway")
@click.option("--type", "payment_type", required=True,
              type=click.Choice(PAYMENT_KINDS + (NOT_PAID,)),
              help="credit_card, cash, check, or none (not paid at checkout)")
@click.option("--card-type", default="", help="GP payment card type id (credit_card)")
@click.option("--checkbook", default="",
              help="GP checkbook id (default for cards: the card type's own checkbook)")
@click.option("--unlisted-checkbook", is_flag=True,
              help="accept a checkbook no GP card type names (Web Services cannot list them)")
def set_payment(gateway: str, payment_type: str, card_type: str, checkbook: str,
                unlisted_checkbook: bool) -> int:
    ws, settings = open_state()
    lists = _gp_lists(ws, settings)
    try:
        entry = choose(settings, gateway, payment_type, lists, card_type=card_type,
                       checkbook=checkbook, allow_unlisted_checkbook=unlisted_checkbook)
    except ConfigError as exc:  # GP does not list the id: refused, with GP's list
        click.echo(f"ml-connector payments: {exc}", err=True)
        return 1
    save_choice(ws, settings, gateway, entry, actor=actor("cli"))
    click.echo(f"{gateway}: " + ", ".join(f"{k} {v}" for k, v in entry.items())
               + " (saved; replay orders left unpaid to add their payment)")
    return 0
