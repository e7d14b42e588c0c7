"""`ml-connector status [--json] [--check]`: queues, held reasons, failures, last poll, webhook
health and who holds the worker lease — from the state database, never the network."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.config import Settings, Workspace
from core.errors import ConfigError, ConnectorError, StateError

EXIT_STATE = 4  # the state database cannot be used (damaged, wrong version): the worker's code


def open_workspace(args: argparse.Namespace, *, must_exist: bool = True,
                   check: bool = False) -> tuple[Workspace, Settings]:
    """The workspace's settings and its opened state database. Settings default when there is
    no config file yet (status and reconcile only read)."""
    from core.store.db import init_db

    ws = Workspace.from_args(getattr(args, "workspace", None), getattr(args, "config", None))
    if must_exist and not ws.db_path.exists():
        raise ConfigError(f"no state database at {ws.db_path}: run `ml-connector init` first "
                          "(or pass --workspace DIR)")
    settings = ws.load() if ws.config_path.exists() else Settings()
    init_db(ws.db_path, check=check)
    return ws, settings


def register(sub: Any) -> None:
    p = sub.add_parser("status", help="queues, held and failed documents, worker and webhooks",
                       description=__doc__)
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when something needs attention (for monitoring)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.worker.status import format_status, status_report

    try:
        open_workspace(args, check=args.check)
    except StateError as exc:
        print(f"ml-connector status: {exc}", file=sys.stderr)
        return EXIT_STATE
    except ConnectorError as exc:
        print(f"ml-connector status: {exc}", file=sys.stderr)
        return 2
    report = status_report()
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(format_status(report))
    return 1 if args.check and report["attention"] else 0
