"""GL account mapping: which GP account each amount lands on.

Resolution order: customer -> customer class -> company default. Payment gateways
map to a cash account (scope "gateway"); WooCommerce tax rates to GP tax detail ids (scope
"tax_rate", kind "tax"). Every change is audited with who made it.
"""
from __future__ import annotations

import re

from core.clock import SYSTEM_CLOCK, Clock
from core.store import audit
from core.store.db import database
from core.store.models import GL_ACCOUNT_KINDS, GL_SCOPES, GlMapping

# GP account numbers are segments separated by a delimiter, e.g. 000-4100-00 (up to 66 chars).
ACCOUNT_FORMAT = re.compile(r"^[0-9A-Z]{1,9}(-[0-9A-Z]{1,9}){0,9}$")


class GLMappingError(ValueError):
    pass


def check_account_format(account: str) -> str:
    """Return the normalised account or raise with what is wrong."""
    value = account.strip().upper()
    if not value:
        raise GLMappingError("an account number is required")
    if len(value) > 66 or not ACCOUNT_FORMAT.match(value):
        raise GLMappingError(f"{account!r} is not a GP account number (segments of letters or "
                             "digits separated by '-', e.g. 000-4100-00)")
    return value


def set_account(scope: str, scope_key: str, kind: str, account: str, *, actor: str,
                clock: Clock = SYSTEM_CLOCK, checked: str | None = None) -> GlMapping:
    """Save one account (format checked here). `checked` is what GP said about it (see
    core.gl_setup, which looks it up first), recorded in the audit trail."""
    if scope not in GL_SCOPES:
        raise GLMappingError(f"unknown scope {scope!r}; one of {', '.join(GL_SCOPES)}")
    if kind not in GL_ACCOUNT_KINDS:
        raise GLMappingError(f"unknown account kind {kind!r}; one of {', '.join(GL_ACCOUNT_KINDS)}")
    if scope == "company":
        scope_key = ""
    value = account.strip().upper() if scope == "tax_rate" else check_account_format(account)
    now = clock.now()
    with database.atomic("IMMEDIATE"):
        row = GlMapping.get_or_none((GlMapping.scope == scope) & (GlMapping.scope_key == scope_key)
                                    & (GlMapping.account_kind == kind))
        before = row.account if row else None
        if row:
            GlMapping.update(account=value, updated_by=actor, updated_at=now).where(
                GlMapping.id == row.id).execute()
        else:
            row = GlMapping.create(scope=scope, scope_key=scope_key, account_kind=kind,
                                   account=value, updated_by=actor, updated_at=now)
        where = scope if not scope_key else f"{scope} {scope_key}"
        note = f" ({checked})" if checked else ""
        audit.record("gl", f"{scope}:{scope_key}:{kind}", "gl_changed",
                     f"{kind} account for {where}: {before or '(none)'} -> {value}{note}",
                     actor=actor, clock=clock,
                     data={"before": before, "after": value, "checked": checked})
    return GlMapping.get_by_id(row.id)


def remove_account(scope: str, scope_key: str, kind: str, *, actor: str,
                   clock: Clock = SYSTEM_CLOCK) -> bool:
    with database.atomic("IMMEDIATE"):
        row = GlMapping.get_or_none((GlMapping.scope == scope) & (GlMapping.scope_key == scope_key)
                                    & (GlMapping.account_kind == kind))
        if not row:
            return False
        row.delete_instance()
        audit.record("gl", f"{scope}:{scope_key}:{kind}", "gl_removed",
                     f"{kind} account override for {scope} {scope_key} removed "
                     f"(was {row.account})", actor=actor, clock=clock)
    return True


def resolve_account(kind: str, *, customer_id: str | None = None,
                    customer_class: str | None = None) -> str | None:
    """The account for `kind`: customer override, else class, else company default."""
    candidates = [("customer", customer_id), ("customer_class", customer_class), ("company", "")]
    rows = {(r.scope, r.scope_key): r.account for r in GlMapping.select().where(
        GlMapping.account_kind == kind)}
    for scope, key in candidates:
        if key is None:
            continue
        if (scope, key) in rows:
            return rows[(scope, key)]
    return None


def gateway_account(gateway: str) -> str | None:
    row = GlMapping.get_or_none((GlMapping.scope == "gateway") & (GlMapping.scope_key == gateway)
                                & (GlMapping.account_kind == "cash"))
    return row.account if row else None


def tax_detail_for(rate_id: int | str) -> str | None:
    row = GlMapping.get_or_none((GlMapping.scope == "tax_rate")
                                & (GlMapping.scope_key == str(rate_id))
                                & (GlMapping.account_kind == "tax"))
    return row.account if row else None
