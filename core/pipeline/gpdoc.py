"""Exactly once into a system with no idempotency key (reliability.md §3).

The document number is deterministic and committed before the first attempt; GP is read (work
and history) before every create and after every attempt whose outcome is unknown; a validation
error is double-checked by a read too, because "duplicate document number" is how GP answers a
second create of a document a lost response already made. Never a blind re-post.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from core.errors import GPError, GPRefused, GPUnknownOutcome
from core.gp.errors import GPInUse
from core.gp.gateway import GPDocument, GPLine, ShipToAddress
from core.mapping.ship_to import ship_to_differences
from core.money import ZERO

from .context import crash_point


@dataclass(frozen=True)
class PostOutcome:
    kind: str  # "found" (existed already) | "created" | "failed" (GP refused) | "retry"
    document: GPDocument | None = None
    error: str = ""
    transient: bool = True
    reads: list[str] = field(default_factory=list)  # the read-backs made, for the audit trail
    cause: GPError | None = None  # the GP error behind a retry (its Retry-After, if any)


def gp_message(exc: GPError) -> str:
    """GP's own words first (validation messages), then the connector's summary."""
    if isinstance(exc, GPInUse):
        # Shown on the order and the job while it waits: a person in GP, not a refusal.
        return ("waiting on GP: a GP user has it open (" + "; ".join(exc.messages or [str(exc)])
                + "); retrying with backoff")
    if exc.messages:
        return "; ".join(exc.messages)
    return str(exc)


def post_once(find: Callable[[], GPDocument | None], create: Callable[[], None], *,
              before_create: Callable[[], None],
              read_back: Callable[[], GPDocument | None] | None = None) -> PostOutcome:
    """Find, else (commit "sending", create, read back). GPError from a read means "could not
    ask": the caller retries later and reads again first.

    `read_back` reads what GP holds after a create GP answered without a fault (by key: one
    round trip); `find` (the list read that can say "absent") stays the check before a create
    and after a refusal or a lost answer. Without it, `find` reads back too."""
    read_back = read_back or find
    reads: list[str] = []
    try:
        found = find()
    except GPError as exc:
        return PostOutcome("retry", error=f"GP could not be read: {gp_message(exc)}", reads=reads,
                           cause=exc)
    reads.append("before create: " + ("found" if found else "not found"))
    if found is not None:
        return PostOutcome("found", found, reads=reads)
    before_create()
    crash_point("before_create")
    try:
        create()
    except GPRefused as exc:
        # "Duplicate document number" is how GP answers a second create of a document a lost
        # response already made: a refusal is double-checked by a read too.
        return _read_back(find, exc, "validation error", reads)
    except GPUnknownOutcome as exc:
        return _read_back(find, exc, "unknown outcome", reads)
    except GPError as exc:
        return PostOutcome("retry", error=gp_message(exc), transient=True, reads=reads, cause=exc)
    crash_point("after_create")
    try:
        created = read_back()
    except GPError as exc:
        return PostOutcome("retry", error=f"created, but the read-back failed: {gp_message(exc)}",
                           reads=reads, cause=exc)
    reads.append("after create: " + ("found" if created else "not found"))
    if created is None:
        return PostOutcome("retry", error="GP accepted the document but does not show it yet",
                           reads=reads)
    return PostOutcome("created", created, reads=reads)


def _read_back(find: Callable[[], GPDocument | None], exc: GPRefused | GPUnknownOutcome,
               why: str, reads: list[str]) -> PostOutcome:
    try:
        again = find()
    except GPError as read_exc:
        return PostOutcome("retry", error=f"{gp_message(exc)}; the read-back failed too: "
                           f"{gp_message(read_exc)}", reads=reads, cause=read_exc)
    reads.append(f"after {why}: " + ("found" if again else "not found"))
    if again is not None:
        return PostOutcome("found", again, reads=reads)
    if isinstance(exc, GPRefused):
        return PostOutcome("failed", error=gp_message(exc), transient=False, reads=reads,
                           cause=exc)
    return PostOutcome("retry", error=gp_message(exc), transient=True, reads=reads, cause=exc)


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: str = ""  # "price" (GP re-priced lines) | "tax" | "totals" | "customer" | "void"
    detail: str = ""
    figures: dict[str, str] = field(default_factory=dict)


def _per_item(lines: tuple[GPLine, ...] | list[GPLine]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for li in lines:
        out[li.item.upper()] = out.get(li.item.upper(), ZERO) + li.extended_price
    return out


def verify(doc: GPDocument, *, label: str, customer_id: str, expected_total: Decimal,
           sent_lines: list[GPLine] | None = None,
           expected_tax: Decimal | None = None,
           sent_ship_to: ShipToAddress | None = None,
           expected_currency: str | None = None) -> Verification:
    """Read-back check: same customer, same currency, total to the cent (in the document's
    currency), (invoices) GP kept our prices and holds the ship-to sent."""
    if doc.state == "void":
        return Verification(False, "void", f"GP holds {label} as voided")
    if doc.customer_id.upper() != customer_id.upper():
        return Verification(False, "customer", f"GP already holds {label} for customer "
                            f"{doc.customer_id}, not {customer_id}: another document uses this "
                            "number", {"gp_customer": doc.customer_id, "customer": customer_id})
    if expected_currency and doc.currency and doc.currency.upper() != expected_currency.upper():
        return Verification(False, "currency", f"GP holds {label} in {doc.currency}, the order "
                            f"is in {expected_currency}: its amounts cannot be compared. Check "
                            "the document in GP (void it if it is wrong), then replay",
                            {"gp_currency": doc.currency, "currency": expected_currency,
                             "gp_total": str(doc.total), "woo_total": str(expected_total)})
    if sent_lines and doc.lines:
        ours, theirs = _per_item(sent_lines), _per_item(doc.lines)
        changed = {k: (ours.get(k, ZERO), theirs.get(k, ZERO)) for k in set(ours) | set(theirs)
                   if ours.get(k, ZERO) != theirs.get(k, ZERO)}
        if changed:
            text = ", ".join(f"{k}: sent {a}, GP {b}" for k, (a, b) in sorted(changed.items()))
            return Verification(False, "price", f"GP re-priced {label}: {text}. Set the "
                                "connector's role to 'Do Not Calculate' unit prices in GP Web "
                                "Services policy, fix the document in GP, then replay",
                                {k: f"{a}->{b}" for k, (a, b) in changed.items()})
    if doc.total != expected_total and expected_tax is not None and doc.tax is not None \
            and doc.tax != expected_tax:
        # GP computed the tax itself (tax_mode "gp"): say so with both figures.
        return Verification(False, "tax", f"GP computed tax {doc.tax} on {label}, WooCommerce "
                            f"charged {expected_tax} (GP total {doc.total}, WooCommerce "
                            f"{expected_total}): check the tax schedules GP uses for this "
                            "customer, its items and freight (Tax Schedule Maintenance), or "
                            "pass WooCommerce's tax ([posting] tax_mode = \"woo\"), then replay",
                            {"gp_tax": str(doc.tax), "woo_tax": str(expected_tax),
                             "difference": str(expected_total - doc.total),
                             "gp_total": str(doc.total), "woo_total": str(expected_total)})
    if doc.total != expected_total:
        return Verification(False, "totals", f"GP shows {label} with total {doc.total}, "
                            f"WooCommerce says {expected_total}",
                            {"gp_total": str(doc.total), "woo_total": str(expected_total)})
    differ = ship_to_differences(sent_ship_to, doc.ship_to)
    if differ:
        return Verification(False, "address", f"GP holds {label} with another ship-to than the "
                            f"order's ({', '.join(differ)} differ): correct the ship-to address "
                            "on the document in GP (Sales Transaction Entry, Ship To Address), "
                            "then replay", {"fields": ", ".join(differ)})
    return Verification(True)
