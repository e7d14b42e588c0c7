"""Product tasks for the console: conflicts (both sides changed) and manual changes (GP, or
WooCommerce, has no way to take the change over the configured route).

Life of a task: `open` -> the accountant picks a side -> `resolved` (the next sync pass writes
the chosen side's current value to the other side) -> `done`. A manual task resolved with
"woo" means "I made the change in GP myself": it is done at once, and the next pass checks.
While a task is open its field is frozen for that link: nothing is overwritten on either side.
"""
from __future__ import annotations

from typing import Literal

from core.clock import Clock
from core.errors import ConnectorError
from core.products.fields import Value, to_text
from core.store import audit
from core.store.db import database
from core.store.models import ProductLink, ProductTask

TASK_KINDS = ("conflict", "manual")
ACTIVE = ("open", "resolved")
Side = Literal["woo", "gp"]


class TaskError(ConnectorError):
    """A task cannot be resolved as asked (unknown id, already done, bad side)."""


def open_conflicts() -> list[ProductTask]:
    """Every open conflict and manual product task, oldest first; `task.link.sku` and
    `task.link.gp_item` say which product."""
    return list(ProductTask.select(ProductTask, ProductLink)
                .join(ProductLink)
                .where((ProductTask.status == "open") & ProductTask.kind.in_(TASK_KINDS))
                .order_by(ProductTask.created_at, ProductTask.id))


def resolve(task_id: int, side: Side, *, actor: str, clock: Clock) -> ProductTask:
    """Resolve an open task by choosing a side; audited with who chose."""
    if side not in ("woo", "gp"):
        raise TaskError(f"choose \"woo\" or \"gp\", not {side!r}")
    with database.atomic():
        task = ProductTask.get_or_none(ProductTask.id == task_id)
        if task is None or task.kind not in TASK_KINDS:
            raise TaskError(f"there is no product task {task_id}")
        if task.status != "open":
            raise TaskError(f"product task {task_id} is already {task.status}")
        link = task.link
        now = clock.now()
        done_in_gp = task.kind == "manual" and side == "woo"
        task.status = "done" if done_in_gp else "resolved"
        task.resolution, task.resolved_by, task.resolved_at = side, actor, now
        task.save()
        chosen = task.woo_value if side == "woo" else task.gp_value
        where = "WooCommerce" if side == "woo" else "GP"
        if done_in_gp:
            message = (f"{link.sku}: {task.field} change marked as made in GP by hand "
                       f"({chosen!r})")
        else:
            message = (f"{link.sku}: {task.kind} on {task.field} resolved for {where}'s value "
                       f"({chosen!r}); the next sync writes it to the other side")
        audit.record("product", link.sku, f"{task.kind} resolved", message, actor=actor,
                     clock=clock, data={"task": task.id, "field": task.field, "side": side,
                                        "base": task.base_value, "woo": task.woo_value,
                                        "gp": task.gp_value})
        return task


def active_tasks(link_ids: list[int]) -> dict[tuple[int, str], ProductTask]:
    """(link id, field) -> its open or resolved conflict/manual task."""
    out: dict[tuple[int, str], ProductTask] = {}
    for i in range(0, len(link_ids), 500):
        for task in ProductTask.select().where(ProductTask.link.in_(link_ids[i:i + 500])
                                               & ProductTask.kind.in_(TASK_KINDS)
                                               & ProductTask.status.in_(ACTIVE)):
            out[(task.link_id, task.field)] = task
    return out


def raise_task(link: ProductLink, kind: str, field: str, *, base: Value | None,
               woo: Value | None, gp: Value | None, message: str, clock: Clock,
               existing: ProductTask | None = None, actor: str = "worker:products"
               ) -> tuple[ProductTask, bool]:
    """Open a task, or refresh the open one's values (then False: nothing new for the
    console). Call inside the caller's transaction."""
    if existing is None:
        existing = (ProductTask.select().where((ProductTask.link == link.id)
                                               & (ProductTask.field == field)
                                               & (ProductTask.kind == kind)
                                               & (ProductTask.status == "open")).first())
    values = {"base_value": to_text(field, base), "woo_value": to_text(field, woo),
              "gp_value": to_text(field, gp)}
    if existing is not None and existing.status == "open" and existing.kind == kind:
        if any(getattr(existing, k) != v for k, v in values.items()):
            ProductTask.update(**values).where(ProductTask.id == existing.id).execute()
            for k, v in values.items():
                setattr(existing, k, v)
        return existing, False
    task = ProductTask.create(link=link, kind=kind, field=field, status="open",
                              created_at=clock.now(), **values)
    audit.record("product", link.sku, kind, message, actor=actor, clock=clock,
                 data={"task": task.id, "field": field, "base": values["base_value"],
                       "woo": values["woo_value"], "gp": values["gp_value"]})
    return task, True


def close_task(task: ProductTask, *, message: str, clock: Clock,
               actor: str = "worker:products") -> None:
    """Mark a task done (applied, or the sides agree again). Inside the caller's transaction."""
    now = clock.now()
    resolution = task.resolution or "done"
    ProductTask.update(status="done", resolution=resolution, resolved_at=task.resolved_at or now,
                       resolved_by=task.resolved_by or actor).where(
        ProductTask.id == task.id).execute()
    task.status = "done"
    audit.record("product", task.link.sku, f"{task.kind} closed", message, actor=actor,
                 clock=clock, data={"task": task.id, "field": task.field,
                                    "resolution": resolution})
