"""The console's only network calls: connection tests and GP account checks. Each runs on a
worker thread (never the UI's) and degrades to a sentence when a piece is missing. Connections
are built by core.connections, the one place that assembles vault, GP gateway and WooCommerce."""
from __future__ import annotations

from contextlib import closing
from typing import Any

from core.connections import Connections
from core.gl_setup import AccountCheck, ask_gp
from core.gp.router import RoutedGateway
from core.payment_setup import read_lists
from core.secrets.vault import Vault
from core.store.db import thread_connection
from tui.context import ConsoleContext


def connections(ctx: ConsoleContext) -> Connections:
    if ctx.workspace is None:
        raise RuntimeError("no workspace: credentials live with a workspace (--workspace DIR)")
    return Connections.open(ctx.workspace, clock=ctx.clock)


def vault(ctx: ConsoleContext) -> Vault:
    """The workspace's vault (call inside a database thread)."""
    return connections(ctx).vault


def open_gp(ctx: ConsoleContext) -> RoutedGateway:
    """A GP gateway from settings + vault; raises with a readable reason when it cannot."""
    return connections(ctx).gp(ctx.settings)


def test_gp(ctx: ConsoleContext) -> str:
    with thread_connection():
        gateway = open_gp(ctx)
        with closing(gateway):
            company = gateway.company()
            routes = gateway.summary()
    return f"GP answered: company {company.name} (key {company.key}). {routes}"


def test_woo(ctx: ConsoleContext) -> str:
    with thread_connection():
        client = connections(ctx).woo(ctx.settings)
        with client:
            page = client.list_orders(per_page=1)
    count = getattr(page, "total", None)
    return "WooCommerce answered" + (f": {count} order(s) in the store" if count is not None
                                     else "")


def gp_account_check(ctx: ConsoleContext, account: str) -> AccountCheck:
    """Look the account up in GP's chart of accounts (GetGLAccountList); when GP cannot be
    opened, the answer says why (exists None), and the console saves only on request."""
    with thread_connection():
        try:
            gateway = open_gp(ctx)
        except Exception as exc:  # any reason GP cannot be opened: said, never swallowed
            return AccountCheck(account, None, f"GP could not be opened to check {account}: "
                                f"{exc}")
        with closing(gateway):
            return ask_gp(gateway, account)


def gp_payment_lists(ctx: ConsoleContext) -> Any:
    """GP's payment card types and the checkbooks they name (core.payment_setup)."""
    with thread_connection():
        gateway = open_gp(ctx)
        with closing(gateway):
            return read_lists(gateway)
