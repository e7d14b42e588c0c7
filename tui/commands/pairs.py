"""The shop -> GP company pairs of this workspace: each pair's shop, GP company, folder and,
from its own state database (never the network), its worker and what needs attention.

The workspace folder itself is the pair "default"; `ml-connector init --pair NAME` adds another
in `<folder>/pairs/NAME/`. Every command takes `--pair NAME`; the worker runs every pair.
"""
from __future__ import annotations

import json
from typing import Any

import click

from core.config import Settings, Workspace
from core.errors import ConnectorError
from core.pairs import list_pairs, pair_workspace
from core.store.db import close_db, ensure_db
from core.store.postgres import is_url, state_location
from core.worker.status import status_report
from tui.commands.common import CommandError, base_workspace, global_options


def pair_summary(name: str, ws: Workspace) -> dict[str, Any]:
    """One pair as `pairs` shows it: configuration, then its state when it has a database."""
    row: dict[str, Any] = {"pair": name, "folder": str(ws.db_path.parent)}
    try:
        settings = ws.load() if ws.config_path.exists() else Settings()
    except ConnectorError as exc:
        row["problem"] = str(exc)
        return row
    row["shop"] = settings.woocommerce.url or "(not set)"
    row["gp_company"] = settings.gp.company or "(not set)"
    row["webhooks_on"] = settings.worker.listen
    try:
        where = state_location(ws.db_path, settings.store.database_url)
    except ConnectorError as exc:
        row["problem"] = str(exc)
        return row
    if not is_url(where) and not ws.db_path.exists():
        row["problem"] = "no state database yet: run `ml-connector init --pair ...` again"
        return row
    try:
        ensure_db(where, home=ws.db_path)
        report = status_report()
    except ConnectorError as exc:
        row["problem"] = str(exc)
        return row
    finally:
        close_db()
    worker = report["worker"]
    running = bool(worker and worker["alive"])
    row["worker"] = "running" if running else "not running"
    if running:  # which host runs it (several hosts share the pairs with `worker --share`)
        row["worker_host"], row["worker_pid"] = worker["host"], worker["pid"]
    row["held"] = sum(report["held"].values())
    row["failed"] = report["failed"]
    row["attention"] = len(report["attention"])
    return row


@click.command(help=__doc__)
@global_options()
@click.option("--json", "as_json", is_flag=True, help="print JSON for scripts")
def command(as_json: bool) -> int:
    base = base_workspace()
    names = list_pairs(base)
    if not names:
        raise CommandError(f"no pair in {base.db_path.parent}: create one with "
                           "`ml-connector init` (add more with `init --pair NAME`)")
    rows = [pair_summary(name, pair_workspace(base, name)) for name in names]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        click.echo(f"{row['pair']:<16} shop {row.get('shop', '?')}  ->  GP company "
                   f"{row.get('gp_company', '?')}")
        if "problem" in row:
            click.echo(f"{'':<16} {row['problem']}")
        else:
            where = (f" on {row['worker_host']} (pid {row['worker_pid']})"
                     if "worker_host" in row else "")
            click.echo(f"{'':<16} worker {row['worker']}{where}, held {row['held']}, failed "
                       f"{row['failed']}, needs attention {row['attention']}, webhooks on "
                       f"{row['webhooks_on']}")
        click.echo(f"{'':<16} {row['folder']}")
    return 0
