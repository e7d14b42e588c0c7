"""Setting GL accounts the way GP will accept them: every account is looked up in GP's chart of
accounts (GetGLAccountList) before it is saved, for the console's GL editor and for
`ml-connector gl set / import` alike.

GP refuses a document that names an account it does not have with eConnect error 716 ("Account
does not exist for Account Number String (ACTNUMST) passed"): saving such an account only moves
the refusal to every order. So an account GP says it lacks is refused in GP's words, and one GP
cannot be asked about (not configured, unreachable, no route that lists accounts) is saved only
when the person says so explicitly ("unchecked"), and the audit trail says it was not checked.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings
from core.connections import gp_gateway
from core.errors import ConnectorError, GPError
from core.gl import GLMappingError, check_account_format, set_account
from core.secrets.vault import Vault
from core.store.models import GL_ACCOUNT_KINDS, GL_SCOPES, GlMapping

# eConnect error 716's text (gp.md §21): what GP says when a document names a missing account.
GP_NO_ACCOUNT = "Account does not exist for Account Number String (ACTNUMST) passed"
CSV_COLUMNS = ("scope", "for", "kind", "account")


@dataclass(frozen=True)
class AccountCheck:
    """What GP said about one account: exists True / False, or None when it could not say."""

    account: str
    exists: bool | None
    why: str


AccountChecker = Callable[[str], AccountCheck]


def ask_gp(gateway: Any, account: str) -> AccountCheck:
    """Look `account` up in GP's chart of accounts through `gateway` (a GPGateway)."""
    try:
        found = gateway.account_exists(account)
    except GPError as exc:
        return AccountCheck(account, None, f"GP could not be asked about {account}: {exc}")
    if found is None:
        return AccountCheck(account, None, "GP's enabled route cannot list accounts "
                            f"(GetGLAccountList), so {account} was not checked")
    if found:
        return AccountCheck(account, True, f"{account} exists in GP")
    return AccountCheck(account, False, f"GP has no account {account} (GP: {GP_NO_ACCOUNT}; "
                        "error 716 on every order that used it)")


@contextmanager
def gp_account_checker(settings: Settings, vault: Vault, workspace_dir: Path
                       ) -> Iterator[AccountChecker]:
    """A checker over one GP connection (each account asked once). When GP cannot be opened,
    every answer says why, and nothing is saved unless the person chose "unchecked"."""
    try:
        gateway = gp_gateway(settings, vault, workspace_dir)
    except ConnectorError as exc:
        reason = str(exc)
        yield lambda account: AccountCheck(account, None, f"GP could not be opened to check "
                                           f"{account}: {reason}")
        return
    seen: dict[str, AccountCheck] = {}

    def check(account: str) -> AccountCheck:
        if account not in seen:
            seen[account] = ask_gp(gateway, account)
        return seen[account]

    try:
        yield check
    finally:
        gateway.close()


def normalise(scope: str, scope_key: str, kind: str, account: str) -> tuple[str, str, str, str]:
    """(scope, key, kind, account) checked for shape, or GLMappingError saying what is wrong."""
    scope, kind, scope_key = scope.strip(), kind.strip(), scope_key.strip()
    if scope not in GL_SCOPES:
        raise GLMappingError(f"unknown scope {scope!r}; one of {', '.join(GL_SCOPES)}")
    if kind not in GL_ACCOUNT_KINDS:
        raise GLMappingError(f"unknown account kind {kind!r}; one of "
                             f"{', '.join(GL_ACCOUNT_KINDS)}")
    if scope == "company":
        scope_key = ""
    elif not scope_key:
        raise GLMappingError(f"a {scope.replace('_', ' ')} needs its id (--for)")
    if scope == "gateway" and kind != "cash":
        raise GLMappingError("a payment gateway maps to a cash account (kind cash)")
    if scope == "tax_rate":
        value = account.strip().upper()
        if not value:
            raise GLMappingError("a GP tax detail id is required")
        return scope, scope_key, kind, value
    return scope, scope_key, kind, check_account_format(account)


def check_entry(scope: str, scope_key: str, kind: str, account: str, check: AccountChecker,
                *, unchecked: bool = False) -> tuple[tuple[str, str, str, str], AccountCheck]:
    """Normalise and look up one entry; GLMappingError when it must not be saved."""
    entry = normalise(scope, scope_key, kind, account)
    if entry[0] == "tax_rate":  # a tax detail id, not a GL account: GP checks it when posting
        return entry, AccountCheck(entry[3], None, "a tax detail id (not a GL account)")
    result = check(entry[3])
    if result.exists is False:
        raise GLMappingError(result.why)
    if result.exists is None and not unchecked:
        raise GLMappingError(f"{result.why}; save it unchecked only if you are sure GP has it "
                             "(--unchecked, or 'Save unchecked' in the console)")
    return entry, result


def save_entry(entry: tuple[str, str, str, str], result: AccountCheck, *, actor: str,
               clock: Clock = SYSTEM_CLOCK) -> GlMapping:
    scope, key, kind, account = entry
    checked = ("checked in GP" if result.exists else
               "not a GL account" if scope == "tax_rate" else f"NOT checked in GP: {result.why}")
    return set_account(scope, key, kind, account, actor=actor, clock=clock, checked=checked)


def set_checked(scope: str, scope_key: str, kind: str, account: str, check: AccountChecker, *,
                actor: str, clock: Clock = SYSTEM_CLOCK, unchecked: bool = False
                ) -> AccountCheck:
    """Check one account in GP, then save it (audited with the check's outcome)."""
    entry, result = check_entry(scope, scope_key, kind, account, check, unchecked=unchecked)
    save_entry(entry, result, actor=actor, clock=clock)
    return result


@dataclass
class ImportResult:
    saved: list[tuple[str, str, str, str]]
    problems: list[str]  # "line 3: GP has no account ..." — nothing is saved when any


def import_csv(path: Path, check: AccountChecker, *, actor: str, clock: Clock = SYSTEM_CLOCK,
               unchecked: bool = False) -> ImportResult:
    """Read `scope,for,kind,account` rows; check every row first and save all of them only
    when none is refused, so a half-applied chart never posts."""
    problems: list[str] = []
    ready: list[tuple[tuple[str, str, str, str], AccountCheck]] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if header[:4] != list(CSV_COLUMNS):
            return ImportResult([], [f"{path}: the first line must be the header "
                                     f"{','.join(CSV_COLUMNS)} (found {','.join(header)})"])
        for n, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "") for k, v in raw.items() if k}
            if not any(row.values()):
                continue
            try:
                ready.append(check_entry(row["scope"], row["for"], row["kind"], row["account"],
                                         check, unchecked=unchecked))
            except GLMappingError as exc:
                problems.append(f"line {n}: {exc}")
    if problems:
        return ImportResult([], problems)
    for entry, result in ready:
        save_entry(entry, result, actor=actor, clock=clock)
    return ImportResult([entry for entry, _ in ready], [])


def gl_listing() -> list[dict[str, str]]:
    """Every company default (set or not, so gaps show), then every override."""
    rows = {(r.scope, r.scope_key, r.account_kind): r for r in GlMapping.select()}
    out = []
    for kind in GL_ACCOUNT_KINDS:
        if kind != "cash":
            r = rows.pop(("company", "", kind), None)
            out.append({"scope": "company", "for": "", "kind": kind,
                        "account": r.account if r else "", "by": r.updated_by if r else ""})
    for (scope, key, kind), r in sorted(rows.items()):
        out.append({"scope": scope, "for": key, "kind": kind, "account": r.account,
                    "by": r.updated_by})
    return out
