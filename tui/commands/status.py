"""Queues, held reasons, failures, last poll, webhook health and who holds the worker lease — from
the state database, never the network, so it answers at once even when GP or the shop is down."""
from __future__ import annotations

import json

import click

from core.store.db import database, on_postgres
from core.store.integrity import quick_check
from core.worker.status import format_status, status_report
from tui.commands.common import global_options, open_state


@click.command(help=__doc__)
@global_options()
@click.option("--json", "as_json", is_flag=True, help="print JSON for scripts")
@click.option("--check", is_flag=True,
              help="exit 1 when something needs attention (for monitoring)")
def command(as_json: bool, check: bool) -> int:
    ws, _ = open_state()
    if check and not on_postgres():
        quick_check(database, ws.db_path)  # a damaged database: exit 4 with what to do
    report = status_report()
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
    else:
        click.echo(format_status(report))
    return 1 if check and report["attention"] else 0
