"""GL mapping: company defaults, customer class and customer overrides for every account kind,
payment gateways -> cash accounts, tax rates, the rounding account and tolerance. Every change is
validated (format here, existence in GP on a worker thread) and audited with the console's actor."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import DataTable, Footer, Header, Label

from core import queries
from core.console_settings import ROUNDING_TOLERANCE, get_setting, set_setting
from core.gl import remove_account
from core.gl_setup import AccountCheck, save_entry
from core.payment_setup import save_choice
from core.store.models import GL_ACCOUNT_KINDS, GlMapping
from tui.messages import GlAccountSaved
from tui.remote import gp_account_check, gp_payment_lists
from tui.screens.base import ConsoleScreen, in_db_thread
from tui.screens.gl_edit import GlEdit, GlEditScreen, ToleranceScreen
from tui.screens.payment_pick import PaymentPickScreen
from tui.shown import shown


@dataclass(frozen=True)
class GlView:
    rows: list[GlMapping]
    gateways: list[str]
    tolerance: str


def read_gl(default_tolerance: str) -> GlView:
    return GlView(queries.gl_rows(), queries.known_gateways(),
                  str(get_setting(ROUNDING_TOLERANCE, default_tolerance)))


class GlScreen(ConsoleScreen):
    TITLE = "GL mapping"
    AUTO_FOCUS = "#gl"
    BINDINGS = [
        Binding("e,enter", "edit", "Edit", id="gl.edit"),
        Binding("n", "new", "New override", id="gl.new"),
        Binding("delete", "remove", "Remove override", id="gl.remove"),
        Binding("t", "tolerance", "Rounding tolerance", id="gl.tolerance"),
        Binding("p", "payment", "GP payment", id="gl.payment"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.edits: dict[str, GlEdit] = {}
        self.tolerance = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="tolerance-line")
        yield DataTable(id="gl", cursor_type="row", zebra_stripes=True)
        yield Label("Resolution: customer → customer class → company default. Gateways map to "
                    "their cash account.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#gl", DataTable)
        for key, label, width in (("scope", "Scope", 16), ("key", "For", 16),
                                  ("kind", "Account kind", 12), ("account", "GP account", 16),
                                  ("by", "Changed by", 18)):
            table.add_column(label, key=key, width=width)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load",
          description="Reading the GL mapping")
    def load(self) -> None:
        view = in_db_thread(read_gl, self.ctx.settings.posting.rounding_tolerance)
        self.deliver(self.show, view)

    def show(self, view: GlView) -> None:
        table = self.query_one("#gl", DataTable)
        at = table.cursor_row
        table.clear()
        self.edits = {}
        by_key = {(r.scope, r.scope_key, r.account_kind): r for r in view.rows}

        def add(scope: str, key: str, kind: str) -> None:
            row = by_key.get((scope, key, kind))
            rid = f"{scope}|{key}|{kind}"
            self.edits[rid] = GlEdit(scope, key, kind, row.account if row else "")
            table.add_row(scope.replace("_", " "), shown(key or "—"), kind,
                          shown(row.account) if row else Text("(not set)", style="bold red"),
                          shown(row.updated_by if row else ""), key=rid)

        for kind in GL_ACCOUNT_KINDS:  # every company default, set or not: gaps are visible
            if kind != "cash":
                add("company", "", kind)
        for gateway in view.gateways:
            add("gateway", gateway, "cash")
        for r in view.rows:
            if r.scope in ("customer_class", "customer", "tax_rate"):
                add(r.scope, r.scope_key, r.account_kind)
        if table.row_count:
            table.move_cursor(row=min(at, table.row_count - 1))
        self.tolerance = view.tolerance
        self.query_one("#tolerance-line", Label).update(
            f"Rounding tolerance: {escape(view.tolerance)} — a difference up to it goes to the "
            "rounding account; beyond it the order is held.")

    @property
    def current(self) -> GlEdit | None:
        table = self.query_one("#gl", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.edits.get(str(key))

    # --- editing ---------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#gl")
    def selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        self.open_editor(self.current)

    def action_new(self) -> None:
        self.open_editor(GlEdit("customer_class", "", "sales", ""), new=True)

    def open_editor(self, edit: GlEdit | None, *, new: bool = False) -> None:
        def done(result: GlEdit | None) -> None:
            if result is not None:
                self.save(result)

        self.app.push_screen(GlEditScreen(edit, self.check_in_gp, new=new), done)

    def check_in_gp(self, account: str) -> AccountCheck:
        """Runs on the dialog's worker thread: GP's answer for one account."""
        return gp_account_check(self.ctx, account)

    @work(thread=True, exit_on_error=False, group="write", description="Saving the GL account")
    def save(self, edit: GlEdit) -> None:
        """The dialog closed with GP's answer (exists, or unchecked by the accountant's
        choice); the audit trail records which."""
        check = edit.check or AccountCheck(edit.account, None, "a tax detail id")
        in_db_thread(save_entry, (edit.scope, edit.scope_key, edit.kind, edit.account), check,
                     actor=self.ctx.actor, clock=self.ctx.clock)
        why = check.why if check.exists or edit.scope == "tax_rate" else "saved UNCHECKED"
        self.deliver(self.saved, edit, why)

    def saved(self, edit: GlEdit, why: str) -> None:
        self.post_message(GlAccountSaved(edit.scope, edit.scope_key, edit.kind, edit.account))
        self.notify(escape(f"{edit.kind} account for {edit.scope} {edit.scope_key} set to "
                           f"{edit.account} ({why})."))
        self.connector.check_database()
        self.load()

    def action_remove(self) -> None:
        edit = self.current
        if edit is None or edit.scope == "company" or not edit.account:
            self.notify("Only an override can be removed (company defaults are edited).",
                        severity="warning")
            return
        self.remove_override(edit)

    @work(thread=True, exit_on_error=False, group="write", description="Removing the override")
    def remove_override(self, edit: GlEdit) -> None:
        in_db_thread(remove_account, edit.scope, edit.scope_key, edit.kind, actor=self.ctx.actor,
                     clock=self.ctx.clock)
        self.deliver(self.load)

    def action_tolerance(self) -> None:
        current = self.tolerance or str(self.ctx.settings.posting.rounding_tolerance)

        def done(value: str | None) -> None:
            if value is not None:
                self.save_tolerance(value)

        self.app.push_screen(ToleranceScreen(current), done)

    @work(thread=True, exit_on_error=False, group="write", description="Saving the tolerance")
    def save_tolerance(self, value: str) -> None:
        in_db_thread(set_setting, ROUNDING_TOLERANCE, value, actor=self.ctx.actor,
                     clock=self.ctx.clock)
        self.deliver(self.load)

    # --- a gateway's GP payment (chosen from GP's lists) ----------------------------------

    def action_payment(self) -> None:
        edit = self.current
        if edit is None or edit.scope != "gateway":
            self.notify("Choose a payment gateway row first.", severity="warning")
            return
        self.load_payment_lists(edit.scope_key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="gp",
          description="Reading GP's payment card types")
    def load_payment_lists(self, gateway: str) -> None:
        try:
            lists = gp_payment_lists(self.ctx)
        except Exception as exc:  # noqa: BLE001 - any reason GP cannot answer is shown
            self.deliver(self.notify, escape(f"GP's payment lists cannot be read: {exc}"),
                         severity="error")
            return
        self.deliver(self.pick_payment, gateway, lists)

    def pick_payment(self, gateway: str, lists: Any) -> None:
        def done(entry: dict[str, Any] | None) -> None:
            if entry is not None:
                self.save_payment(gateway, entry)

        self.app.push_screen(PaymentPickScreen(gateway, lists, self.ctx.settings), done)

    @work(thread=True, exit_on_error=False, group="write", description="Saving the GP payment")
    def save_payment(self, gateway: str, entry: dict[str, Any]) -> None:
        if self.ctx.workspace is None:
            self.deliver(self.notify, "No workspace: the payment mapping lives in its "
                         "config.toml (--workspace DIR).", severity="error")
            return
        in_db_thread(save_choice, self.ctx.workspace, self.ctx.settings, gateway, entry,
                     actor=self.ctx.actor, clock=self.ctx.clock)
        self.deliver(self.notify, escape(f"{gateway}: GP payment saved ({entry}); replay its "
                                         "unpaid orders to add the payment."))

    def palette_commands(self) -> Any:
        yield SystemCommand("New GL override", "Customer class, customer, gateway or tax rate",
                            self.action_new)
        yield SystemCommand("Set the rounding tolerance", "Difference that goes to rounding",
                            self.action_tolerance)
        yield SystemCommand("Choose a gateway's GP payment", "Card type and checkbook from "
                            "GP's lists", self.action_payment)
