"""Choosing, for each WooCommerce gateway, the GP payment its invoices carry — from GP's lists.

Shared by `ml-connector payments` and the console's Payments screen: GP's card types and the
checkbooks GP names are read live; a choice is accepted only when GP lists the card type (GP's
spelling is stored, whatever case was typed), and saved in `[posting] gateways` with an audit
event. Web Services has no checkbook list (core/gp/soap_setup.py): a checkbook that no card type
names is accepted only when asked explicitly, and `check` keeps warning about it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, Workspace
from core.errors import ConfigError
from core.gp.keys import key_form
from core.gp.soap_setup import SetupRow
from core.mapping.payments import NOT_PAID, PAYMENT_KINDS, describe, gateway_rule, mapping_entry
from core.store import audit
from core.store.db import database


@dataclass(frozen=True)
class GPPaymentLists:
    """What GP offers to choose from."""

    card_types: list[SetupRow]
    checkbooks: list[str]
    checkbooks_complete: bool = False


@dataclass
class GatewayLine:
    gateway: str
    mapping: str  # describe()
    mapped: bool
    problem: str = ""


@dataclass
class PaymentOverview:
    gateways: list[GatewayLine] = field(default_factory=list)
    lists: GPPaymentLists | None = None


def read_lists(gateway: Any) -> GPPaymentLists:
    """GP's card types and checkbooks through the SOAP route's setup lists."""
    soap = getattr(gateway, "soap", None)
    setup = getattr(soap, "setup", None)
    if setup is None:
        raise ConfigError("choosing GP payments needs GP Web Services ([gp] soap_url): no other "
                          "route lists GP's payment card types")
    return GPPaymentLists(setup.card_types(), setup.checkbooks(), setup.checkbooks_complete)


def overview(settings: Settings, seen_gateways: list[str],
             lists: GPPaymentLists | None = None) -> PaymentOverview:
    """Every gateway seen on orders or configured, with its mapping (or why it has none)."""
    names = sorted(set(seen_gateways) | set(settings.posting.gateways))
    out = PaymentOverview(lists=lists)
    for name in names:
        rule = gateway_rule(settings.posting.gateways, name)
        mapped = name in settings.posting.gateways and not rule.problem
        out.gateways.append(GatewayLine(name, describe(rule) if mapped else "not mapped",
                                        mapped, rule.problem))
    return out


def choose(settings: Settings, gateway: str, payment_type: str, lists: GPPaymentLists, *,
           card_type: str = "", checkbook: str = "", allow_unlisted_checkbook: bool = False
           ) -> dict[str, Any]:
    """The `[posting] gateways` entry for this choice, with GP's own spelling of each id.

    Raises ConfigError naming what GP lists when an id is not GP's."""
    gateway = gateway.strip()
    if not gateway:
        raise ConfigError("name the WooCommerce gateway id (e.g. stripe, ppcp, bacs)")
    if payment_type not in PAYMENT_KINDS + (NOT_PAID,):
        raise ConfigError(f"payment type must be one of {', '.join(PAYMENT_KINDS + (NOT_PAID,))}")
    collation = settings.gp.key_collation
    if payment_type == NOT_PAID:
        return mapping_entry(NOT_PAID)
    gp_card = ""
    if payment_type == "credit_card":
        if not card_type:
            raise ConfigError("a card payment needs GP's payment card type: --card-type ID "
                              f"(GP lists: {_names(r.id for r in lists.card_types)})")
        row = next((r for r in lists.card_types
                    if key_form(r.id, collation) == key_form(card_type, collation)), None)
        if row is None:
            raise ConfigError(f"GP has no payment card type {card_type!r}; GP lists: "
                              f"{_names(r.id for r in lists.card_types)}")
        gp_card = row.id
        checkbook = checkbook or row.checkbook
    elif not checkbook:
        raise ConfigError(f"a {payment_type} payment needs GP's checkbook: --checkbook ID "
                          f"(GP names: {_names(lists.checkbooks)})")
    gp_book = ""
    if checkbook:
        known = {key_form(b, collation): b for b in lists.checkbooks}
        gp_book = known.get(key_form(checkbook, collation), "")
        if not gp_book:
            if not allow_unlisted_checkbook:
                raise ConfigError(
                    f"GP names no checkbook {checkbook!r} (GP names: "
                    f"{_names(lists.checkbooks)}). GP Web Services has no checkbook list, so a "
                    "checkbook no payment card type uses cannot be proved: pass "
                    "--unlisted-checkbook if it exists in GP (Financial » Cards » Checkbook)")
            gp_book = checkbook.strip()
    return mapping_entry(payment_type, card_type=gp_card, checkbook=gp_book)


def save_choice(ws: Workspace, settings: Settings, gateway: str, entry: dict[str, Any], *,
                actor: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """Write the choice to config.toml and the audit trail (the database must be open)."""
    before = settings.posting.gateways.get(gateway)
    settings.posting.gateways = {**settings.posting.gateways, gateway: entry}
    ws.save(settings)
    with database.atomic("IMMEDIATE"):
        audit.record("setting", f"posting.gateways.{gateway}", "setting_changed",
                     f"payment for gateway {gateway}: {before!r} -> {entry!r}", actor=actor,
                     clock=clock, data={"gateway": gateway, "before": before, "after": entry})


def _names(ids: Any) -> str:
    listed = sorted({str(i) for i in ids if i}, key=str.upper)
    return ", ".join(listed) if listed else "none"
