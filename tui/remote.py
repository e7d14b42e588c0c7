"""The console's only network calls: connection tests and GP account checks. Each runs on a
worker thread (never the UI's) and degrades to a sentence when a piece is missing."""
from __future__ import annotations

from contextlib import closing
from typing import Any

from core.payment_setup import read_lists
from core.store.db import thread_connection
from tui.context import ConsoleContext


def _vault(ctx: ConsoleContext) -> Any:
    from core.secrets.vault import open_vault

    if ctx.workspace is None:
        raise RuntimeError("no workspace: credentials live with a workspace (--workspace DIR)")
    return open_vault(ctx.workspace, clock=ctx.clock)


def open_gp(ctx: ConsoleContext) -> Any:
    """A GP gateway from settings + vault; raises with a readable reason when it cannot."""
    try:
        from core.gp.factory import open_gateway
    except ImportError as exc:
        raise RuntimeError("the GP gateway is not part of this installation") from exc
    from core.secrets.vault import GP_PASSWORD

    vault = _vault(ctx)
    workspace_dir = ctx.workspace.db_path.parent if ctx.workspace else ctx.db_path.parent
    return open_gateway(ctx.settings, vault.require(GP_PASSWORD), workspace_dir)


def test_gp(ctx: ConsoleContext) -> str:
    with thread_connection():
        gateway = open_gp(ctx)
        with closing(gateway):
            company = gateway.company()
            routes = gateway.capabilities()
    enabled = ", ".join(f"{k}: {v}" for k, v in sorted(routes.items())) or "no routes"
    return f"GP answered: company {company.name} (key {company.key}); {enabled}"


def test_woo(ctx: ConsoleContext) -> str:
    with thread_connection():
        from core.connections import woo_client

        client = woo_client(ctx.settings, _vault(ctx))
        with client:
            page = client.list_orders(per_page=1)
    count = getattr(page, "total", None)
    return "WooCommerce answered" + (f": {count} order(s) in the store" if count is not None
                                     else "")


def gp_account_exists(ctx: ConsoleContext, account: str) -> tuple[bool | None, str]:
    """(exists?, why) — None when GP cannot be asked (not configured, unreachable, no route)."""
    try:
        with thread_connection():
            gateway = open_gp(ctx)
            with closing(gateway):
                found = gateway.account_exists(account)
    except Exception as exc:  # any reason GP cannot answer: the format check stands alone
        return None, f"format checked; GP not asked: {exc}"
    if found is None:
        return None, "GP's route cannot list accounts: format checked only"
    return found, "exists in GP" if found else f"GP has no account {account}"


def gp_payment_lists(ctx: ConsoleContext) -> Any:
    """GP's payment card types and the checkbooks they name (core.payment_setup)."""
    with thread_connection():
        gateway = open_gp(ctx)
        with closing(gateway):
            return read_lists(gateway)
