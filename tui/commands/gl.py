"""The GL accounts orders post to, for scripted set-ups.

\b
    ml-connector gl list [--json]
    ml-connector gl set sales 000-4100-00                      # a company default
    ml-connector gl set cash 000-1140-00 --scope gateway --for stripe
    ml-connector gl import accounts.csv                        # scope,for,kind,account

Every account is looked up in GP's chart of accounts first (GetGLAccountList): one GP does not
have is refused in GP's words and nothing is saved. When GP cannot be asked, nothing is saved
unless --unchecked says you are sure (the audit trail records it as not checked). An import is
all or nothing. Exit 0 saved (or listed), 1 refused, 2 usage or configuration.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from core.exit_codes import ExitCode
from core.gl import GLMappingError
from core.gl_setup import gl_listing, gp_account_checker, import_csv, set_checked
from core.store.audit import actor
from core.store.models import GL_ACCOUNT_KINDS, GL_SCOPES
from tui.commands.common import global_options, load

UNCHECKED_HELP = ("save even when GP cannot be asked (never an account GP says it does not "
                  "have); recorded as unchecked")


@click.group(help=__doc__)
@global_options()
def command() -> None:
    pass


@command.command("list", help="Every account kind (gaps included) and every override.")
@global_options()
@click.option("--json", "as_json", is_flag=True, help="print JSON for scripts")
def list_accounts(as_json: bool) -> int:
    load()
    rows = gl_listing()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return ExitCode.OK
    click.echo(f"{'scope':<15} {'for':<16} {'kind':<12} {'account':<20} changed by")
    for r in rows:
        click.echo(f"{r['scope']:<15} {r['for']:<16} {r['kind']:<12} "
                   f"{r['account'] or '(not set)':<20} {r['by']}")
    missing = [r["kind"] for r in rows if r["scope"] == "company" and not r["account"]]
    if missing:
        click.echo(f"\nNot set: {', '.join(missing)}. Orders needing them are held: "
                   "`ml-connector gl set KIND ACCOUNT`.")
    return ExitCode.OK


@command.command("set", help="Set one account once GP confirms it exists.")
@global_options()
@click.argument("kind", type=click.Choice(GL_ACCOUNT_KINDS))
@click.argument("account")
@click.option("--scope", type=click.Choice(GL_SCOPES), default="company", show_default=True,
              help="company default, customer_class, customer, gateway (a payment method's "
                   "cash account) or tax_rate (ACCOUNT is then a GP tax detail id)")
@click.option("--for", "scope_key", default="", metavar="ID",
              help="the class id, customer id, gateway id or tax rate id of an override")
@click.option("--unchecked", is_flag=True, help=UNCHECKED_HELP)
def set_one(kind: str, account: str, scope: str, scope_key: str, unchecked: bool) -> int:
    ws, settings, vault = load()
    try:
        with gp_account_checker(settings, vault, ws.db_path.parent) as check:
            result = set_checked(scope, scope_key, kind, account, check, actor=actor("cli"),
                                 unchecked=unchecked)
    except GLMappingError as exc:
        click.echo(f"ml-connector gl set: not saved: {exc}", err=True)
        return ExitCode.ATTENTION
    where = scope if scope == "company" else f"{scope} {scope_key}"
    click.echo(f"{kind} account for {where} set to {account.strip().upper()} ({result.why}).")
    return ExitCode.OK


@command.command("import", help="Set many accounts from a CSV file with the header "
                 "scope,for,kind,account; all or nothing.")
@global_options()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unchecked", is_flag=True, help=UNCHECKED_HELP)
def import_accounts(file: Path, unchecked: bool) -> int:
    ws, settings, vault = load()
    with gp_account_checker(settings, vault, ws.db_path.parent) as check:
        result = import_csv(file, check, actor=actor("cli"), unchecked=unchecked)
    if result.problems:
        for problem in result.problems:
            click.echo(f"ml-connector gl import: {problem}", err=True)
        click.echo("ml-connector gl import: nothing saved; fix the lines above and import "
                   "again.", err=True)
        return ExitCode.ATTENTION
    click.echo(f"{len(result.saved)} account(s) saved"
               + (", each checked in GP." if not unchecked else
                  " (checked in GP, or unchecked where GP could not be asked)."))
    return ExitCode.OK
