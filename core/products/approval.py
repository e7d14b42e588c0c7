"""The product sync asks before it changes a shop in bulk.

The first pass on a real shop is a plan: it reads both sides and decides, writes nothing, and
waits (Setting `products.plan`) until the accountant approves it in the console's Products
screen (or `products approve`). Later, any pass that would write to more than
`[products] max_changes_per_pass` products stops the same way: a GP that lost its stock
figures must not empty a live shop in one pass. Approving lets exactly that pass's number of
changes through once; the next oversized pass asks again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.clock import Clock
from core.store import audit
from core.store.db import database
from core.store.models import Setting

PLAN_KEY = "products.plan"
ACTOR = "worker:products"
SHOWN_LINES = 500  # the plan keeps this many change lines for the console


@dataclass(frozen=True)
class PlanState:
    status: str  # none | awaiting | approved
    reason: str = ""
    changes: int = 0
    lines: tuple[str, ...] = ()
    approved_by: str = ""
    first_pass_done: bool = False
    allowance: int = 0  # changes an approval lets through in the next pass

    @property
    def awaiting(self) -> bool:
        return self.status == "awaiting"


def current_plan() -> PlanState:
    row = Setting.get_or_none(Setting.key == PLAN_KEY)
    v: dict[str, Any] = dict(row.value or {}) if row else {}
    if not v:
        return PlanState("none")
    return PlanState(str(v.get("status", "none")), str(v.get("reason", "")),
                     int(v.get("changes", 0)), tuple(v.get("lines", [])),
                     str(v.get("approved_by", "")), bool(v.get("first_pass_done", False)),
                     int(v.get("allowance", 0)))


def _save(value: dict[str, Any], *, actor: str, clock: Clock) -> None:
    now = clock.now()
    Setting.insert(key=PLAN_KEY, value=value, updated_by=actor, updated_at=now).on_conflict(
        conflict_target=[Setting.key],
        update={Setting.value: value, Setting.updated_by: actor,
                Setting.updated_at: now}).execute()


def may_write(changes: int, lines: list[str], settings: Any, *, clock: Clock) -> str | None:
    """None when this pass may write its `changes` products; else why it waits, after
    recording the plan for the accountant."""
    state = current_plan()
    why = why_wait(state, changes, settings)
    if why is None:
        return None
    if state.awaiting and state.changes == changes and state.reason == why:
        return why  # the same plan is already waiting: no new audit event every pass
    with database.atomic():
        _save({"status": "awaiting", "reason": why, "changes": changes,
               "lines": lines[:SHOWN_LINES], "first_pass_done": state.first_pass_done},
              actor=ACTOR, clock=clock)
        audit.record("product", None, "plan", f"product sync waits for approval: {why}",
                     actor=ACTOR, data={"changes": changes}, clock=clock)
    return why


def why_wait(state: PlanState, changes: int, settings: Any) -> str | None:
    """Pure: why a pass writing to `changes` products must wait, or None (the dry run asks
    this without recording anything)."""
    ps = settings.products
    limit = ps.max_changes_per_pass
    over = bool(limit) and changes > limit
    oversized = (f"this pass would change {changes} products, more than [products] "
                 f"max_changes_per_pass = {limit}; review the changes and approve them, or fix "
                 "their cause")
    if state.status == "approved":
        if not over or changes <= state.allowance:
            return None
        why = oversized
    elif not state.first_pass_done and ps.first_run == "plan":
        why = (f"first product sync: {changes} product(s) would change; review the plan and "
               "approve it (console Products, key a; or `ml-connector products approve`)")
    elif over:
        why = oversized
    else:
        return None
    return why


def pass_written(clock: Clock) -> None:
    """After a pass wrote: the first pass is behind us and an approval is used up."""
    state = current_plan()
    if state.first_pass_done and state.status == "approved" and not state.allowance:
        return
    with database.atomic():
        _save({"status": "approved", "reason": "", "changes": 0, "lines": [],
               "approved_by": state.approved_by, "first_pass_done": True, "allowance": 0},
              actor=ACTOR, clock=clock)


def approve(actor: str, *, clock: Clock) -> PlanState:
    """The accountant approves the waiting plan: the next pass writes up to its changes."""
    with database.atomic():
        state = current_plan()
        if not state.awaiting:
            raise ValueError("no product sync plan is waiting for approval")
        _save({"status": "approved", "reason": state.reason, "changes": state.changes,
               "lines": list(state.lines), "approved_by": actor,
               "first_pass_done": state.first_pass_done, "allowance": state.changes},
              actor=actor, clock=clock)
        audit.record("product", None, "plan approved",
                     f"product sync plan approved by {actor}: {state.changes} product(s) may "
                     f"change ({state.reason})", actor=actor, data={"changes": state.changes},
                     clock=clock)
    return current_plan()
