"""Products: tasks from the two-way product sync.

Conflicts (both sides changed a field) are resolved by choosing a side. Manual tasks are changes
the sync cannot write over the configured route (GP refuses a price over SOAP, say): the console
says what to change by hand, and `d` marks it done (core resolve(task, "woo"): "I made the change
in GP myself"; the next sync pass checks it).
"""
from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import DataTable, Footer, Header, Label

from core.products.approval import approve, current_plan
from core.products.conflicts import open_conflicts, resolve
from core.store.models import AuditEvent
from tui.messages import ConflictResolved
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.shown import shown


@dataclass(frozen=True)
class TaskRow:
    id: int
    kind: str  # conflict / manual
    sku: str
    gp_item: str
    field: str
    base: str
    woo: str
    gp: str
    todo: str  # what the accountant should do, in words


def _shown(value: str | None) -> str:
    return "(none)" if value is None else value


def _todo(kind: str, field: str, gp_item: str, base: str | None, woo: str | None,
          gp: str | None, raised: str | None) -> str:
    if kind == "conflict":
        return (f"Both sides changed the {field} since the last sync (was {_shown(base)}): "
                f"keep WooCommerce's {_shown(woo)} (w) or GP's {_shown(gp)} (g).")
    if woo != base:  # a WooCommerce change GP could not take: made in GP by hand
        return (f"Change the {field} of {gp_item} to {_shown(woo)} in GP, then mark it done "
                f"(d). Or keep GP's {_shown(gp)} (g): the next sync puts it back in WooCommerce.")
    # Otherwise the sync's own words when it raised the task (a lost inventory adjustment,
    # a GP value WooCommerce cannot take), which name what to check.
    return (f"{raised or f'The {field} change cannot be made automatically.'} "
            f"Done by hand: d. Keep GP's {_shown(gp)}: g.")


def _raised_messages(skus: set[str]) -> dict[int, str]:
    """task id -> the audit message written when the sync opened that manual task."""
    found: dict[int, str] = {}
    if not skus:
        return found
    for event in (AuditEvent.select(AuditEvent.data, AuditEvent.message)
                  .where((AuditEvent.entity == "product") & (AuditEvent.kind == "manual")
                         & AuditEvent.entity_id.in_(sorted(skus)))
                  .order_by(AuditEvent.id)):
        task = (event.data or {}).get("task") if isinstance(event.data, dict) else None
        if isinstance(task, int):
            found[task] = event.message
    return found


def read_tasks() -> tuple[list[TaskRow], str]:
    tasks = open_conflicts()
    raised = _raised_messages({t.link.sku for t in tasks if t.kind == "manual"})
    rows = [TaskRow(t.id, t.kind, t.link.sku, t.link.gp_item, t.field, t.base_value or "",
                    t.woo_value or "", t.gp_value or "",
                    _todo(t.kind, t.field, t.link.gp_item, t.base_value, t.woo_value,
                          t.gp_value, raised.get(t.id)))
            for t in tasks]
    conflicts = sum(r.kind == "conflict" for r in rows)
    manual = len(rows) - conflicts
    if not rows:
        return rows, "No product tasks: both sides agree."
    parts = []
    if conflicts:
        parts.append(f"{conflicts} conflict(s): both sides changed, choose which one wins "
                     "(w / g).")
    if manual:
        parts.append(f"{manual} manual change(s): the sync cannot write them; make them by "
                     "hand, then mark them done (d).")
    return rows, " ".join(parts)


PLAN_LINES_SHOWN = 12


def read_plan() -> str:
    """The product sync plan waiting for the accountant, in words ("" when none waits)."""
    state = current_plan()
    if not state.awaiting:
        return ""
    shown = list(state.lines[:PLAN_LINES_SHOWN])
    more = len(state.lines) - len(shown)
    return ("Product sync is WAITING FOR YOUR APPROVAL (a approves): " + state.reason + "\n"
            + "\n".join(f"  {line}" for line in shown)
            + (f"\n  ... and {more} more (`ml-connector products plan` lists them)"
               if more > 0 else ""))


class ProductsScreen(ConsoleScreen):
    TITLE = "Products"
    AUTO_FOCUS = "#conflicts"
    BINDINGS = [
        Binding("w", "take('woo')", "Keep WooCommerce", id="products.woo"),
        Binding("g", "take('gp')", "Keep GP", id="products.gp"),
        Binding("d", "done", "Done by hand", id="products.done"),
        Binding("a", "approve_plan", "Approve sync plan", id="products.approve"),
    ]

    _rows: dict[str, TaskRow]  # row key -> what the row shows and says to do (set on mount)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="products-plan")
        yield Label("", id="products-note")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Label("", id="products-todo")
        yield Footer()

    def on_mount(self) -> None:
        self._rows = {}
        table = self.query_one("#conflicts", DataTable)
        for key, label, width in (("kind", "Task", 8), ("sku", "SKU", 16),
                                  ("item", "GP item", 14), ("field", "Field", 8),
                                  ("base", "Last synced", 14), ("woo", "WooCommerce", 14),
                                  ("gp", "GP", 14)):
            table.add_column(label, key=key, width=width)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading product tasks")
    def load(self) -> None:
        rows, note = in_db_thread(read_tasks)
        self.deliver(self.show, rows, note, in_db_thread(read_plan))

    def show(self, rows: list[TaskRow], note: str, plan: str = "") -> None:
        self.query_one("#products-plan", Label).update(escape(plan))
        self.query_one("#products-note", Label).update(escape(note))
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        self._rows = {str(r.id): r for r in rows}
        for r in rows:  # remote text (names, SKUs) goes in as Text: never read as markup
            table.add_row(r.kind, shown(r.sku), shown(r.gp_item), r.field, shown(r.base),
                          shown(r.woo), shown(r.gp), key=str(r.id))
        self._show_todo()

    def _current(self) -> TaskRow | None:
        table = self.query_one("#conflicts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    def _show_todo(self) -> None:
        row = self._current()
        self.query_one("#products-todo", Label).update(
            "" if row is None else escape(f"{row.sku}: {row.todo}"))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_todo()

    def action_take(self, side: str) -> None:
        row = self._current()
        if row is None:
            return
        if row.kind == "manual" and side == "woo":
            # The sync cannot write WooCommerce's value over this route: only a person can.
            self.notify(escape(f"{row.sku}: the sync cannot make this change. Make it by hand, "
                               "then mark it done (d), or keep GP's value (g)."),
                        severity="warning")
            return
        self.resolve(row.id, side, manual=row.kind == "manual")

    def action_done(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.kind != "manual":
            self.notify(escape(f"{row.sku}: this is a conflict; choose which side wins "
                               "(w or g)."), severity="warning")
            return
        self.resolve(row.id, "woo", manual=True)

    @work(thread=True, exit_on_error=False, group="write", description="Approving the plan")
    def action_approve_plan(self) -> None:
        try:
            state = in_db_thread(approve, self.ctx.actor, clock=self.ctx.clock)
        except ValueError as exc:
            self.deliver(self.notify, escape(str(exc)), severity="warning")
            return
        self.deliver(self.notify, f"Approved: the next product sync writes its {state.changes} "
                                  "change(s).")
        self.deliver(self.load)

    @work(thread=True, exit_on_error=False, group="write", description="Resolving the task")
    def resolve(self, task_id: int, side: str, *, manual: bool) -> None:
        in_db_thread(resolve, task_id, side, actor=self.ctx.actor, clock=self.ctx.clock)
        self.deliver(self.post_message, ConflictResolved(task_id, side, manual))

    def on_conflict_resolved(self, message: ConflictResolved) -> None:
        if message.manual and message.side == "woo":
            self.notify("Marked done: the next sync checks the change in GP.")
        else:
            side = "WooCommerce" if message.side == "woo" else "GP"
            self.notify(f"Resolved: {side}'s value wins; the next sync writes it.")
        self.load()
