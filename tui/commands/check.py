"""`ml-connector check`: ping WooCommerce and Dynamics GP and see if we fit.

Reports, in plain words: whether each system answers and accepts the credentials, the GP
company, what the connector's GP role may do (create customers, invoices, credit memos), whether
GP re-prices invoice lines, which route (SOAP / SBA) serves each capability, webhook
availability, and what to fix. Exits 1 when something blocks the sync, 2 when the workspace
cannot be read.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from core.config import Workspace
from core.errors import ConnectorError, StateError
from core.store.db import close_db, init_db

EXIT_STATE = 4  # the state database is damaged: nothing else is worth checking first


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="ping WooCommerce and GP, report what fits and what to fix",
                       description=__doc__)
    p.add_argument("--no-probe", action="store_true",
                   help="do not probe GP's role with empty documents (policy reads only)")
    p.add_argument("--wsdl", metavar="FILE",
                   help="use this GP WSDL (file or URL) instead of the server's cached copy")
    p.add_argument("--refresh-wsdl", action="store_true",
                   help="fetch the WSDL from the GP server again")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.check import GP_PASSWORD, WOO_KEY, WOO_SECRET, run_check

    try:
        ws = Workspace.from_args(getattr(args, "workspace", None), getattr(args, "config", None))
        settings = ws.load()
    except ConnectorError as exc:
        print(f"ml-connector check: {exc}", file=sys.stderr)
        return 2
    if ws.db_path.exists():
        try:
            init_db(ws.db_path, check=True)
        except StateError as exc:
            print(f"ml-connector check: {exc}", file=sys.stderr)
            return EXIT_STATE
        finally:
            close_db()
    secrets: dict[str, str | None] = {}
    try:
        from core.secrets.vault import open_vault

        vault = open_vault(ws)
        secrets = {name: vault.get(name) for name in (GP_PASSWORD, WOO_KEY, WOO_SECRET)}
    except ConnectorError as exc:
        print(f"ml-connector check: the stored credentials cannot be read: {exc}",
              file=sys.stderr)
    report = run_check(settings, secrets, ws.db_path.parent, probe=not args.no_probe,
                       refresh_wsdl=args.refresh_wsdl, wsdl=args.wsdl)
    if args.json:
        print(json.dumps({"ok": report.ok, "findings": [asdict(f) for f in report.findings],
                          "timings_ms": report.timings_ms}, indent=2))
    else:
        print(report.render())
    return report.exit_code()
