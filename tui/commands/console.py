"""Open the accountant's console: watch incoming orders, fix flagged SKUs and GL mappings, replay,
read the audit trail and reconcile. Runs the sync inside the console when no headless worker
holds the lease."""
from __future__ import annotations

from pathlib import Path

import click

from tui.app import make_app
from tui.commands.common import CommandError, existing_workspace, global_options


@click.command(help=__doc__)
@global_options()
@click.option("--no-worker", is_flag=True, help="never run an embedded worker (only watch and fix)")
@click.option("--db", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="open this state database directly (no workspace)")
def command(no_worker: bool, db: Path | None) -> int:
    if db is not None and not db.exists():
        raise CommandError(f"no state database at {db}", command="console")
    app = make_app(db if db is not None else existing_workspace(), start_worker=not no_worker)
    app.run()
    return int(app.return_code or 0)
