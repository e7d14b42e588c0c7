"""The product sync's plan that waits for approval: `products plan`, `products approve`.

The first product sync on a shop, and any later pass that would change more than
`[products] max_changes_per_pass` products, writes nothing and waits. `plan` shows what it
would change (exit 1 while a plan waits); `approve` lets exactly that pass through. The
console's Products screen shows the same plan (key a approves).
"""
from __future__ import annotations

import click

from core.clock import SYSTEM_CLOCK
from core.products.approval import approve, current_plan
from core.store.audit import actor
from tui.commands.common import global_options, open_state


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.command("plan", help="Show the plan waiting for approval (exit 1 while one waits).")
@global_options()
def plan() -> int:
    open_state()
    state = current_plan()
    if not state.awaiting:
        click.echo("no product sync plan is waiting"
                   + (f" (last approved by {state.approved_by})" if state.approved_by else ""))
        return 0
    click.echo(f"waiting for approval: {state.reason}")
    click.echo("\n".join(f"  {line}" for line in state.lines))
    return 1


@command.command("approve", help="Approve the waiting plan: the next pass writes it.")
@global_options()
def approve_plan() -> int:
    open_state()
    try:
        state = approve(actor("cli"), clock=SYSTEM_CLOCK)
    except ValueError as exc:
        click.echo(f"ml-connector products approve: {exc}", err=True)
        return 1
    click.echo(f"approved: the next product sync writes up to {state.changes} change(s)")
    return 0
