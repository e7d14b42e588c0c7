"""The three-way comparison, field by field, with owners. Pure: no database, no network.

Per field, with the last synced value as the base:

| woo vs gp          | owner gp            | owner woocommerce   | owner last_writer  |
|--------------------|---------------------|---------------------|--------------------|
| equal              | adopt as base       | adopt as base       | adopt as base      |
| only GP changed    | GP -> Woo           | Woo -> GP (restore) | GP -> Woo          |
| only Woo changed   | GP -> Woo (restore) | Woo -> GP           | Woo -> GP          |
| both changed       | GP -> Woo           | Woo -> GP           | conflict           |
| no base yet        | GP -> Woo           | Woo -> GP           | conflict           |

Why owners mean "whose value stands" rather than "who breaks ties": stock is the reason. When
GP owns quantity, WooCommerce's stock moves with every sale (GP sees the sale later, through the
invoice), and GP's with every receipt; a rule that called that "both changed" would flood the
console. The owner's value is the truth for that field; the other side's edits are put back, and
the restore is audited with the value it replaced, so nothing disappears unrecorded. A field both
sides may edit is `last_writer`: a change on either side propagates, and when both sides changed
since the base the console asks a person (system clocks of a shop and an office server are not
trusted to say who was last).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.products.fields import FIELDS, Value, same

Owner = Literal["gp", "woocommerce", "last_writer"]
Action = Literal["none", "adopt", "to_woo", "to_gp", "conflict", "skip"]


@dataclass(frozen=True)
class FieldDecision:
    field: str
    action: Action
    value: Value | None = None  # what to write (to_woo / to_gp) or adopt as the new base
    reason: str = ""
    restore: bool = False  # the owner's value puts back an edit made on the other side


def decide_field(field: str, base: Value | None, woo: Value | None, gp: Value | None,
                 owner: Owner) -> FieldDecision:
    """What to do with one field of one link."""
    if woo is None or gp is None:
        side = "WooCommerce" if woo is None else "GP"
        return FieldDecision(field, "skip", reason=f"{side} does not carry a {field} for it")
    if same(field, woo, gp):
        if base is not None and same(field, base, woo):
            return FieldDecision(field, "none")
        return FieldDecision(field, "adopt", woo, "both sides agree")
    woo_changed = base is None or not same(field, woo, base)
    gp_changed = base is None or not same(field, gp, base)
    if owner == "gp":
        restore = woo_changed and not gp_changed
        return FieldDecision(field, "to_woo", gp,
                             "GP owns it; WooCommerce's edit is put back" if restore
                             else "changed in GP", restore)
    if owner == "woocommerce":
        restore = gp_changed and not woo_changed
        return FieldDecision(field, "to_gp", woo,
                             "WooCommerce owns it; GP's edit is put back" if restore
                             else "changed in WooCommerce", restore)
    if woo_changed and gp_changed:
        why = "no synced value yet and the sides differ" if base is None else \
            "changed on both sides since the last sync"
        return FieldDecision(field, "conflict", None, why)
    if gp_changed:
        return FieldDecision(field, "to_woo", gp, "changed in GP")
    return FieldDecision(field, "to_gp", woo, "changed in WooCommerce")


def decide(base: dict[str, Value | None], woo: dict[str, Value | None],
           gp: dict[str, Value | None], owners: dict[str, Owner]) -> dict[str, FieldDecision]:
    """Decisions for every field of one link."""
    return {f: decide_field(f, base.get(f), woo.get(f), gp.get(f), owners[f]) for f in FIELDS}


def owners_from(products_settings: object) -> dict[str, Owner]:
    """Field -> owner from ProductSettings (validated by core.config)."""
    return {f: getattr(products_settings, f"owner_{f}") for f in FIELDS}
