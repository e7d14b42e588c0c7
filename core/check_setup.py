"""`check`, GP side, part two: the policies the connector's role gets and every GP id it is
configured with, each proved against GP's own list, with what to change in GP's words.

A FAIL means posting would fail or post different amounts; `check` then exits 1.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.check_currency import check_currencies, shop_currencies
from core.config import Settings
from core.errors import GPError
from core.gp.keys import key_form
from core.gp.policy import OPERATION_WORDS, Behaviour, review
from core.mapping.payments import describe, gateway_rule
from core.store.models import GlMapping

Add = Callable[..., None]  # add(subject, status, detail, fix="")


@dataclass
class SetupRefs:
    """GP ids the connector's database holds (GL mapping, tax detail per WooCommerce rate)."""

    accounts: list[tuple[str, str]] = field(default_factory=list)  # (what, GP account)
    tax_details: list[tuple[str, str]] = field(default_factory=list)  # (Woo rate id, GP id)
    currencies: list[str] = field(default_factory=list)  # what the shop's orders are in


def refs_from_database() -> SetupRefs:
    """Read from the open state database (the caller opened it)."""
    refs = SetupRefs()
    for row in GlMapping.select().order_by(GlMapping.scope, GlMapping.scope_key,
                                           GlMapping.account_kind):
        if row.scope == "tax_rate":
            refs.tax_details.append((row.scope_key, row.account))
        else:
            where = f" {row.scope_key}" if row.scope_key else ""
            refs.accounts.append((f"{row.account_kind} ({row.scope}{where})", row.account))
    refs.currencies = shop_currencies()
    return refs


def operations_read(settings: Settings) -> list[str]:
    """Every write the connector may make with this configuration."""
    ops = ["CreateCustomer", "UpdateCustomer", "CreateSalesInvoice", "UpdateSalesInvoice",
           "VoidSalesInvoice", "CreateReceivablesCreditMemo"]
    if settings.posting.refund_document == "return_when_restocked":
        ops.append("CreateSalesReturn")
    if settings.products.enabled and settings.products.owner_quantity in ("woocommerce",
                                                                           "last_writer"):
        ops.append("CreateInventoryAdjustment")  # shop stock changes reach GP as adjustments
    return ops


def check_policies(settings: Settings, soap: Any, add: Add) -> None:
    """Read the policy of every operation for the configured role and review it."""
    role = settings.gp.role.strip()
    if role:
        add("Role", "ok", f"policies are read for role {role}, sent as RoleKey on every call")
    else:
        add("Role", "warn", "[gp] role is empty: GP picks the account's role itself and uses "
            "the default policy when the account has several roles (which re-prices lines)",
            "set [gp] role to the Web Services role created for the connector")
    for op in operations_read(settings):
        words = OPERATION_WORDS.get(op, op)
        try:
            raw = soap.behaviors(op)
        except GPError as exc:
            add(f"Policy: {words}", "fail", f"GP will not give the {words} policy: {exc}",
                f"allow {op} for the connector's role in the Dynamics Security Console")
            continue
        behaviours = [Behaviour(bid, name, option, internal)
                      for bid, name, option, internal in raw]
        findings = review(op, behaviours, role=role, tax_mode=settings.posting.tax_mode)
        if not findings:
            add(f"Policy: {words}", "ok", f"readable ({len(behaviours)} behaviour(s))")
        for f in findings:
            add(f.subject, f.status, f.detail, f.fix)


def _ids(rows: Sequence[Any], collation: str) -> set[str]:
    return {key_form(r.id, collation) for r in rows}


def check_setup_ids(settings: Settings, soap: Any, add: Add, refs: SetupRefs | None) -> None:
    """Every configured GP id against GP's list of that kind."""
    collation = settings.gp.key_collation
    lists = soap.setup
    posting = settings.posting
    _check_payments(settings, lists, add, collation)
    if "hold" in posting.status_map.values():
        _one(add, "Process hold", posting.hold_id, lists, "holds", collation,
             "orders put on hold in WooCommerce cannot be held in GP",
             f"create process hold {posting.hold_id} in Sales Process Holds Setup (Sales » Setup "
             "» Sales Order Processing » Process Holds), or set [posting] hold_id to one GP lists")
    _one(add, "Site", posting.site, lists, "sites", collation, "every invoice line names it",
         f"create site {posting.site} (Inventory » Setup » Site Maintenance), or set [posting] "
         "site to one GP lists")
    if settings.products.enabled:
        _one(add, "Price level", settings.products.price_level, lists, "price_levels", collation,
             "product prices are read at it",
             f"create price level {settings.products.price_level} (Inventory » Setup » Price "
             "Level Setup), or set [products] price_level to one GP lists")
        if settings.products.site.lower() != "all" and settings.products.site != posting.site:
            _one(add, "Stock site", settings.products.site, lists, "sites", collation,
                 "stock is read at it", "set [products] site to one GP lists, or \"all\"")
    for label, doc_id in (("Invoice document type", posting.invoice_doc_type),
                          ("Return document type", posting.return_doc_type)):
        if doc_id:
            add(label, "warn", f"{doc_id}: GP Web Services lists no SOP document ids, so GP "
                "checks it on the first document", "make sure it exists in Sales Order "
                "Processing Setup » Sales Document Setup")
    check_currencies(settings, lists, add, refs.currencies if refs is not None else [])
    if refs is not None:
        _check_accounts(refs, soap, add)
        _check_tax_details(settings, refs, lists, add, collation)


def _one(add: Add, subject: str, value: str, lists: Any, kind: str, collation: str,
         why: str, fix: str) -> None:
    try:
        known = _ids(lists.rows(kind), collation)
    except GPError as exc:
        add(subject, "warn", f"cannot read GP's list to check {value}: {exc}")
        return
    if key_form(value, collation) in known:
        add(subject, "ok", f"{value} exists in GP")
    else:
        add(subject, "fail", f"GP has no {subject.lower()} {value!r} ({why})", fix)


def _check_payments(settings: Settings, lists: Any, add: Add, collation: str) -> None:
    gateways = settings.posting.gateways
    if not gateways:
        add("Payments", "warn", "no WooCommerce gateway is mapped to a GP payment: every "
            "invoice is left unpaid in GP", "map each gateway with `ml-connector payments set`")
        return
    try:
        card_types = lists.card_types()
        known_cards = _ids(card_types, collation)
        known_books = {key_form(b, collation) for b in lists.checkbooks()}
    except GPError as exc:
        add("Payments", "warn", f"cannot read GP's payment card types: {exc}")
        return
    for gateway in sorted(gateways):
        rule = gateway_rule(gateways, gateway)
        subject = f"Payment: {gateway}"
        if rule.problem:
            add(subject, "warn", rule.problem)
            continue
        if not rule.paid:
            add(subject, "info", "not paid at checkout: invoices stay open in GP")
            continue
        if rule.card_type and key_form(rule.card_type, collation) not in known_cards:
            names = ", ".join(r.id for r in card_types) or "none"
            add(subject, "fail", f"GP has no payment card type {rule.card_type!r} (GP lists: "
                f"{names}); paid invoices would be refused",
                f"create it in GP (Administration » Setup » Company » Credit Cards) or choose "
                f"one GP lists: `ml-connector payments set {gateway} --card-type ...`")
            continue
        if rule.checkbook and key_form(rule.checkbook, collation) not in known_books:
            add(subject, "warn", f"checkbook {rule.checkbook!r} is not one GP's card types "
                "deposit into, and GP Web Services has no checkbook list: GP checks it on the "
                "first paid invoice", "make sure checkbook "
                f"{rule.checkbook} exists in GP (Financial » Cards » Checkbook)")
            continue
        add(subject, "ok", describe(rule) + " (GP lists it)")


def _check_accounts(refs: SetupRefs, soap: Any, add: Add) -> None:
    missing: list[str] = []
    unknown = False
    for what, account in refs.accounts:
        try:
            exists = soap.account_exists(account)
        except GPError:
            exists = None
        if exists is None:
            unknown = True
        elif not exists:
            missing.append(f"{account} ({what})")
    if missing:
        add("GL accounts", "fail", f"GP has no account {', '.join(missing)}: documents "
            "distributed to them would be refused", "create them in GP (Financial » Cards » "
            "Account) or change them in the console's GL mapping")
    elif unknown:
        add("GL accounts", "warn", "GP's chart of accounts could not be read: accounts are "
            "checked when documents post")
    elif refs.accounts:
        add("GL accounts", "ok", f"all {len(refs.accounts)} mapped account(s) exist in GP")


def _check_tax_schedules(settings: Settings, lists: Any, add: Add, collation: str) -> None:
    """tax_mode "gp": the schedule GP computes each WooCommerce rate's tax by must exist."""
    schedules = settings.posting.tax_schedules
    if not schedules:
        add("Tax schedules", "warn", "GP computes the tax ([posting] tax_mode = \"gp\") but no "
            "WooCommerce tax rate is mapped to a GP tax schedule: every taxed order is held",
            "set [posting] tax_schedules, e.g. { \"1\" = \"NY\" } (WooCommerce rate id = GP "
            "tax schedule id)")
        return
    try:
        known = _ids(lists.rows("tax_schedules"), collation)
    except GPError as exc:
        add("Tax schedules", "warn", f"cannot read GP's tax schedules: {exc}")
        return
    bad = [f"{schedule} (WooCommerce rate {rate})" for rate, schedule in sorted(
        schedules.items()) if key_form(schedule, collation) not in known]
    if bad:
        add("Tax schedules", "fail", f"GP has no tax schedule {', '.join(bad)}: GP would refuse "
            "taxed invoices (error 7023)", "create them in GP (Administration » Setup » Company "
            "» Tax Schedules) or map the rates to schedules GP lists")
    else:
        add("Tax schedules", "ok", f"all {len(schedules)} mapped tax schedule(s) exist; GP "
            "computes each order's tax by its rate's schedule")


def _check_tax_details(settings: Settings, refs: SetupRefs, lists: Any, add: Add,
                       collation: str) -> None:
    if settings.posting.tax_mode != "woo":
        _check_tax_schedules(settings, lists, add, collation)
        return
    if not refs.tax_details:
        add("Tax details", "warn", "no WooCommerce tax rate is mapped to a GP tax detail: "
            "WooCommerce's tax reaches GP as a header amount without details",
            "map each tax rate to a GP tax detail in the console's GL mapping")
        return
    try:
        known = _ids(lists.rows("tax_details"), collation)
    except GPError as exc:
        add("Tax details", "warn", f"cannot read GP's tax details: {exc}")
        return
    bad = [f"{detail} (WooCommerce rate {rate})" for rate, detail in refs.tax_details
           if key_form(detail, collation) not in known]
    if bad:
        add("Tax details", "fail", f"GP has no tax detail {', '.join(bad)}: taxed invoices "
            "would be refused", "create them in GP (Administration » Setup » Company » Tax "
            "Details) or map the rates to details GP lists")
    else:
        add("Tax details", "ok", f"all {len(refs.tax_details)} mapped tax detail(s) exist")
