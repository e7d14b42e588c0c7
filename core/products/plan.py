"""Per link: the values of both sides, the open tasks, and what this pass will do. Pure given
its inputs (the database is read by the caller), so every rule is testable without a network.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.gp.gateway import GPItemInfo
from core.products.compare import FieldDecision, Owner, decide_field
from core.products.fields import FIELDS, Value, WooEntry, from_text, normalize_name, same
from core.products.links import base_of
from core.store.models import ProductLink, ProductTask


@dataclass
class LinkPlan:
    link: ProductLink
    entry: WooEntry
    gp: GPItemInfo
    woo_values: dict[str, Value | None]
    gp_values: dict[str, Value | None]  # GP's quantity is "available less in flight"
    to_woo: dict[str, Value] = field(default_factory=dict)
    to_gp: dict[str, Value] = field(default_factory=dict)
    adopt: dict[str, Value] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    restore: set[str] = field(default_factory=set)
    conflicts: dict[str, FieldDecision] = field(default_factory=dict)
    woo_cannot: dict[str, str] = field(default_factory=dict)  # field -> why WooCommerce can't
    applies: dict[str, ProductTask] = field(default_factory=dict)  # resolved task per field
    closes: list[tuple[ProductTask, str]] = field(default_factory=list)  # (task, why) now
    frozen: dict[str, ProductTask] = field(default_factory=dict)  # open task, values refreshed

    @property
    def busy(self) -> bool:
        return bool(self.to_woo or self.to_gp or self.adopt or self.conflicts or self.woo_cannot
                    or self.closes or self.frozen)


def gp_values(info: GPItemInfo, in_flight: Decimal, pending: Decimal) -> dict[str, Value | None]:
    qty = info.quantity_available
    return {"name": normalize_name(info.description), "price": info.price,
            "quantity": None if qty is None else qty - in_flight + pending}


def plan_link(link: ProductLink, entry: WooEntry, info: GPItemInfo, owners: dict[str, Owner],
              *, in_flight: Decimal = Decimal(0), pending: Decimal = Decimal(0),
              tasks: dict[str, ProductTask] | None = None) -> LinkPlan:
    """Decide every field of one link (see compare.py for the rules; tasks freeze a field)."""
    plan = LinkPlan(link, entry, info, {f: entry.value(f) for f in FIELDS},
                    gp_values(info, in_flight, pending))
    base = base_of(link)
    for f in FIELDS:
        woo, gp = plan.woo_values[f], plan.gp_values[f]
        task = (tasks or {}).get(f)
        if task is not None and task.status == "resolved":
            chosen = woo if task.resolution == "woo" else gp
            if chosen is None or (woo is not None and gp is not None and same(f, woo, gp)):
                if chosen is not None:
                    plan.adopt[f] = chosen
                plan.closes.append((task, "the sides agree"))
                continue
            plan.applies[f] = task
            _route(plan, f, chosen, to_woo=task.resolution == "gp",
                   why=f"{task.kind} resolved by {task.resolved_by}")
            continue
        d = decide_field(f, base[f], woo, gp, owners[f])
        if task is not None:  # open
            if d.action in ("none", "adopt", "skip"):
                if d.action == "adopt" and d.value is not None:
                    plan.adopt[f] = d.value
                plan.closes.append((task, "the sides agree again"))
                continue
            if not (task.kind == "manual" and d.action == "conflict"):
                plan.frozen[f] = task  # nothing is overwritten while a person decides
                continue
            plan.closes.append((task, "superseded: both sides changed since"))
        if d.action == "adopt" and d.value is not None:
            plan.adopt[f] = d.value
        elif d.action == "conflict":
            plan.conflicts[f] = d
        elif d.action in ("to_woo", "to_gp") and d.value is not None:
            _route(plan, f, d.value, to_woo=d.action == "to_woo", why=d.reason)
            if d.restore:
                plan.restore.add(f)
    return plan


def _route(plan: LinkPlan, f: str, value: Value, *, to_woo: bool, why: str) -> None:
    if to_woo and f == "name" and plan.entry.variation_id is not None:
        plan.woo_cannot[f] = ("WooCommerce names a variation after its product and attributes; "
                              "rename the product in WooCommerce or change GP's description")
        plan.why[f] = why
        return
    if to_woo and f == "quantity" and value is not None and Decimal(str(value)) < 0:
        # A shop must never show negative stock (GP can, e.g. after posting ahead of a
        # receipt): the accountant corrects GP's figure; nothing is pushed meanwhile.
        plan.woo_cannot[f] = (f"it is negative; a shop never gets a negative stock figure: "
                              f"correct item {plan.link.gp_item}'s quantity in GP")
        plan.why[f] = why
        return
    (plan.to_woo if to_woo else plan.to_gp)[f] = value
    plan.why[f] = why


def task_value(task: ProductTask, side: str) -> Value | None:
    return from_text(task.field, task.woo_value if side == "woo" else task.gp_value)
