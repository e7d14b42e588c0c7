"""Ping WooCommerce and Dynamics GP and see if we fit.

Reports, in plain words: whether each system answers and accepts the credentials, the GP
company, what the connector's GP role may do (create customers, invoices, credit memos), whether
GP re-prices invoice lines, which route (SOAP / SBA) serves each capability, webhook
availability, and what to fix. Exits 1 when something blocks the sync, 2 when the workspace
cannot be read.
"""
from __future__ import annotations

import json
from dataclasses import asdict

import click

from core.check import FAIL, GP_PASSWORD, OK, WOO_KEY, WOO_SECRET, Finding, run_check
from core.check_setup import refs_from_database
from core.connections import workspace_folder
from core.errors import ConnectorError
from core.pairs import listen_clashes, other_pairs, state_clashes
from core.secrets.vault import open_vault
from core.shared_company import key_clashes
from core.store.db import database, ensure_db
from core.store.dialect import schema_version
from core.store.integrity import quick_check
from core.store.postgres import describe_location, is_url
from tui.commands.common import existing_pairs, existing_workspace, global_options, state_of


@click.command(help=__doc__)
@global_options()
@click.option("--no-probe", is_flag=True,
              help="do not probe GP's role with empty documents (policy reads only)")
@click.option("--wsdl", metavar="FILE",
              help="use this GP WSDL (file or URL) instead of the server's cached copy")
@click.option("--refresh-wsdl", is_flag=True, help="fetch the WSDL from the GP server again")
@click.option("--json", "as_json", is_flag=True, help="print the findings as JSON")
def command(no_probe: bool, wsdl: str | None, refresh_wsdl: bool, as_json: bool) -> int:
    ws = existing_workspace()
    settings = ws.load()
    secrets: dict[str, str | None] = {}
    where = state_of(ws, settings)
    if is_url(where):
        ensure_db(where, home=ws.db_path)  # unreachable: exit 4 saying so
    elif ws.db_path.exists():  # a damaged state database first: exit 4 with what to do
        ensure_db(ws.db_path)
        quick_check(database, ws.db_path)
    try:
        ensure_db(where, home=ws.db_path)
        vault = open_vault(ws, at=where)
        secrets = {name: vault.get(name) for name in (GP_PASSWORD, WOO_KEY, WOO_SECRET)}
    except ConnectorError as exc:  # still check what can be checked; the report says what is off
        click.echo(f"ml-connector check: the stored credentials cannot be read: {exc}", err=True)
    # The GL mapping and tax details live in the state database: prove them against GP too.
    refs = refs_from_database() if is_url(where) or ws.db_path.exists() else None
    report = run_check(settings, secrets, workspace_folder(ws), probe=not no_probe,
                       refresh_wsdl=refresh_wsdl, wsdl=wsdl, refs=refs)
    if is_url(where) or ws.db_path.exists():  # which state this check judged (never a guess)
        engine = "PostgreSQL" if is_url(where) else "SQLite"
        report.findings.append(Finding(
            "State", "Database", OK, f"{engine} {describe_location(where)}, schema version "
            f"{schema_version(database)}"))
    # Another pair of this workspace posting to the same GP company must not share keys.
    base, names = existing_pairs()
    others = other_pairs(base, names[0]) if names else {}
    for problem in key_clashes(names[0], settings, others) if names else []:
        report.findings.append(Finding("GP", "Numbers shared with another pair", FAIL, problem))
    for problem in state_clashes(names[0], settings, others) if names else []:
        report.findings.append(Finding("State", "State shared with another pair", FAIL,
                                       problem))
    for problem in listen_clashes(names[0], settings, others) if names else []:
        report.findings.append(Finding("WooCommerce", "Port shared with another pair", FAIL,
                                       problem))
    if as_json:
        click.echo(json.dumps({"ok": report.ok, "findings": [asdict(f) for f in report.findings],
                               "timings_ms": report.timings_ms}, indent=2))
    else:
        click.echo(report.render())
    return report.exit_code()
