"""`ml-connector backfill --since DATE`: import order history into the inbox.

Every order modified since DATE (UTC; `2026-11-01` or `2026-11-01T08:00`) is read from WooCommerce
page by page and queued for posting exactly like a webhook or a poll would. Ctrl-C stops after the
current page; running the same command again continues where it stopped.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from tui.commands.intake_common import fail, load


def register(sub: Any) -> None:
    p = sub.add_parser("backfill", help="import order history since a date (resumable)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--since", required=True, metavar="DATE", help="2026-11-01 (UTC)")
    p.add_argument("--per-page", type=int, default=100, choices=range(1, 101), metavar="N",
                   help="orders per request (1-100, default 100)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from core.connections import woo_client
    from core.errors import ConnectorError
    from core.intake.backfill import BackfillProgress, backfill, parse_since

    try:
        since = parse_since(args.since)
        _, settings, vault = load(args)
        client = woo_client(settings, vault)
    except (ConnectorError, ValueError) as exc:
        return fail("backfill", exc)
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())  # finish the page, then stop
    bar = Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[changed]} new/changed"), TimeElapsedColumn(),
                   disable=args.no_progress or not sys.stderr.isatty(), transient=False)
    task = bar.add_task("orders", total=None, changed=0)

    def progress(p: BackfillProgress) -> None:
        total = p.seen + p.remaining if p.remaining else None
        bar.update(task, completed=p.seen, total=total or p.seen, changed=p.changed)

    try:
        with bar, client:
            result = backfill(client, since, per_page=args.per_page, progress=progress,
                              should_stop=stop.is_set)
    except ConnectorError as exc:
        return fail("backfill", exc, 1)
    finally:
        signal.signal(signal.SIGINT, previous)
    print(f"backfill since {since:%Y-%m-%d %H:%M}Z: {result.seen} order(s) read, {result.changed} "
          f"new or changed, {result.pages} page(s)")
    if not result.complete:
        print("stopped before the end: run the same command again to continue")
        return 130
    return 0
