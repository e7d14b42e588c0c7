"""`ml-connector console`: the accountant's terminal console."""
from __future__ import annotations

import argparse
from typing import Any

from core.config import Workspace


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "console", help="open the accountant's console (queues, flagged SKUs, GL, reconcile)",
        description="Watch incoming orders, fix flagged SKUs and GL mappings, replay, read the "
                    "audit trail and reconcile. Runs the sync inside the console when no "
                    "headless worker holds the lease.")
    parser.add_argument("--no-worker", action="store_true",
                        help="never run an embedded worker (only watch and fix)")
    parser.add_argument("--db", metavar="FILE", help="open this state database directly")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tui.app import make_app

    target: Any = args.db or Workspace.from_args(args.workspace, args.config)
    app = make_app(target, start_worker=not args.no_worker)
    app.run()
    return int(app.return_code or 0)
