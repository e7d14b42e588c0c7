"""`ml-connector gl`: the GL accounts orders post to, for scripted set-ups.

    ml-connector gl list [--json]
    ml-connector gl set sales 000-4100-00                       # a company default
    ml-connector gl set cash 000-1140-00 --scope gateway --for stripe
    ml-connector gl import accounts.csv                         # scope,for,kind,account

Every account is looked up in GP's chart of accounts first (GetGLAccountList); one GP does not
have is refused in GP's words and nothing is saved. When GP cannot be asked, nothing is saved
unless --unchecked says you are sure (the audit trail records it as not checked). An import is
all or nothing. Exit codes: 0 saved (or listed), 1 refused, 2 usage or configuration error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.errors import ConnectorError
from core.gl import GLMappingError
from core.gl_setup import gl_listing, gp_account_checker, import_csv, set_checked
from core.store.models import GL_ACCOUNT_KINDS, GL_SCOPES
from tui.commands.intake_common import actor, fail, load


def register(sub: Any) -> None:
    p = sub.add_parser("gl", help="list, set or import the GL accounts (checked in GP)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    gl_sub = p.add_subparsers(dest="gl_command", metavar="ACTION", required=True)
    ls = gl_sub.add_parser("list", help="every account kind and override, gaps included")
    ls.add_argument("--json", action="store_true", help="print JSON for scripts")
    ls.set_defaults(func=run_list)
    st = gl_sub.add_parser("set", help="set one account after GP confirms it exists")
    st.add_argument("kind", choices=GL_ACCOUNT_KINDS, help="which amount lands on the account")
    st.add_argument("account", help="GP account number, e.g. 000-4100-00 (a tax detail id for "
                    "--scope tax_rate)")
    st.add_argument("--scope", choices=GL_SCOPES, default="company",
                    help="company default (default), customer_class, customer, gateway "
                         "(payment method -> cash account) or tax_rate")
    st.add_argument("--for", dest="scope_key", default="", metavar="ID",
                    help="the class id, customer id, gateway id or tax rate id the override is for")
    st.add_argument("--unchecked", action="store_true",
                    help="save even when GP cannot be asked (never when GP says it lacks it)")
    st.set_defaults(func=run_set)
    im = gl_sub.add_parser("import", help="set many from a CSV file: scope,for,kind,account")
    im.add_argument("file", type=Path, help="CSV with the header scope,for,kind,account")
    im.add_argument("--unchecked", action="store_true",
                    help="save rows GP cannot be asked about (never rows GP says it lacks)")
    im.set_defaults(func=run_import)


def run_list(args: argparse.Namespace) -> int:
    try:
        load(args)
    except ConnectorError as exc:
        return fail("gl list", exc)
    rows = gl_listing()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'scope':<15} {'for':<16} {'kind':<12} {'account':<20} changed by")
    for r in rows:
        print(f"{r['scope']:<15} {r['for']:<16} {r['kind']:<12} "
              f"{r['account'] or '(not set)':<20} {r['by']}")
    missing = [r["kind"] for r in rows if r["scope"] == "company" and not r["account"]]
    if missing:
        print(f"\nNot set: {', '.join(missing)} — orders needing them are held (gl set KIND "
              "ACCOUNT).")
    return 0


def run_set(args: argparse.Namespace) -> int:
    try:
        ws, settings, vault = load(args)
    except ConnectorError as exc:
        return fail("gl set", exc)
    try:
        with gp_account_checker(settings, vault, ws.db_path.parent) as check:
            result = set_checked(args.scope, args.scope_key, args.kind, args.account, check,
                                 actor=actor(), unchecked=args.unchecked)
    except GLMappingError as exc:
        return fail("gl set", exc, 1)
    where = args.scope if args.scope == "company" else f"{args.scope} {args.scope_key}"
    print(f"{args.kind} account for {where} set to {args.account.strip().upper()} "
          f"({result.why}).")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        return fail("gl import", FileNotFoundError(f"no file {args.file}"))
    try:
        ws, settings, vault = load(args)
    except ConnectorError as exc:
        return fail("gl import", exc)
    with gp_account_checker(settings, vault, ws.db_path.parent) as check:
        result = import_csv(args.file, check, actor=actor(), unchecked=args.unchecked)
    if result.problems:
        for problem in result.problems:
            print(f"ml-connector gl import: {problem}", file=sys.stderr)
        print("ml-connector gl import: nothing saved; fix the lines above and import again.",
              file=sys.stderr)
        return 1
    print(f"{len(result.saved)} account(s) saved, each checked in GP"
          + (" (or saved unchecked where GP could not be asked)." if args.unchecked else "."))
    return 0
