"""Import order history into the inbox: every order modified since a date.

Every order modified since DATE (UTC; `2026-11-01` or `2026-11-01T08:00`) is read from WooCommerce
page by page and queued for posting exactly like a webhook or a poll would. Ctrl-C stops after the
current page (exit 130); running the same command again continues where it stopped.
"""
from __future__ import annotations

import signal
import sys
import threading

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.connections import woo_client
from core.errors import ConnectorError
from core.exit_codes import ExitCode
from core.intake.backfill import BackfillProgress, backfill, parse_since
from tui.commands.common import CommandError, global_options, load


@click.command(help=__doc__)
@global_options()
@click.option("--since", required=True, metavar="DATE",
              help="the first modification time to import: 2026-11-01 or 2026-11-01T08:00 (UTC)")
@click.option("--per-page", type=click.IntRange(1, 100), default=100, show_default=True,
              metavar="N", help="orders per request (1-100)")
@click.option("--no-progress", is_flag=True, help="no progress bar (for logs)")
def command(since: str, per_page: int, no_progress: bool) -> int:
    start = parse_since(since)
    _, settings, vault = load()
    client = woo_client(settings, vault)
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())  # finish the page, then stop
    bar = Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[changed]} new/changed"), TimeElapsedColumn(),
                   disable=no_progress or not sys.stderr.isatty(), transient=False)
    task = bar.add_task("orders", total=None, changed=0)

    def progress(p: BackfillProgress) -> None:
        total = p.seen + p.remaining if p.remaining else None
        bar.update(task, completed=p.seen, total=total or p.seen, changed=p.changed)

    try:
        with bar, client:
            result = backfill(client, start, per_page=per_page, progress=progress,
                              should_stop=stop.is_set)
    except ConnectorError as exc:  # the shop failed part-way: what is stored stays stored
        raise CommandError(str(exc), command="backfill", exit_code=ExitCode.ATTENTION) from exc
    finally:
        signal.signal(signal.SIGINT, previous)
    click.echo(f"backfill since {start:%Y-%m-%d %H:%M}Z: {result.seen} order(s) read, "
               f"{result.changed} new or changed, {result.pages} page(s)")
    if not result.complete:
        click.echo("stopped before the end: run the same command again to continue")
        return ExitCode.INTERRUPTED
    return 0
