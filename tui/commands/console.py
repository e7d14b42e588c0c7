"""Open the accountant's console: watch incoming orders, fix flagged SKUs and GL mappings, replay,
read the audit trail and reconcile. Runs the sync inside the console when no headless worker
holds the lease. When the workspace holds several pairs, the console opens on the pair picker
(each pair's queues; Enter opens one; key 0 comes back) unless --pair names one."""
from __future__ import annotations

from pathlib import Path

import click

from core.pairs import list_pairs
from tui.app import ConnectorApp, make_app, make_picker_app
from tui.commands.common import (
    CommandError,
    asked_pair,
    base_workspace,
    existing_workspace,
    global_options,
)


def console_app(*, start_worker: bool, db: Path | None = None) -> ConnectorApp:
    """The console the options ask for: a bare database, the pair picker (several pairs, none
    named), or one pair's dashboard (named, or the only one)."""
    if db is not None:
        if not db.exists():
            raise CommandError(f"no state database at {db}", command="console")
        return make_app(db, start_worker=start_worker)
    base = base_workspace()
    several = len(list_pairs(base)) > 1
    if several and asked_pair() is None:
        return make_picker_app(base, start_worker=start_worker)
    ws = existing_workspace()
    return make_app(ws, start_worker=start_worker, pairs_base=base if several else None,
                    pair=asked_pair())


@click.command(help=__doc__)
@global_options()
@click.option("--no-worker", is_flag=True, help="never run an embedded worker (only watch and fix)")
@click.option("--db", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="open this state database directly (no workspace)")
def command(no_worker: bool, db: Path | None) -> int:
    app = console_app(start_worker=not no_worker, db=db)
    app.run()
    return int(app.return_code or 0)
